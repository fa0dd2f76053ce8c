"""Extraction of report 001's Annex B, validated against the report's own numbers."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from classifier.ingest.areas import AREAS
from classifier.ingest.extract import FINDING_COLUMNS, clean_text

EXPECTED = {
    ("good_practice", "A"): 6, ("good_practice", "B"): 13, ("good_practice", "C"): 7,
    ("good_practice", "D"): 4,
    ("issue", "A"): 16, ("issue", "B"): 23, ("issue", "C"): 70, ("issue", "D"): 26,
    ("strength", "A"): 23, ("strength", "B"): 14, ("strength", "C"): 5, ("strength", "D"): 9,
}


def test_counts_per_kind_and_part(extraction):
    frame = extraction.findings_frame()
    assert len(frame) == 216
    assert frame.groupby(["kind", "part"]).size().to_dict() == EXPECTED


def test_columns_ids_and_areas(extraction):
    frame = extraction.findings_frame()
    assert list(frame.columns) == FINDING_COLUMNS
    assert frame["id"].is_unique
    assert sorted(frame["area"].unique()) == sorted(AREAS)
    assert set(frame["kind"]) == {"issue", "strength", "good_practice"}


def test_texts_are_clean(extraction):
    for text in extraction.findings_frame()["text"]:
        assert "<" not in text and ">" not in text, text
        assert "\t" not in text and "•" not in text, text
        assert "Annexes –" not in text and "composite report" not in text, text
        assert text == text.strip() and "  " not in text
        assert len(text) > 20


def test_quirks_handled(extraction):
    by_id = extraction.findings_frame().set_index("id")["text"]
    # the row continued on a later line starting with two tabs
    assert by_id["west-midlands-B-issue-03"].endswith("agent spend and use of external counsel.")
    # HTML list items kept as separate clauses
    assert by_id["south-east-C-issue-09"] == (
        "Legal managers must ensure: police are asked to rectify defective unused material "
        "schedules; there is quality assurance of disclosure record sheets; full compliance "
        "with the prosecution's disclosure obligations.")
    # the Part D strength right after the running page header is still there, in Part D
    assert "london-south-D-strength-03" in by_id.index


def test_gap_warning_names_the_missing_items(extraction):
    text = "\n".join(extraction.warnings)
    assert "Mersey-Cheshire issues 7–8 missing (Part C)" in text
    assert "North East issues 8–10 missing (Part C)" in text
    assert "Part C issues: the report states 75, Annex B holds 70" in text
    assert len(extraction.warnings) == 3  # nothing else is off


def test_stated_counts_read_from_body(extraction):
    assert extraction.stated_counts[("issue", "C")] == 75
    assert extraction.stated_counts[("strength", "A")] == 23
    assert len(extraction.stated_counts) == 12


def test_ratings_complete(extraction):
    ratings = extraction.ratings_frame()
    assert set(ratings["area"]) <= set(AREAS)
    per_part = ratings.groupby("part")["area"].nunique().to_dict()
    assert per_part == {"A": 12, "B": 12, "C": 14, "D": 12}
    criteria = ratings.groupby("part")["criterion"].nunique().to_dict()
    assert criteria == {"A": 4, "B": 4, "C": 5, "D": 4}
    assert len(ratings) == 12 * 4 + 12 * 4 + 14 * 5 + 12 * 4
    assert not ratings.duplicated(["area", "part", "criterion"]).any()
    assert set(ratings["rating"]) <= {"Excellent", "Good", "Fair", "Poor"}
    row = ratings[(ratings.area == "Mersey-Cheshire") & (ratings.part == "B")]
    assert row.set_index("criterion")["rating"]["B2: Resource management"] == "Excellent"


def test_clean_text_handles_li_items():
    assert clean_text("<p>Do:</p><ul><li>one</li><li>two</li></ul>") == "Do: one; two"


def _run_extract(*args):
    return subprocess.run([sys.executable, "-m", "classifier", "extract", *args],
                          capture_output=True, text=True)


def test_cli_is_byte_identical_to_committed_files(tmp_path):
    result = _run_extract("--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    from classifier import paths
    for name in ("findings.csv", "area_ratings.csv"):
        assert (tmp_path / name).read_bytes() == (paths.data_dir() / name).read_bytes(), name
    assert "216 findings" in result.stdout
    assert "North East issues 8–10" in result.stderr


@pytest.mark.parametrize("content, message", [
    (b"", "file is empty"),
    (b"\x7fELF\x02\x01\x00\x00binary\x00\x00", "binary"),
    ("Just a memo.\nNothing like an inspection report.\n".encode(), "Annex B"),
    (b"\xff\xfeA\x00n\x00", "Annex B"),
    (b"caf\xe9 latin-1 text\n", "UTF-8"),
])
def test_bad_input_leaves_existing_output_untouched(tmp_path, content, message):
    source = tmp_path / "bad.txt"
    source.write_bytes(content)
    existing = tmp_path / "findings.csv"
    existing.write_text("keep me\n")
    result = _run_extract("--source", str(source), "--output-dir", str(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert existing.read_text() == "keep me\n"
    assert not (tmp_path / "area_ratings.csv").exists()


def test_missing_source_is_one_line_error(tmp_path):
    result = _run_extract("--source", str(tmp_path / "nope.txt"), "--output-dir", str(tmp_path))
    assert result.returncode == 2 and "file not found" in result.stderr


def test_committed_findings_match_extraction(extraction):
    from classifier import paths
    committed = pd.read_csv(paths.findings_csv())
    assert committed["id"].tolist() == extraction.findings_frame()["id"].tolist()
