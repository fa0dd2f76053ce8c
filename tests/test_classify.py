"""The trained model on real findings, and the classify CLI on users' CSVs."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli

UNAMBIGUOUS = {
    "disclosure": "Prosecutors must complete disclosure record sheets and ask the police to "
                  "correct defective unused material schedules.",
    "grip": "Initial reviews in magistrates' courts cases are often late and case progression "
            "after the first hearing lacks grip.",
    "victim_letters": "Letters to victims under the Victim Communication and Liaison scheme are "
                      "late and lack empathy.",
    "police_file_quality": "Police files submitted to the CPS do not meet the National File "
                           "Standard and file quality is not monitored.",
    "engagement": "Senior managers are visible and engage well with staff through regular team "
                  "meetings and a clear vision for the Area.",
}


@pytest.mark.parametrize("theme", list(UNAMBIGUOUS))
def test_unambiguous_finding_gets_its_theme(model, theme):
    out = model.classify([UNAMBIGUOUS[theme]])
    assert out.loc[0, "themes"].split(";")[0] == theme or theme in out.loc[0, "themes"]
    assert out.loc[0, f"p_{theme}"] == max(out.loc[0, [f"p_{t}" for t in UNAMBIGUOUS]])


def test_out_of_scope_finding_is_other(model):
    out = model.classify(["The Area has overspent its budget and must reduce its reliance on "
                          "agents in the magistrates' courts."])
    assert out.loc[0, "themes"] == "other"


def test_same_input_same_output(model, models_dir, tmp_path):
    from classifier.jobs.training import train_and_save

    first = model.classify(list(UNAMBIGUOUS.values()))
    again = model.classify(list(UNAMBIGUOUS.values()))
    pd.testing.assert_frame_equal(first, again)
    retrained = train_and_save(tmp_path / "m2", model.embedder, with_metrics=False)
    assert np.allclose(retrained.thresholds_, model.thresholds_)
    # the needs_review rule is learnt from the grouped CV, which with_metrics=False skips
    assert getattr(retrained, "review_rule_", None) is None
    retrained.review_rule_ = model.review_rule_
    pd.testing.assert_frame_equal(retrained.classify(list(UNAMBIGUOUS.values())), first)


def test_cli_csv_keeps_every_row_in_order(models_dir, tmp_path):
    rows = pd.DataFrame({"ref": ["r3", "r1", "r2", "r4"],
                         "finding": [UNAMBIGUOUS["grip"], "", UNAMBIGUOUS["disclosure"],
                                     "=HYPERLINK(\"x\") engagement with partners is weak"]})
    src = tmp_path / "in.csv"
    rows.to_csv(src, index=False)
    out = tmp_path / "out.csv"
    result = run_cli("classify", str(src), "--text-column", "finding", "--id-column", "ref",
                     "--output", str(out))
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["ref"].tolist() == ["r3", "r1", "r2", "r4"]
    assert got.loc[1, "flag"] == "empty_text" and got.loc[1, "themes"] == ""
    assert "grip" in got.loc[0, "themes"] and "disclosure" in got.loc[2, "themes"]
    assert got.loc[3, "finding"].startswith("'=")  # spreadsheet formula neutralised
    assert {"p_grip", "needs_review", "model_version"} <= set(got.columns)


def test_cli_json_lines_and_single_text(models_dir, tmp_path):
    result = run_cli("classify", "--text", UNAMBIGUOUS["victim_letters"], "--format", "json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout.splitlines()[0])
    assert record["themes"] == "victim_letters"
    piped = run_cli("classify", stdin=UNAMBIGUOUS["engagement"])
    assert piped.returncode == 0 and "engagement" in piped.stdout
    formula = run_cli("classify", "--text", "=1+1 " + UNAMBIGUOUS["grip"])
    assert formula.returncode == 0
    assert "'=1+1" in formula.stdout  # CSV on standard output is neutralised like a file


@pytest.mark.parametrize("setup, args, message", [
    (None, ["missing.csv"], "file not found"),
    ("text\n", ["in.csv"], "no rows"),
    ("", ["in.csv"], "file is empty"),
    ("a,b\n1,2\n", ["in.csv"], "column 'text' not found"),
    ("text\n\"unclosed quote\n", ["in.csv"], "not a readable CSV"),
    (b"text\ncaf\xe9\n", ["in.csv"], "not valid UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", ["in.csv"], "binary"),
    ("text\nok finding here\n", ["in.csv", "--id-column", "nope"], "column 'nope' not found"),
])
def test_cli_bad_input_one_line_exit_2_output_untouched(models_dir, tmp_path, setup, args, message):
    if setup is not None:
        path = tmp_path / "in.csv"
        path.write_bytes(setup if isinstance(setup, bytes) else setup.encode())
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in args]
    result = run_cli("classify", *args, "--output", str(out))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_text() == "precious\n"


def test_every_command_has_help():
    for command in ["extract", "train", "evaluate", "classify", "similar", "report", "history"]:
        result = run_cli(command, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout, command
