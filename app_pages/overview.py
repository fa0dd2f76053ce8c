"""Theme frequency by Area and by Part, with drill-down to the findings behind each count."""
import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import csv_download, findings_table, ratings_table
from classifier import analytics
from classifier.codebook import OTHER, default_codebook

codebook = default_codebook()
findings = findings_table()

st.title("Theme frequency by Area and Part")
st.caption(f"{len(findings)} findings of the AAP composite report (2019), Annex B, "
           "labelled against the codebook.")

c1, c2, c3 = st.columns(3)
kind = c1.selectbox("Kind", ["all", "issue", "strength", "good_practice"], key="kind",
                    format_func=lambda k: "All findings" if k == "all" else analytics.KIND_LABELS[k])
parts = c2.multiselect("Parts", ["A", "B", "C", "D"], default=["A", "B", "C", "D"], key="parts")
measure = c3.radio("Show", ["count", "share of findings"], horizontal=True, key="measure")
share = measure != "count"
selected = analytics.filter_findings(findings, kind, parts)
st.write(f"**{len(selected)}** findings match.")


def heatmap(table: pd.DataFrame, by: str) -> alt.Chart:
    data = table.reset_index().melt(id_vars="theme", var_name=by, value_name="value")
    fmt = ".0%" if share else "d"
    base = alt.Chart(data).encode(
        x=alt.X(f"{by}:N", title=by.title(),
                axis=alt.Axis(labelAngle=-40 if by == "area" else 0, labelLimit=160,
                              labelOverlap=False)),
        y=alt.Y("theme:N", sort=codebook.ids + [OTHER], title="Theme"))
    legend = alt.Legend(title=measure) if by == "area" else None  # one legend is enough
    cells = base.mark_rect().encode(color=alt.Color("value:Q", scale=alt.Scale(scheme="blues"),
                                                    legend=legend),
                                    tooltip=["theme", by, alt.Tooltip("value:Q", format=fmt)])
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text("value:Q", format=fmt),
        color=alt.condition(alt.datum.value > (table.values.max() / 2 if table.size else 0),
                            alt.value("white"), alt.value("black")))
    chart = (cells + labels).properties(height=alt.Step(34))
    return chart if by == "area" else chart.properties(width=alt.Step(40))


by_area = analytics.theme_counts(selected, "area", codebook, share=share)
by_part = analytics.theme_counts(selected, "part", codebook, share=share)
for column, by, table in zip(st.columns([2.2, 1]), ("area", "part"), (by_area, by_part)):
    with column:
        st.subheader(f"Theme × {by.title()}")
        st.altair_chart(heatmap(table, by), width="stretch" if by == "area" else "content")
        with st.expander("As a table"):
            st.dataframe(table, key=f"table_{by}")
        csv_download(table.reset_index(), f"theme_by_{by}.csv", key=f"dl-{by}")

st.subheader("Findings behind a count")
d1, d2, d3 = st.columns(3)
theme = d1.selectbox("Theme", codebook.ids + [OTHER], key="drill_theme")
area = d2.selectbox("Area", ["(all)"] + sorted(selected["area"].unique()), key="drill_area")
part = d3.selectbox("Part", ["(all)"] + sorted(selected["part"].unique()), key="drill_part")
where = {k: v for k, v in (("area", area), ("part", part)) if v != "(all)"}
behind = analytics.drill_down(selected, theme, **where)
st.write(f"**{len(behind)}** findings: theme *{theme}*"
         + "".join(f", {k} *{v}*" for k, v in where.items()))
shown = behind[["area", "part", "kind", "number", "text", "themes"]]
st.dataframe(shown, hide_index=True, width="stretch", key="drill_table")
csv_download(shown, "findings_behind_count.csv", key="dl-drill")

st.subheader("Recurring weaknesses")
st.caption("Themes ranked by how many Areas have at least one issue to address in them.")
recurring = analytics.recurring_weaknesses(selected, codebook)
st.dataframe(recurring, hide_index=True, width="stretch", key="recurring")
csv_download(recurring, "recurring_weaknesses.csv", key="dl-recurring")

st.subheader("Area ratings (overall, per Part)")
ratings = analytics.ratings_wide(ratings_table())
st.dataframe(ratings, width="stretch", key="ratings")
csv_download(ratings.reset_index(), "area_ratings_overall.csv", key="dl-ratings")
