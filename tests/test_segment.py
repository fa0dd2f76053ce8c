"""Whole reports in, findings out: the seed documents and every supported format."""
from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from classifier.ingest.segment import segment_file, segment_text
from tests.conftest import SOURCES, run_cli

LONDON = SOURCES / "002_london_followup_press_release_2012.txt"
WEST_MIDLANDS = SOURCES / "000_west_midlands_aai_summary.txt"


def test_london_followup_has_its_14_recommendations():
    findings = segment_file(LONDON)
    recs = findings[findings["kind"] == "recommendation"]
    assert len(recs) == 14
    assert recs.iloc[0]["text"].startswith("The senior management team should ensure that cases")
    assert all(len(t) > 60 for t in recs["text"])
    assert not findings["text"].str.contains("Achieved|Embargoed").any()


def test_west_midlands_findings_are_found_and_themed(models_dir, tmp_path):
    out = tmp_path / "wm.csv"
    result = run_cli("report", str(WEST_MIDLANDS), "--output", str(out))
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(out, keep_default_na=False)
    assert len(got) >= 12
    by_text = dict(zip(got["text"], got["themes"]))
    letters = next(t for t in by_text if "timeliness of letters" in t)
    assert "victim_letters" in by_text[letters]
    grip = next(t for t in by_text if "initial reviews" in t)
    assert "grip" in by_text[grip]
    partners = next(t for t in by_text if "working relationship with criminal justice" in t)
    assert "engagement" in by_text[partners]
    assert {"source_file", "location", "section", "kind", "nearest_area", "nearest_part",
            "nearest_similarity", "p_grip"} <= set(got.columns)


@pytest.mark.parametrize("name, share", [("003_hmic_peel_west_midlands_2014.txt", 0.8),
                                         ("004_west_midlands_pcc_evidence_2022.txt", 0.5)])
def test_out_of_domain_documents_are_mostly_other(models_dir, tmp_path, name, share):
    out = tmp_path / "o.csv"
    result = run_cli("report", str(SOURCES / name), "--output", str(out))
    assert result.returncode == 0, result.stderr
    themes = pd.read_csv(out, keep_default_na=False)["themes"]
    assert len(themes) >= 20
    # police and PCC texts: another body's work. The PCC's partnership passages are often
    # called engagement since the whose-work flags went (README, known limitations)
    assert (themes == "other").mean() > share


FINDINGS = [
    "The Area must ensure that disclosure record sheets are completed in every case.",
    "Letters to victims are sent on time and are of a high standard throughout the Area.",
    "Senior managers engage well with staff and hold regular team meetings at every site.",
]


def _make_pdf(path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "Issues to address")
    pdf.ln(4)
    for i, text in enumerate(FINDINGS, 1):
        pdf.multi_cell(0, 6, f"{i}. {text}")
        pdf.ln(2)
    pdf.output(str(path))


def _make_docx(path):
    from docx import Document

    doc = Document()
    doc.add_heading("Issues to address", level=2)
    for text in FINDINGS:
        doc.add_paragraph(text, style="List Number")
    doc.save(str(path))


def _make_html(path):
    items = "".join(f"<li>{t}</li>" for t in FINDINGS)
    path.write_text(f"<html><head><script>alert('x')</script><style>p{{}}</style></head><body>"
                    f"<nav>Home | Reports</nav><h2>Issues to address</h2><ul>{items}</ul>"
                    f"<footer>Crown copyright</footer></body></html>")


def _make_txt(path):
    path.write_text("Issues to address\n\n" + "\n".join(f"- {t}" for t in FINDINGS) + "\n")


@pytest.mark.parametrize("make, suffix", [(_make_pdf, ".pdf"), (_make_docx, ".docx"),
                                          (_make_html, ".html"), (_make_txt, ".md")])
def test_formats_round_trip_to_the_same_findings(tmp_path, make, suffix):
    path = tmp_path / f"report{suffix}"
    make(path)
    got = segment_file(path)
    assert got["text"].tolist() == FINDINGS
    assert set(got["kind"]) == {"issue"}
    assert (got["section"] == "Issues to address").all()


def test_contents_page_numbers_and_running_headers_are_dropped():
    page = ("HMCPSI report on CPS Somewhere\n\nContents\n\nIntroduction ........ 3\n\n"
            "The Area must improve the timeliness of its initial reviews in all cases.\n\n7\n\n")
    text = page * 4
    got = segment_text(text)
    assert "The Area must improve the timeliness of its initial reviews in all cases." in \
        got["text"].tolist()
    assert not got["text"].str.contains(r"\.\.\.\.|^7$").any()


@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", b"", "file is empty"),
    ("binary.txt", b"\x00\x01\x02\x03" * 100, "binary"),
    ("notes.rtf", b"{\\rtf1 hello}", "unsupported file type"),
    ("latin.txt", b"The Area\xe9s reviews are late and must improve at once.", "not valid UTF-8"),
    ("broken.pdf", b"%PDF-1.4\n garbage without xref", "PDF"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable DOCX"),
])
def test_bad_files_fail_alone_with_a_reason(models_dir, tmp_path, name, content, message):
    bad = tmp_path / name
    bad.write_bytes(content)
    out = tmp_path / "out.csv"
    result = run_cli("report", str(bad), str(LONDON), "--output", str(out))
    assert result.returncode == 1  # something failed ...
    assert f"error: {name}: " in result.stderr and message in result.stderr
    got = pd.read_csv(out)  # ... but the good file's findings are all written
    assert set(got["source_file"]) == {LONDON.name} and len(got) >= 14


def test_scanned_pdf_without_text_layer(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    from classifier.errors import InputError

    with pytest.raises(InputError, match="no text layer"):
        segment_file(path)


def test_docx_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"\0" * (1100 * 2**20))
    from classifier.errors import InputError

    with pytest.raises(InputError, match="zip bomb"):
        segment_file(path)


def test_missing_file_and_all_failing_means_no_output(models_dir, tmp_path):
    out = tmp_path / "out.csv"
    result = run_cli("report", str(tmp_path / "nope.txt"), "--output", str(out))
    assert result.returncode == 1 and "nope.txt: file not found" in result.stderr
    assert not out.exists()


def test_csv_reports_use_their_text_column(models_dir, tmp_path):
    src = tmp_path / "f.csv"
    pd.DataFrame({"finding": FINDINGS}).to_csv(src, index=False)
    out = tmp_path / "out.json"
    result = run_cli("report", str(src), "--output", str(out), "--text-column", "finding")
    assert result.returncode == 0, result.stderr
    rows = pd.read_json(out, lines=True)
    assert rows["text"].tolist() == FINDINGS
    assert "disclosure" in rows.loc[0, "themes"]
