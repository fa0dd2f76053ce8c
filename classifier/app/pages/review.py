"""Review: the findings the model is least sure of, one at a time; a decision wins everywhere.

No model is loaded: the queue needs only stored probabilities and the manifest's
thresholds. Every decision is appended (who, when, the label it replaces); nothing is
overwritten.
"""
import pandas as pd
import streamlit as st

from classifier.access import allowed
from classifier.app.common import actor, escape_markdown, findings_table, generation, store
from classifier.model.artefacts import read_manifest
from classifier.codebook import OTHER, default_codebook
from classifier.errors import ClassifierError
from classifier.insight.review import review_queue

codebook = default_codebook()
st.title("Review findings")
try:
    thresholds = read_manifest().get("thresholds", {})
except ClassifierError as exc:
    st.error(str(exc))
    st.stop()
gen = generation()
findings = findings_table(gen, probabilities=True)
skipped: set = st.session_state.setdefault("review_skipped", set())

c1, c2, c3, c4 = st.columns(4)
reports = sorted(findings["report_id"].unique().tolist())
report = c1.selectbox("Report", [None] + reports, key="review_report",
                      format_func=lambda r: "all reports" if r is None else str(r))
theme = c2.selectbox("Theme (model's)", [None] + codebook.ids + [OTHER], key="review_theme",
                     format_func=lambda t: "any theme" if t is None else t)
area = c3.selectbox("Area", [None] + sorted(a for a in findings["area"].unique() if a),
                    key="review_area", format_func=lambda a: "any Area" if a is None else a)
me = actor()
if me.local:  # single-user: whoever sits here names themselves
    who = c4.text_input("Your name", key="review_by", placeholder="recorded with each decision")
else:
    who = me.name
    c4.caption(f"Decisions are recorded as **{escape_markdown(me.name)}**.")

queue = review_queue(findings, thresholds, report_id=report, theme=theme, area=area,
                     codebook=codebook)
decided = int((findings["decided_by"] != "").sum())
left = queue[~queue["finding_id"].isin(skipped)]
st.progress(decided / max(1, decided + len(queue)),
            text=f"{decided} decided; {len(queue)} model-labelled left in this view "
                 f"({int(queue['needs_review'].sum())} need review); {len(skipped)} skipped")
if "review_saved" in st.session_state:
    st.success(st.session_state.pop("review_saved"))
if left.empty:
    st.info("Nothing left to review here.")
    st.stop()

row = left.iloc[0]
fid = int(row["finding_id"])
st.subheader(f"Finding {fid}" + ("  ·  needs review" if row["needs_review"] else ""))
date = "" if pd.isna(row["date"]) or row["date"] is None else f", {row['date']}"
where = " / ".join(x for x in (row["area"], f"Part {row['part']}" if row["part"] else "",
                                row["kind"]) if x)
st.caption(escape_markdown(f"{row['report']}{date}" + (f" — {where}" if where else "")))
st.markdown(f"> {escape_markdown(row['text'])}")
same = findings[findings["report_id"] == row["report_id"]].reset_index(drop=True)
pos = int(same.index[same["finding_id"] == fid][0])
with st.expander("Neighbours in the report"):
    neighbours = same.iloc[max(0, pos - 2):pos + 3]
    st.dataframe(neighbours[["finding_id", "section", "text", "themes"]], hide_index=True,
                 width="stretch", key="review_neighbours")

probs = pd.DataFrame({"theme": codebook.ids,
                      "probability": [row[f"p_{t}"] for t in codebook.ids],
                      "threshold": [thresholds.get(t) for t in codebook.ids]})
st.dataframe(probs, hide_index=True, key="review_probs")
model_themes = set(codebook.parse(row["themes"])) if row["themes"] else set()
st.write(f"Model's themes: **{escape_markdown(row['themes'])}** "
         f"(model {escape_markdown(row['model_version'] or '?')})")
if not allowed(me, "decide"):  # the store refuses a decision from this role anyway
    st.info(f"You are signed in as a {me.role}: you can read the queue; decisions need the "
            "reviewer role.")
    st.stop()
checked = [t for t in codebook.ids if st.checkbox(t, t in model_themes, key=f"rv_{fid}_{t}")]
other = st.checkbox(OTHER, not model_themes, key=f"rv_{fid}_{OTHER}")


def _decide(themes: str) -> None:
    if not who.strip():
        st.error("Type your name first: it is recorded with the decision.")
        return
    try:
        row_saved = store().record_decision(fid, themes, by=who if me.local else None)
    except ClassifierError as exc:  # e.g. the role was lowered since the page was drawn
        st.error(str(exc))
        return
    st.session_state["review_saved"] = (f"Finding {fid}: {row_saved['themes']} "
                                        f"(was {row_saved['previous_themes']}).")
    st.rerun()


b1, b2, b3 = st.columns(3)
if b1.button("Accept the model's themes", key="review_accept", shortcut="a"):
    _decide(row["themes"])
if b2.button("Save my themes", key="review_save", type="primary", shortcut="s"):
    if checked and other:
        st.error(f"Choose themes or {OTHER}, not both.")
    elif not checked and not other:
        st.error(f"Tick at least one theme, or {OTHER}.")
    else:
        _decide(";".join(checked) if checked else OTHER)
if b3.button("Skip", key="review_skip", shortcut="k"):
    skipped.add(fid)
    st.rerun()
st.caption("Shortcuts: A accept, S save, K skip.")
