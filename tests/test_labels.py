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
LABELLED = ["labels.csv", "synthetic.csv", "written.csv", "seeds.csv", "corpus.csv"]


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


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_seed_findings_cite_their_line_in_a_bundled_source():
    frame = pd.read_csv(DATA / "seeds.csv", dtype=str, keep_default_na=False)
    for row in frame.itertuples():
        lines = (DATA / "sources" / row.source).read_text(encoding="utf-8").splitlines()
        n = int(re.fullmatch(r"line (\d+)", row.location).group(1))
        assert _words(row.text)[:4] == _words(lines[n - 1])[:4] or \
            " ".join(_words(row.text)[:4]) in " ".join(_words(" ".join(lines[n - 1:n + 3]))), row.id


def test_corpus_findings_are_the_segmented_restated_corpus():
    """corpus.csv holds exactly the segmenter's findings of the restated publications, each
    citing its file and line, with its publication group."""
    from classifier.ingest.corpus import corpus_items

    items = corpus_items(DATA)
    labelled = pd.read_csv(DATA / "corpus.csv", dtype=str, keep_default_na=False)
    assert len(labelled) >= 500
    assert labelled[["id", "publication", "group", "location", "text"]].to_dict("records") == \
        items[["id", "publication", "group", "location", "text"]].to_dict("records")
    for row in labelled.sample(50, random_state=0).itertuples():
        lines = (DATA / "sources" / "corpus" / f"{row.publication}.txt").read_text().splitlines()
        n = int(row.location.split()[-1])
        assert " ".join(_words(row.text)[:5]) in " ".join(_words(" ".join(lines[n - 1:n + 1]))), row.id


def test_corpus_files_are_restated_not_copied():
    """Text from outside the seed documents enters the project only in restated form."""
    from classifier.ingest.corpus import read_publication

    files = sorted((DATA / "sources" / "corpus").glob("[0-9]*.txt"))
    assert len(files) == 176
    for path in files:
        header, body = read_publication(path)
        assert header["source"].startswith("http"), path.name
        assert {"title", "date", "publisher", "kind"} <= set(header), path.name
        assert "restated" in header["text"] and "wording new" in header["text"], path.name
        assert body.strip(), path.name


def test_groups_cover_the_corpus_and_the_sealed_split_is_drawn():
    from classifier.ingest.corpus import publication_groups, sealed_groups

    groups = publication_groups(DATA)
    files = sorted(p.stem for p in (DATA / "sources" / "corpus").glob("[0-9]*.txt"))
    assert sorted(groups["publication"]) == files
    sealed = sealed_groups(DATA)
    assert len(sealed) == len(set(sealed)) == 25
    # the draw is the documented one: same seed, same groups, only groups of files 201+
    import random
    first = groups.groupby("group")["publication"].apply(lambda p: p.astype(int).min())
    new_only = sorted(first[first >= 201].index)
    assert sorted(random.Random(20261204).sample(new_only, 25)) == sealed


def test_real_findings_do_not_repeat_the_training_report():
    annex_b = set(pd.read_csv(DATA / "findings.csv")["text"])
    real = pd.concat([pd.read_csv(DATA / name) for name in ("seeds.csv", "corpus.csv")])
    assert not annex_b & set(real["text"])
    assert real["id"].is_unique


def _shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_synthetic_findings_share_no_wording_with_real_findings():
    """The written findings must not leak held-out material: no run of 8 words in common
    with any real finding outside Annex B."""
    real = pd.concat([pd.read_csv(DATA / name) for name in ("seeds.csv", "corpus.csv")])
    held_out = set().union(*(_shingles(t) for t in real["text"]))
    synthetic = pd.concat([pd.read_csv(DATA / name, dtype=str, keep_default_na=False)
                           for name in ("synthetic.csv", "written.csv")])
    assert len(synthetic) >= 2000
    leaked = [row.id for row in synthetic.itertuples() if _shingles(row.text) & held_out]
    assert not leaked


# Each labelled file is its labelling rounds replayed: both passes of every batch that made it,
# the reconciler's decisions, then the codebook v2.0 relabelling round over the findings whose
# label the old "whose work" rule could have decided.
ROUNDS = {"labels.csv": ["train"], "seeds.csv": ["seeds"], "corpus.csv": ["corpus", "corpus2"],
          "synthetic.csv": ["synth"], "written.csv": ["written1", "written2", "written3"],
          "labelling/synth2_labelled.csv": ["synth2"]}
RELABELLED = ["labels.csv", "seeds.csv", "corpus.csv", "synthetic.csv"]


def _replayed(batches: list[str], relabel: bool) -> dict[str, str]:
    cb = default_codebook()

    def themes(batch, name):
        path = DATA / "labelling" / f"{batch}_{name}.csv"
        return pd.read_csv(path, dtype=str, keep_default_na=False).set_index("id")["themes"]

    same = lambda x, y: cb.format(cb.parse(x)) == cb.format(cb.parse(y))  # noqa: E731
    expected = {}
    for batch in batches + (["v2_relabel"] if relabel else []):
        a, b, decided = themes(batch, "pass_a"), themes(batch, "pass_b"), themes(batch, "decisions")
        # every disagreement has a decision; a decision may also overrule an agreed label
        assert all(i in decided.index for i in a.index if not same(a[i], b[i])), batch
        round_ = {i: cb.format(cb.parse(decided[i] if i in decided.index else a[i]))
                  for i in a.index}
        if batch == "v2_relabel":  # one round over all files: it relabels, never adds
            round_ = {i: v for i, v in round_.items() if i in expected}
        expected.update(round_)
    return expected


@pytest.mark.parametrize("merged", sorted(ROUNDS))
def test_labels_are_the_labelling_rounds_replayed(merged):
    expected = _replayed(ROUNDS[merged], relabel=merged in RELABELLED)
    got = pd.read_csv(DATA / merged, dtype=str, keep_default_na=False).set_index("id")["themes"]
    assert expected == got.to_dict()


def test_real_findings_have_every_theme_and_out_of_domain_material():
    cb = default_codebook()
    real = pd.concat([pd.read_csv(DATA / name, dtype=str, keep_default_na=False)
                      for name in ("seeds.csv", "corpus.csv")])
    for theme in cb.ids:
        assert real["themes"].str.contains(theme).sum() >= 10, theme
    # the police and PCC texts (HMIC, PCC evidence) are mostly about other things; under codebook
    # v2.0 their partnership work is engagement, whoever does it
    police = real[real["group"].isin(["seed-003", "seed-004"])]
    assert len(police) >= 40
    assert 0.6 < (police["themes"] == OTHER).mean() < 0.9
    assert (police["themes"] == "engagement").sum() >= 5


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
    from classifier.evaluation.agreement import agreement_report

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
