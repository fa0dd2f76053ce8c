"""Batch: upload reports, get every finding with themes, confidence and nearest precedent."""
import tempfile
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import csv_download, model
from classifier.segment import MAX_BYTES, SUPPORTED

st.title("Classify reports")
st.caption(f"Accepted: {', '.join(SUPPORTED)}; up to {MAX_BYTES // 2**20} MB per file. "
           "A file that cannot be read is reported and the others still run.")
uploads = st.file_uploader("Reports", accept_multiple_files=True, key="uploads",
                           type=[s.lstrip(".") for s in SUPPORTED])
add = st.checkbox("Add the findings to history", key="add_history")

if st.button("Classify", type="primary", key="classify") and uploads:
    from classifier.classify import classify_reports

    model()
    progress = st.progress(0.0, text="Reading reports…")
    frames, failures, added_total = [], [], [0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        for i, upload in enumerate(uploads):
            name = Path(upload.name).name  # never trust a path in an upload's name
            if upload.size > MAX_BYTES:
                failures.append((name, f"file is over the {MAX_BYTES // 2**20} MB limit"))
                continue
            path = Path(tmp) / f"{i}{Path(name).suffix.lower()}"
            path.write_bytes(upload.getvalue())
            frame, fails, added = classify_reports([path], names=[name], add_to_history=add)
            frames.append(frame)
            failures += fails
            added_total = [added_total[0] + added[0], added_total[1] + added[1]]
            progress.progress((i + 1) / len(uploads), text=f"{i + 1}/{len(uploads)}: {name}")
    st.session_state["batch"] = (pd.concat(frames, ignore_index=True) if frames else
                                 pd.DataFrame(), failures, added_total)

if "batch" in st.session_state:
    frame, failures, added = st.session_state["batch"]
    for name, reason in failures:
        st.error(f"{name}: {reason}")
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
