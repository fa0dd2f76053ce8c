"""One-off loading on open: report 001's labelled Annex B, and the retired history store.

Both run inside a write transaction that first checks the flag in ``store_state``, so two
processes opening a fresh database at once load each thing exactly once. Neither needs the
model: vectors are added later by whoever has the embedder (``classify.ensure_embeddings``).
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from classifier import paths
from classifier.errors import ClassifierError
from classifier.store import schema as s
from classifier.store.records import HUMAN, MODEL, ReportMeta
from classifier.store.store import FindingsStore

log = logging.getLogger(__name__)
REPORT_001 = ReportMeta(
    title="Area Assurance Programme composite report, Annex B",
    publisher="HMCPSI", published=date(2019, 10, 1), kind="report",
    file_name="001_aap_composite_2019.txt", content_hash="")
LEGACY_DIR = "history"


def seed_report_001(store: FindingsStore) -> int:
    """Load findings.csv + labels.csv as a human-labelled report once; returns findings added."""
    if store.state()["seeded"]:
        return 0
    from classifier.ingest.datasets import labelled_findings

    try:
        frame = labelled_findings()
        source = paths.training_report()
        digest = hashlib.sha256(source.read_bytes()).hexdigest() if source.exists() else \
            "annex-b:" + hashlib.sha256(frame["text"].str.cat().encode()).hexdigest()[:50]
    except (ClassifierError, OSError) as exc:
        log.warning("report 001 not loaded into the database: %s", exc)
        return 0
    meta = ReportMeta(**{**REPORT_001.__dict__, "content_hash": digest})
    with store.engine.connect() as conn:  # cheap check before taking the write lock
        if conn.execute(select(s.reports.c.id).where(
                s.reports.c.content_hash == digest)).scalar() is not None:
            frame = None
    added = 0
    if frame is not None:
        labels = pd.DataFrame({"themes": frame["themes"], "model_version": ""})
        result = store.add_report(meta, frame, labels, label_source=HUMAN)
        added = result.findings
    store.mark(seeded=True)
    return added


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


__all__ = ["seed_report_001", "import_legacy_history"]
