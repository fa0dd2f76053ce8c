"""One-off loading: a new database's history (report 001's labelled Annex B and every
restated publication), and the retired history store.

Loading runs in one write transaction that first checks the flag in ``store_state``, so two
processes opening a fresh database at once load it exactly once, and a crash leaves all or
nothing. None of it needs the model: vectors are added by whoever has the embedder
(``classify.ensure_embeddings``: the app before it serves, ``history seed`` at once).
``CLASSIFIER_SEED_HISTORY`` says what a new database gets: 1 (default) everything,
``report-001`` Annex B only, 0 nothing.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from classifier import paths
from classifier.errors import ClassifierError
from classifier.store.records import HUMAN, MODEL, ReportMeta
from classifier.store.store import FindingsStore

log = logging.getLogger(__name__)
REPORT_001 = ReportMeta(
    title="Area Assurance Programme composite report, Annex B",
    publisher="HMCPSI", published=date(2019, 10, 1), kind="report",
    file_name="001_aap_composite_2019.txt", content_hash="", date_precision="month",
    inspection="report-001",
    description="HMCPSI Area Assurance Programme composite report: findings from the full "
                "AAP 2016-17 to 2018-19 (Annex B, the Areas' issues and strengths)")
LEGACY_DIR = "history"
SEED_ENV = "CLASSIFIER_SEED_HISTORY"
MODES = {"all": ("", "1", "all", "true", "yes"), "report-001": ("report-001", "report001"),
         "none": ("0", "none", "false", "no", "empty")}


@dataclass
class SeedOutcome:
    """What seeding the history did."""

    reports: int  # publications added
    findings: int  # their findings
    skipped: int  # publications stored before


def history_mode() -> str:
    """What a new database is given on first open (``CLASSIFIER_SEED_HISTORY``)."""
    value = os.environ.get(SEED_ENV, "").strip().lower()
    for mode, spellings in MODES.items():
        if value in spellings:
            return mode
    raise ClassifierError(f"{SEED_ENV}={value!r}: use 1 (report 001 and every restated "
                          "publication, the default), report-001 (Annex B only) or 0 (empty)")


def first_open(store: FindingsStore, models_dir: Path | None = None) -> None:
    """What a database gets when it is opened: on creation, the history the setting asks
    for (report 001 and the restated publications by default); an existing database only
    the old history store's import. Existing databases get the publications through
    ``python -m classifier history seed``, never silently."""
    if not store.state()["seeded"]:
        mode = history_mode()
        if mode == "all":
            seed_history(store, with_report_001=True)
        elif mode == "report-001":
            seed_report_001(store)
        else:
            store.mark(seeded=True)  # asked for empty: it stays empty
    if not store.state()["legacy_imported"]:
        import_legacy_history(store, models_dir)


def _report_001() -> tuple[ReportMeta, pd.DataFrame] | None:
    """Report 001's Annex B with its reconciled labels, or None (logged) if unreadable."""
    from classifier.ingest.datasets import labelled_findings

    try:
        frame = labelled_findings()
        source = paths.training_report()
        digest = hashlib.sha256(source.read_bytes()).hexdigest() if source.exists() else \
            "annex-b:" + hashlib.sha256(frame["text"].str.cat().encode()).hexdigest()[:50]
    except (ClassifierError, OSError) as exc:
        log.warning("report 001 not loaded into the database: %s", exc)
        return None
    frame = frame.assign(model_version="")
    return ReportMeta(**{**REPORT_001.__dict__, "content_hash": digest}), frame


def seed_report_001(store: FindingsStore) -> int:
    """Load findings.csv + labels.csv as a human-labelled report once; returns findings added."""
    if store.state()["seeded"]:
        return 0
    loaded = _report_001()
    if loaded is None:
        return 0
    added = store.add_reports([loaded], label_source=HUMAN, unless="seeded",
                              flags={"seeded": True})
    return sum(r.findings for r in added or [])


def seed_history(store: FindingsStore, *, with_report_001: bool = False,
                 data_dir: Path | None = None) -> SeedOutcome:
    """Store every restated publication (and the seed documents) with its reconciled labels
    as human labels, in one transaction; publications stored before are skipped. Returns
    what was added; publications with a missing or unreadable date, publisher or header are
    stored with what they have and named in one log line."""
    from classifier.ingest.publications import problems_line, restated_publications

    try:
        publications = restated_publications(data_dir)
    except (ClassifierError, OSError, ValueError, KeyError) as exc:  # never a crash on open
        log.warning("history: the restated publications were not loaded (%s); fix the "
                    "training data, then `python -m classifier history seed`", exc)
        publications = []
    items = [_meta_and_findings(p) for p in publications]
    flags = {"history_seeded": True} if publications else {}
    if with_report_001:
        loaded = _report_001()
        items = ([loaded] if loaded else []) + items
        flags["seeded"] = True
    added = store.add_reports(items, label_source=HUMAN,
                              unless="seeded" if with_report_001 else None, flags=flags)
    if added is None:  # another process created the database's history meanwhile
        return SeedOutcome(0, 0, len(items))
    new = [r for r in added if not r.existed]
    line = problems_line([p for p, r in zip(publications, added[-len(publications):])
                          if not r.existed]) if publications else None
    if line:
        log.warning("history: %s", line)
    return SeedOutcome(len(new), sum(r.findings for r in new), len(added) - len(new))


def _meta_and_findings(pub) -> tuple[ReportMeta, pd.DataFrame]:
    meta = ReportMeta(title=pub.title, content_hash=pub.content_hash, publisher=pub.publisher,
                      published=pub.published, kind=pub.kind, file_name=pub.file_name,
                      source_url=pub.source_url, area=pub.area, description=pub.description,
                      date_precision=pub.date_precision, held_out=pub.held_out,
                      inspection=pub.group)
    return meta, pub.findings.assign(model_version="")


def import_legacy_history(store: FindingsStore, models_dir: Path | None = None) -> int:
    """Import findings users added to the old parquet/npy history store, then retire it.

    Labelled rows (report 001, extra.csv) are not imported: report 001 is seeded above.
    Each added source becomes a report (no date or publisher: the old store had none);
    vectors come along under the old store's embedding fingerprint. The folder is renamed
    ``history.imported`` afterwards, so this happens once.
    """
    folder = Path(models_dir or paths.models_dir()) / LEGACY_DIR
    index_path = folder / "index.json"
    if not index_path.exists():
        return 0
    try:
        index = json.loads(index_path.read_text())
        frame = pd.read_parquet(io.BytesIO((folder / index["findings"]).read_bytes()))
        vectors = np.load(io.BytesIO((folder / index["vectors"]).read_bytes()),
                          allow_pickle=False)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("old history store in %s not imported (%s)", folder, exc)
        return 0
    hashes = {name: digest for digest, name in index.get("sources", {}).items()}
    added = 0
    mask = (frame.get("origin", pd.Series("", index=frame.index)) == "added").to_numpy()
    frame, vectors = frame[mask].reset_index(drop=True), vectors[mask]
    for source, part in frame.groupby("source", sort=False):
        rows = part.index.to_numpy()
        title = str(part["source_title"].iloc[0] or "") or str(source)
        meta = ReportMeta(title=title, file_name=str(source),
                          content_hash=hashes.get(source) or
                          hashlib.sha256(f"legacy:{source}".encode()).hexdigest())
        labels = pd.DataFrame({"themes": part["themes"].to_numpy(), "model_version": "legacy"})
        result = store.add_report(meta, part.reset_index(drop=True), labels,
                                  vectors=vectors[rows], fingerprint=index["fingerprint"],
                                  label_source=MODEL)
        added += result.findings
    store.mark(legacy_imported=True)
    folder.rename(folder.with_name(LEGACY_DIR + ".imported"))
    log.warning("imported %d findings from the old history store; it is kept in %s",
                added, folder.with_name(LEGACY_DIR + ".imported"))
    return added


__all__ = ["first_open", "seed_history", "seed_report_001", "import_legacy_history",
           "history_mode", "SeedOutcome", "SEED_ENV"]
