"""Every stored report: themes by Area, Part and year, recurring weaknesses, drill-down,
and the selection as a briefing to take away.

Reads the findings database only (no model, no torch); tables are cached per database
generation, so a report added or removed anywhere shows at the next rerun.
"""
import streamlit as st

from classifier.app.common import (csv_download, findings_table, generation, history_seeded,
                                   ratings_table, recurrence_groups, reports_table, show_table,
                                   takeaway_downloads)
from classifier.insight import analytics, charts
from classifier.codebook import OTHER, default_codebook
from classifier.store.recurrence import recurring_across_reports

codebook = default_codebook()
theme_order = codebook.ids + [OTHER]
gen = generation()
findings = findings_table(gen)
reports = reports_table(gen)
NONE = ""
TITLES_SHOWN = 300  # characters of report names per recurring weakness on screen

st.title("Theme frequency by Area, Part and year")
n_undated, _ = analytics.undated(findings)
st.caption(f"{len(findings)} findings from {len(reports)} stored report(s), "
           f"{int(reports['date'].isna().sum())} of them undated ({n_undated} findings: counted "
           "everywhere but the trend by year). Labels "
           "by a human (report 001's Annex B, the restated publications' reconciled labels, and "
           "every correction) win over the model's.")
if not history_seeded(gen):
    st.info("This database does not hold the restated publications under training_data/ "
            "(made before they became history, or asked empty): "
            "`python -m classifier history seed` adds them.")


def _none(label: str):
    return lambda v: f"(no {label})" if v == NONE else str(v)


report_names = dict(zip(reports["id"], reports["title"].str.slice(0, 80)))
c1, c2, c3, c0 = st.columns(4)
chosen_reports = c1.multiselect("Reports", list(report_names), key="reports",
                                format_func=lambda i: f"{i}: {report_names.get(i, i)}",
                                placeholder="all reports")
publishers = c2.multiselect("Publishers", sorted(findings["publisher"].unique()),
                            key="publishers", placeholder="all publishers",
                            format_func=_none("publisher"))
report_kinds = c3.multiselect("Kinds of publication", sorted(findings["report_kind"].unique()),
                              key="report_kinds", placeholder="all kinds",
                              format_func=_none("kind"))
years = c0.multiselect("Years", sorted(int(y) for y in findings["year"].dropna().unique()),
                       key="years", placeholder="all years")
c4, c5, c6 = st.columns(3)
kind = c4.selectbox("Kind", ["all"] + sorted(k for k in findings["kind"].unique()), key="kind",
                    format_func=lambda k: "All findings" if k == "all" else
                    analytics.KIND_LABELS.get(k, k or "(no kind)"))
part_options = sorted(findings["part"].unique())
parts = c5.multiselect("Parts", part_options, default=part_options, key="parts",
                       format_func=_none("Part"))
area_options = sorted(findings["area"].unique())
areas = c6.multiselect("Areas", area_options, key="areas", placeholder="all Areas",
                       format_func=_none("Area"))
measure = st.radio("Show", ["count", "share of findings"], horizontal=True, key="measure")
share = measure != "count"
selected = analytics.filter_findings(findings, kind, parts, reports=chosen_reports,
                                     publishers=publishers, years=years, areas=areas,
                                     report_kinds=report_kinds)
st.write(f"**{len(selected)}** findings match.")
takeaway_downloads(selected, recurrence_groups(gen), {
    "Reports": ", ".join(str(i) for i in chosen_reports), "Publishers": ", ".join(publishers),
    "Kinds of publication": ", ".join(report_kinds), "Years": ", ".join(map(str, years)),
    "Kind of finding": "" if kind == "all" else kind,
    "Parts": "" if parts == part_options else ", ".join(parts), "Areas": ", ".join(areas)})


by_area = analytics.theme_counts(selected, "area", codebook, share=share)
by_part = analytics.theme_counts(selected, "part", codebook, share=share)
for column, by, table in zip(st.columns([2.2, 1]), ("area", "part"), (by_area, by_part)):
    with column:
        st.subheader(f"Theme × {by.title()}")
        if table.shape[1] == 0:
            st.info(f"None of the selected findings names a{'n' if by == 'area' else ''} "
                    f"{by.title()}.")
            continue
        data, spec = charts.heatmap(table, by, theme_order=theme_order, share=share,
                                    legend_title=measure if by == "area" else None)
        st.vega_lite_chart(data, spec, width="stretch" if by == "area" else "content")
        with st.expander("As a table"):
            st.dataframe(table, key=f"table_{by}")
        csv_download(table.reset_index(), f"theme_by_{by}.csv", key=f"dl-{by}")

st.subheader("Theme share by year")
trend = analytics.theme_share_by_year(selected, codebook)
if trend.empty:
    st.info("None of the selected findings' reports has a publication date.")
else:
    n_out, r_out = analytics.undated(selected)
    st.caption(f"Share of each year's findings with the theme (a finding can have several), "
               f"{int(trend['year'].min())}–{int(trend['year'].max())}; hover for counts and "
               "the number of reports that year."
               + (f" {n_out} findings of {r_out} undated publication(s) are left out here."
                  if n_out else ""))
    st.vega_lite_chart(trend, charts.trend(theme_order), width="stretch")
    st.dataframe(trend.pivot(index="theme", columns="year", values="share"), key="trend_table")
    csv_download(trend, "theme_share_by_year.csv", key="dl-trend")

st.subheader("Findings behind a count")
d1, d2, d3, d4, d5 = st.columns(5)
theme = d1.selectbox("Theme", codebook.ids + [OTHER], key="drill_theme")
area = d2.selectbox("Area", ["(all)"] + sorted(a for a in selected["area"].unique() if a),
                    key="drill_area")
part = d3.selectbox("Part", ["(all)"] + sorted(p for p in selected["part"].unique() if p),
                    key="drill_part")
year = d4.selectbox("Year", ["(all)"] + sorted(int(y) for y in selected["year"].dropna().unique()),
                    key="drill_year")
report = d5.selectbox("Report", ["(all)"] + sorted(selected["report_id"].unique().tolist()),
                      key="drill_report",
                      format_func=lambda i: i if i == "(all)" else f"{i}: {report_names.get(i)}")
where = {k: v for k, v in (("area", area), ("part", part), ("year", year),
                           ("report_id", report)) if v != "(all)"}
behind = analytics.drill_down(selected, theme, **where)
st.write(f"**{len(behind)}** findings: theme *{theme}*"
         + "".join(f", {k} *{v}*" for k, v in where.items()))
shown = behind[["finding_id", "report", "date", "area", "part", "kind", "number", "text",
                "themes", "label_source", "source_url"]]
show_table(shown, "drill_table", hide_index=True, width="stretch", column_config={
    "source_url": st.column_config.LinkColumn("source", help="where it was published")})
csv_download(shown, "findings_behind_count.csv", key="dl-drill")

st.subheader("Recurring weaknesses across reports")
st.caption("Issues to address grouped by meaning (cosine similarity ≥ 0.6 to an earlier "
           "finding of the group): each row is one weakness found in N reports of M "
           "inspections (an inspection's report, press release and responses count once) "
           "over Y years.")
across = recurring_across_reports(selected, recurrence_groups(gen))
if across.empty:
    st.info("No weakness among the selected findings recurs in reports of two or more "
            "inspections yet.")
else:
    titles = across["report_titles"]  # a weakness in 500 reports names them all in the CSV
    shown = across.drop(columns="recurrence_group").assign(report_titles=titles.where(
        titles.str.len() <= TITLES_SHOWN, titles.str.slice(0, TITLES_SHOWN) + " …"))
    show_table(shown, "recurring_reports", hide_index=True, width="stretch")
    csv_download(across, "recurring_across_reports.csv", key="dl-recurring-reports")

st.subheader("Recurring weaknesses by Area")
st.caption("Themes ranked by how many Areas have at least one weakness in them (an issue to "
           "address, or a finding of a publication about the Area that is not a strength).")
recurring = analytics.recurring_weaknesses(selected[selected["area"] != ""], codebook)
st.dataframe(recurring, hide_index=True, width="stretch", key="recurring")
csv_download(recurring, "recurring_weaknesses.csv", key="dl-recurring")

st.subheader("Area ratings (overall, per Part), report 001")
ratings = analytics.ratings_wide(ratings_table())
st.dataframe(ratings, width="stretch", key="ratings")
csv_download(ratings.reset_index(), "area_ratings_overall.csv", key="dl-ratings")
