"""Batch: upload reports, get every finding with themes, confidence and nearest precedent."""
import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import csv_download, escape_markdown, model
from classifier.segment import MAX_BYTES, SUPPORTED

st.title("Classify reports")
st.caption(f"Accepted: {', '.join(SUPPORTED)}; up to {MAX_BYTES // 2**20} MB per file. "
           "A file that cannot be read is reported and the others still run.")
uploads = st.file_uploader("Reports", accept_multiple_files=True, key="uploads",
                           type=[s.lstrip(".") for s in SUPPORTED])
add = st.checkbox("Add the findings to history", key="add_history")

if st.button("Classify", type="primary", key="classify") and uploads:
    from classifier.classify import classify_uploads

    model()
    progress = st.progress(0.0, text="Reading reports…")
    st.session_state["batch"] = classify_uploads(
        [(u.name, u.getvalue()) for u in uploads], add_to_history=add,
        on_progress=lambda done, total, name: progress.progress(
            done / total, text=f"{done}/{total}: {name}"))

if "batch" in st.session_state:
    frame, failures, added = st.session_state["batch"]
    for name, reason in failures:
        st.error(escape_markdown(f"{name}: {reason}"))
    if len(frame):
        st.success(f"{len(frame)} findings from {frame['source_file'].nunique()} file(s)"
                   + (f"; {added[0]} added to history ({added[1]} file(s) already there)"
                      if st.session_state.get("add_history") else ""))
        counts = frame.assign(theme=frame["themes"].str.split(";")).explode("theme")
        chart = alt.Chart(counts).mark_bar().encode(x="count():Q", y=alt.Y("theme:N", sort="-x"),
                                                   color="source_file:N")
        st.altair_chart(chart.properties(height=200), width="stretch")
        cols = ["source_file", "location", "section", "kind", "text", "themes", "needs_review",
                "nearest_area", "nearest_part", "nearest_similarity"]
        st.dataframe(frame[cols], hide_index=True, width="stretch", key="batch_table")
        csv_download(frame, "findings.csv", key="dl-batch-csv")
        st.download_button("Download JSON", frame.to_json(orient="records", lines=True),
                           file_name="findings.jsonl", mime="application/json", key="dl-batch-json")
