"""Labelled data sets as DataFrames, and their hashes.

Columns (all CSV, UTF-8):

- ``findings.csv``  id, area, part, kind, number, text — report 001's Annex B.
- ``labels.csv``    id, themes, rationale — reconciled labels for findings.csv.
- ``seeds.csv``     id, source, group, location, text, themes, rationale — findings of the
  seed documents beyond Annex B: report 001's body (group ``report-001``) and seeds 000,
  002, 003, 004 (groups ``seed-000`` …).
- ``corpus.csv``    id, publication, group, location, text, themes, rationale — the restated
  corpus (``sources/corpus/``) segmented into findings (:mod:`classifier.ingest.corpus`).
- ``synthetic.csv`` id, style, text, themes, rationale — findings written by the project
  in other publications' styles (phrasings and hard negatives the real sources lack),
  labelled the same way; trained on, never shown as history.
- ``written.csv``  id, voice, text, themes, rationale — 2,085 statements written from the
  codebook alone (v2.0) in six voices; measured as training data under grouped CV and not
  trained on by default (README, "What was tried").
- ``corpus_groups.csv`` and ``sealed_groups.txt`` — which publications belong together, and
  the publication groups of the sealed test split.

Every real finding outside Annex B carries a publication ``group``: an inspection, its press
release, follow-up and responses share one, so no split puts an inspection on both sides.

``themes`` holds codebook theme ids joined by ``;`` in codebook order, or ``other``.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from classifier import paths
from classifier.codebook import Codebook, default_codebook
from classifier.errors import ClassifierError

TRAINING_FILES = ("findings.csv", "labels.csv", "seeds.csv", "corpus.csv", "synthetic.csv",
                  "corpus_groups.csv", "sealed_groups.txt")
REAL_COLUMNS = ["id", "group", "source", "location", "text", "themes", "sealed"]


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise ClassifierError(f"{path}: missing; see training_data/README.md for how it is made")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def labelled_findings(data_dir: Path | None = None) -> pd.DataFrame:
    """findings.csv joined with labels.csv: every Annex B finding with its themes."""
    data_dir = data_dir or paths.data_dir()
    findings = _read(data_dir / "findings.csv")
    labels = _read(data_dir / "labels.csv")
    missing = sorted(set(findings["id"]) - set(labels["id"]))
    if missing:
        raise ClassifierError(f"labels.csv has no label for {len(missing)} finding(s), "
                              f"e.g. {missing[0]}; label them before training")
    frame = findings.merge(labels[["id", "themes"]], on="id", how="left", validate="one_to_one")
    frame["source"] = "001_aap_composite_2019.txt"
    return frame


def _optional(name: str, data_dir: Path | None) -> pd.DataFrame:
    path = (data_dir or paths.data_dir()) / name
    return _read(path) if path.exists() else pd.DataFrame(columns=["id", "text", "themes"])


def seed_findings(data_dir: Path | None = None) -> pd.DataFrame:
    """Findings of report 001's body and of seeds 000, 002, 003, 004 (seeds.csv)."""
    return _read((data_dir or paths.data_dir()) / "seeds.csv")


def corpus_findings(data_dir: Path | None = None) -> pd.DataFrame:
    """The restated corpus's labelled findings (corpus.csv)."""
    frame = _optional("corpus.csv", data_dir)
    return frame.assign(source=frame["publication"] + ".txt") if len(frame) else frame


def synthetic_findings(data_dir: Path | None = None) -> pd.DataFrame:
    """Findings the project wrote in other styles (synthetic.csv)."""
    return _optional("synthetic.csv", data_dir)


def written_findings(data_dir: Path | None = None) -> pd.DataFrame:
    """Statements written from the codebook v2.0 alone (written.csv): not trained on."""
    return _optional("written.csv", data_dir)


def real_findings(data_dir: Path | None = None) -> pd.DataFrame:
    """Every real labelled finding beyond Annex B, with its publication group and whether
    that group is in the sealed test split (REAL_COLUMNS)."""
    from classifier.ingest.corpus import sealed_groups

    frame = pd.concat([seed_findings(data_dir), corpus_findings(data_dir)], ignore_index=True)
    frame["sealed"] = frame["group"].isin(sealed_groups(data_dir))
    return frame[REAL_COLUMNS]


def training_set(data_dir: Path | None = None) -> pd.DataFrame:
    """Everything the production model is trained on: Annex B, every real finding beyond it
    (the sealed split too, once it has been scored) and the written findings."""
    cols = ["id", "text", "themes", "source"]
    main = labelled_findings(data_dir)
    real = real_findings(data_dir)
    synthetic = synthetic_findings(data_dir).assign(source="synthetic.csv")
    return pd.concat([main[cols], real[cols], synthetic[cols]], ignore_index=True)


def label_matrix(themes: pd.Series, codebook: Codebook | None = None) -> np.ndarray:
    """(n_samples, n_themes) 0/1 matrix from a ``themes`` column."""
    codebook = codebook or default_codebook()
    Y = np.zeros((len(themes), len(codebook.ids)), dtype=int)
    for i, value in enumerate(themes):
        for t in codebook.parse(value):
            Y[i, codebook.ids.index(t)] = 1
    return Y


def training_data_hash(data_dir: Path | None = None) -> str:
    """SHA-256 over the training files (name + bytes), so any label edit changes it."""
    data_dir = data_dir or paths.data_dir()
    digest = hashlib.sha256()
    for name in TRAINING_FILES:
        path = data_dir / name
        if path.exists():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
