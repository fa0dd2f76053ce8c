"""Guards on the labelled data: every file is complete, consistent and uses the codebook."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from classifier.codebook import OTHER, default_codebook, load_codebook

DATA = Path(__file__).resolve().parent.parent / "training_data"
LABELLED = ["labels.csv", "extra.csv", "synthetic.csv", "devset.csv"]


def test_every_finding_has_exactly_one_label():
    findings = pd.read_csv(DATA / "findings.csv")
    labels = pd.read_csv(DATA / "labels.csv")
    assert labels["id"].is_unique
    assert set(labels["id"]) == set(findings["id"])
    assert len(labels) == 216


@pytest.mark.parametrize("name", LABELLED)
def test_only_codebook_themes_in_codebook_order(name):
    cb = default_codebook()
    frame = pd.read_csv(DATA / name, dtype=str, keep_default_na=False)
    assert frame["id"].is_unique
    for value in frame["themes"]:
        parts = value.split(";")
        assert not (OTHER in parts and len(parts) > 1), value  # other never mixed
        assert all(p in cb.ids or p == OTHER for p in parts), value
        assert value == cb.format(cb.parse(value)), value  # codebook order, no repeats


@pytest.mark.parametrize("name", ["extra.csv", "devset.csv"])
def test_other_publications_cite_a_bundled_source(name):
    frame = pd.read_csv(DATA / name, dtype=str, keep_default_na=False)
    for row in frame.itertuples():
        source = DATA / "sources" / row.source
        assert source.exists(), row.source
        assert re.fullmatch(r"line \d+", row.location)
        assert len(row.text) > 20


def test_devset_is_disjoint_from_training():
    train = set(pd.read_csv(DATA / "findings.csv")["text"]) | set(pd.read_csv(DATA / "extra.csv")["text"])
    dev = set(pd.read_csv(DATA / "devset.csv")["text"])
    assert not train & dev
    sources = set(pd.read_csv(DATA / "devset.csv")["source"])
    assert not sources & set(pd.read_csv(DATA / "extra.csv")["source"])


def _shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_synthetic_findings_share_no_wording_with_the_devset():
    """The written findings must not leak the development set: no run of 8 words in common."""
    dev = set().union(*(_shingles(t) for t in pd.read_csv(DATA / "devset.csv")["text"]))
    synthetic = pd.read_csv(DATA / "synthetic.csv", dtype=str, keep_default_na=False)
    assert len(synthetic) >= 200
    leaked = [row.id for row in synthetic.itertuples() if _shingles(row.text) & dev]
    assert not leaked


@pytest.mark.parametrize("batch, merged", [("synth", "synthetic.csv"),
                                           ("synth2", "labelling/synth2_labelled.csv")])
def test_written_findings_follow_both_passes_and_the_decisions(batch, merged):
    cb = default_codebook()

    def themes(name):
        path = DATA / "labelling" / f"{batch}_{name}.csv"
        return pd.read_csv(path, dtype=str, keep_default_na=False).set_index("id")["themes"]

    a, b, decided = themes("pass_a"), themes("pass_b"), themes("decisions")
    expected = {i: a[i] if cb.format(cb.parse(a[i])) == cb.format(cb.parse(b[i])) else decided[i]
                for i in a.index}
    got = pd.read_csv(DATA / merged, dtype=str, keep_default_na=False).set_index("id")["themes"]
    assert expected == got.to_dict()


def test_devset_has_every_theme_and_out_of_domain_material():
    cb = default_codebook()
    dev = pd.read_csv(DATA / "devset.csv", dtype=str, keep_default_na=False)
    for theme in cb.ids:
        assert dev["themes"].str.contains(theme).sum() >= 12, theme
    police = dev[dev["source"].str.startswith(("003", "004"))]
    assert len(police) >= 40
    assert (police["themes"] == OTHER).mean() > 0.8


def test_codebook_json_matches_markdown():
    cb = load_codebook()
    markdown = (DATA / "codebook.md").read_text()
    headings = re.findall(r"^## (\w+)$", markdown, flags=re.M)
    assert [h for h in headings if h != "other"] == cb.ids


def test_agreement_script_reports_real_figures(tmp_path):
    out = tmp_path / "agreement.json"
    result = subprocess.run([sys.executable, "scripts/label_agreement.py",
                             str(DATA / "labelling/train_pass_a.csv"),
                             str(DATA / "labelling/train_pass_b.csv"), "--json", str(out)],
                            capture_output=True, text=True, cwd=DATA.parent)
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert figures["n"] == 216
    kappas = {row["theme"]: row["kappa"] for row in figures["per_theme"]}
    assert kappas["disclosure"] == pytest.approx(1.0)
    assert 0.9 < kappas["macro (5 themes)"] < 1.0
    assert "disagreements:" in result.stdout
    assert "west-midlands-B-issue-04" in result.stdout  # a listed disagreement


def test_agreement_detects_disagreement():
    from classifier.agreement import agreement_report

    a = pd.DataFrame({"id": ["1", "2", "3", "4"], "themes": ["grip", "other", "disclosure", "grip"]})
    b = pd.DataFrame({"id": ["1", "2", "3", "4"], "themes": ["grip", "grip", "disclosure", "other"]})
    report = agreement_report(a, b)
    grip = report.table.set_index("theme").loc["grip"]
    assert grip["percent_agreement"] == pytest.approx(50.0)
    assert list(report.disagreements["id"]) == ["2", "4"]


def test_agreement_script_bad_input(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,labels\n1,grip\n")
    result = subprocess.run([sys.executable, "scripts/label_agreement.py", str(bad), str(bad)],
                            capture_output=True, text=True, cwd=DATA.parent)
    assert result.returncode == 2
    assert "needs columns id and themes" in result.stderr


def test_reconciled_labels_follow_the_decisions_file():
    labels = pd.read_csv(DATA / "labels.csv", keep_default_na=False).set_index("id")
    decisions = pd.read_csv(DATA / "labelling/train_decisions.csv").set_index("id")
    for i, row in decisions.iterrows():
        assert labels.at[i, "themes"] == row["themes"]
