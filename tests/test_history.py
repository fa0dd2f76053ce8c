"""The inspectors' history check and the `history` commands, over the findings database."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import SOURCES, run_cli

REPORT_000 = SOURCES / "000_west_midlands_aai_summary.txt"
REPORT_002 = SOURCES / "002_london_followup_press_release_2012.txt"


def test_similar_shows_themes_evidence_and_recurrence(models_dir):
    result = run_cli("similar", "Reviews in Crown Court cases are not timely and lack a trial "
                     "strategy", "--top-k", "4", "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["themes"] == "grip"
    assert len(out["similar"]) == 4
    sims = [s["similarity"] for s in out["similar"]]
    assert sims == sorted(sims, reverse=True) and sims[0] > 0.6
    assert all(s["themes"] == "grip" for s in out["similar"][:3])  # evidence agrees
    assert all(s["date"] == "2019-10-01" and s["label_source"] == "human" for s in out["similar"])
    rec = out["recurrence"]
    assert rec["n_areas"] >= 3 and "C" in rec["parts"] and rec["years"] == [2019]


def test_similar_table_output_and_bad_input(models_dir):
    result = run_cli("similar", "The Victim Liaison Unit letters are late")
    assert result.returncode == 0 and "most similar past findings" in result.stdout
    assert run_cli("similar", "   ").returncode == 2
    assert run_cli("similar", "x", "--top-k", "0").returncode == 2


def _list(env=None) -> list[dict]:
    result = run_cli("history", "list", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_history_add_list_remove_end_to_end(models_dir, database):
    """The issue's 'done when': two dated reports in, listed, one taken out again."""
    assert [(r["id"], r["findings"], r["date"]) for r in _list()] == [(1, 216, "2019-10")]
    first = run_cli("history", "add", str(REPORT_000), "--title", "AAI West Midlands",
                    "--publisher", "HMCPSI", "--date", "2017-06-01")
    assert first.returncode == 0, first.stderr
    assert "report 2," in first.stdout and "findings added" in first.stdout
    second = run_cli("history", "add", str(REPORT_002), str(REPORT_000))
    assert second.returncode == 0, second.stderr
    assert "already stored as report 2; nothing added" in second.stdout
    reports = _list()
    assert [r["title"] for r in reports][1] == "AAI West Midlands"
    assert reports[2]["date"] == "2012-01-01" and reports[2]["publisher"] == "HMCPSI"
    assert reports[1]["findings"] > 5 and reports[2]["findings"] > 5
    gone = run_cli("history", "remove", "2")
    assert gone.returncode == 0
    assert gone.stdout.strip() == (f"removed report 2 (AAI West Midlands) and its "
                                   f"{reports[1]['findings']} findings")
    assert [r["id"] for r in _list()] == [1, 3]


@pytest.mark.parametrize("args, message", [
    (["history", "add", "missing.txt"], "file not found"),
    (["history", "add", str(REPORT_000), "--date", "2017-02-30"], "is not a date"),
    (["history", "add", str(REPORT_000), str(REPORT_002), "--title", "T"], "names one report"),
    (["history", "remove", "abc"], "must be a number"),
    (["history", "remove", "999"], "no report with id 999"),
])
def test_history_bad_input_is_one_line_exit_2_nothing_stored(models_dir, tmp_path, args,
                                                             message):
    env = {"CLASSIFIER_DATABASE_URL": f"sqlite:///{tmp_path / 'findings.db'}"}
    result = run_cli(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert len(_list(env)) == 1


def test_report_add_to_history_stores_each_file_once(models_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSIFIER_DATABASE_URL", f"sqlite:///{tmp_path / 'findings.db'}")
    out = tmp_path / "out.csv"
    first = run_cli("report", str(REPORT_000), "--output", str(out), "--add-to-history")
    assert first.returncode == 0, first.stderr
    assert "history: " in first.stderr
    rows = pd.read_csv(out)
    assert _list()[1]["findings"] == len(rows) > 5
    assert rows["nearest_report"].notna().all()
    again = run_cli("report", str(REPORT_000), "--output", str(out), "--add-to-history")
    assert "0 findings added, 1 file(s) already there" in again.stderr
    assert len(_list()) == 2
