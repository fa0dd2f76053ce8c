"""Hostile and malformed input: every case ends in findings or a clean one-line error."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.jobs.classify import classify_csv_file, classify_uploads, safe_name
from classifier.errors import ClassifierError, InputError
from classifier.ingest.extract import extract_text
from classifier.fileio import neutralise_formulas, read_csv
from classifier.ingest.segment import segment_file, segment_text

FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]
text_like = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=3000)


@FUZZ
@given(text_like)
def test_extractor_never_crashes(text):
    try:
        result = extract_text(text)
    except ClassifierError:
        return
    assert result.findings  # a result always holds findings


@FUZZ
@given(st.lists(st.sampled_from(["Annex B", "Issues to address", "Part C: x", "Strengths",
                                 "East Midlands\t1\tThe Area must act.", "\t\tcontinued",
                                 "Nowhere\t2\tUnknown Area", "Annex C", "", "<p>html</p>"]),
                max_size=40))
def test_extractor_on_near_miss_layouts(lines):
    try:
        extract_text("\n".join(lines))
    except ClassifierError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(text_like)
def test_segmenter_never_crashes_on_text(text):
    frame = segment_text(text)
    assert list(frame.columns) == ["location", "section", "kind", "text"]
    assert all(len(t) >= 40 for t in frame["text"])


@FUZZ
@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".txt", ".md", ".html", ".csv",
                                                               ".pdf", ".docx"]))
def test_segmenter_on_random_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    path.write_bytes(data)
    start = time.perf_counter()
    try:
        segment_file(path)
    except InputError as exc:
        assert "\n" not in str(exc)
    assert time.perf_counter() - start < 5


@FUZZ
@given(text=text_like, encoding=st.sampled_from(ENCODINGS))
def test_csv_reader_with_mixed_encodings(tmp_path_factory, text, encoding):
    try:
        data = ("text\n" + text).encode(encoding)
    except UnicodeEncodeError:
        return
    path = tmp_path_factory.mktemp("csv") / "in.csv"
    path.write_bytes(data)
    try:
        frame = read_csv(path)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(frame, pd.DataFrame)


def test_very_long_line_without_breaks_is_bounded(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(("The Area must improve the timeliness of reviews. " * 40000).strip())
    start = time.perf_counter()
    frame = segment_file(path)
    assert time.perf_counter() - start < 30
    assert len(frame) > 1000  # split into sentences, not one 2 MB finding


def test_pdf_with_thousands_of_empty_pages_is_refused(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(2500):
        writer.add_blank_page(width=200, height=200)
    path = tmp_path / "empty.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    with pytest.raises(InputError, match="2500 pages; the limit is 2000"):
        segment_file(path)


def test_pdf_with_broken_xref_table(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "The Area must ensure that disclosure record sheets are completed.")
    data = bytearray(pdf.output())
    xref = data.rfind(b"xref")
    data[xref:xref + 40] = b"x" * 40  # destroy the cross-reference table
    path = tmp_path / "broken.pdf"
    path.write_bytes(bytes(data))
    try:
        frame = segment_file(path)  # pypdf may rebuild the table ...
        assert "disclosure record sheets" in " ".join(frame["text"])
    except InputError as exc:  # ... or refuse it cleanly
        assert "PDF" in str(exc)


def test_html_scripts_and_styles_never_become_findings(tmp_path):
    evil = "<script>" + "document.cookie='stolen by a long script payload here';" * 50 + "</script>"
    path = tmp_path / "page.html"
    path.write_text(f"<html><head>{evil}<style>body{{display:none}}</style></head><body>{evil}"
                    "<p onclick=\"alert(1)\">The Area must ensure victims receive timely letters "
                    "under the scheme.</p><iframe src='x'></iframe></body></html>")
    frame = segment_file(path)
    assert frame["text"].tolist() == ["The Area must ensure victims receive timely letters under "
                                      "the scheme."]


def test_oversized_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(500 * 2**20)  # a sparse 500 MB file
    start = time.perf_counter()
    with pytest.raises(InputError, match="500 MB; the limit is 50 MB"):
        segment_file(path)
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"), ("/abs/report.pdf", "report.pdf"),
    ("..", "upload"), ("rep\x00ort\n.txt", "report.txt"), (".hidden.txt", "hidden.txt"),
])
def test_upload_names_cannot_escape(name, expected):
    assert safe_name(name) == expected


def test_uploads_one_bad_file_does_not_lose_the_others(models_dir):
    good = ("1. The Area must ensure that disclosure record sheets are completed in all cases.\n"
            "2. Letters to victims must be sent on time and show empathy.\n").encode()
    frame, failures, _ = classify_uploads([("../../good.txt", good), ("bad.pdf", b"%PDF-1.4 junk"),
                                           ("big.txt", b"x" * (51 * 2**20))])
    assert set(frame["source_file"]) == {"good.txt"} and len(frame) == 2
    assert [n for n, _ in failures] == ["bad.pdf", "big.txt"]
    assert "the limit is 50 MB" in failures[1][1]


def test_formula_cells_are_neutralised():
    frame = pd.DataFrame({"text": ["=1+1", "+SUM(A1)", "-2", "@cmd", "plain", "a=b"], "n": range(6)})
    out = neutralise_formulas(frame)
    assert out["text"].tolist() == ["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "plain", "a=b"]


def test_interrupted_batch_resumes_where_it_stopped(models_dir, tmp_path, monkeypatch):
    import classifier.jobs.classify as c

    texts = [f"The Area must improve the timeliness of initial reviews in case {i}." for i in range(10)]
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": texts}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    calls = []
    real = c.classify_frame

    def failing(frame, *args, **kwargs):
        calls.append(len(frame))
        if len(calls) == 3:
            raise KeyboardInterrupt  # the user presses Ctrl-C during the third chunk
        return real(frame, *args, **kwargs)

    monkeypatch.setattr(c, "classify_frame", failing)
    with pytest.raises(KeyboardInterrupt):
        classify_csv_file(src, out, "text", chunk_rows=3)
    assert not out.exists()
    calls.clear()
    monkeypatch.setattr(c, "classify_frame", lambda f, *a, **k: calls.append(len(f)) or real(f, *a, **k))
    assert classify_csv_file(src, out, "text", chunk_rows=3) == 10
    assert calls == [3, 1]  # only the rows not done before
    resumed = pd.read_csv(out)
    fresh = tmp_path / "fresh.csv"
    classify_csv_file(src, fresh, "text", chunk_rows=3)
    pd.testing.assert_frame_equal(resumed, pd.read_csv(fresh))
    assert not list(tmp_path.glob("*.partial*"))


def test_written_files_are_readable_like_any_user_file_and_keep_their_mode(tmp_path):
    """Atomic writes go through a private temp file; what lands is 0644, or the replaced
    file's own mode."""
    from classifier.fileio import write_text

    new = tmp_path / "brief.html"
    write_text(new, "one")
    assert new.stat().st_mode & 0o777 == 0o644
    new.chmod(0o600)
    write_text(new, "two")
    assert new.read_text() == "two" and new.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["brief.html"]  # no temp file left
