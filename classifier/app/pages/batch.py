"""Batch: upload reports, get every finding with themes, confidence and nearest precedent."""
import streamlit as st

from classifier.access import allowed
from classifier.app.common import actor, csv_download, escape_markdown, model
from classifier.insight import charts
from classifier.ingest.segment import MAX_BYTES, SUPPORTED

st.title("Classify reports")
st.caption(f"Accepted: {', '.join(SUPPORTED)}; up to {MAX_BYTES // 2**20} MB per file. "
           "A file that cannot be read is reported and the others still run.")
uploads = st.file_uploader("Reports", accept_multiple_files=True, key="uploads",
                           type=[s.lstrip(".") for s in SUPPORTED])
add = allowed(actor(), "add_report") and st.checkbox(
    "Add the findings to the database (each file as one report)", key="add_history")


def _guess(name: str, data: bytes) -> dict:
    """Title, publisher and date guessed from the file, to pre-fill the form."""
    from classifier.ingest.reportmeta import guess_date, guess_publisher, guess_title

    text = data[:20000].decode("utf-8", errors="ignore") if not name.lower().endswith(
        (".pdf", ".docx")) else ""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return {"title": guess_title(first, name), "publisher": guess_publisher(text),
            "date": guess_date(text, name)}


meta = []
if add and uploads:
    st.write("Tell us about each report (pre-filled from the file; correct what is wrong).")
    for i, upload in enumerate(uploads):
        guess = _guess(upload.name, upload.getvalue())
        with st.expander(escape_markdown(upload.name), expanded=True):
            c1, c2, c3 = st.columns([3, 1, 1])
            meta.append({
                "title": c1.text_input("Title", guess["title"], key=f"title_{i}").strip() or None,
                "publisher": c2.text_input("Publisher", guess["publisher"], key=f"pub_{i}"),
                "date": c3.date_input("Publication date", guess["date"], key=f"date_{i}",
                                      format="YYYY-MM-DD")})

if st.button("Classify", type="primary", key="classify") and uploads:
    from classifier.jobs.classify import classify_uploads

    model()
    progress = st.progress(0.0, text="Reading reports…")
    st.session_state["batch"] = classify_uploads(
        [(u.name, u.getvalue()) for u in uploads], add_to_history=add, meta=meta or None,
        actor=actor(),
        on_progress=lambda done, total, name: progress.progress(
            done / total, text=f"{done}/{total}: {name}"))

if "batch" in st.session_state:
    frame, failures, stored = st.session_state["batch"]
    for name, reason in failures:
        st.error(escape_markdown(f"{name}: {reason}"))
    for name, result in stored.reports:
        if result.existed:
            st.info(escape_markdown(f"{name}: already stored as report {result.report_id}; "
                                    "nothing added"))
    if len(frame):
        st.success(f"{len(frame)} findings from {frame['source_file'].nunique()} file(s)"
                   + (f"; {stored.added} added to the database" if stored.reports else ""))
        counts = frame.assign(theme=frame["themes"].str.split(";")).explode("theme")
        st.vega_lite_chart(counts, charts.theme_bars("source_file"), width="stretch")
        cols = ["source_file", "location", "section", "kind", "text", "themes", "needs_review",
                "nearest_report", "nearest_area", "nearest_part", "nearest_similarity"]
        st.dataframe(frame[cols], hide_index=True, width="stretch", key="batch_table")
        csv_download(frame, "findings.csv", key="dl-batch-csv")
        st.download_button("Download JSON", frame.to_json(orient="records", lines=True),
                           file_name="findings.jsonl", mime="application/json", key="dl-batch-json")
