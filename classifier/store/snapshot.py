"""The findings frame on disk: one Parquet file per database instance, variant and generation.

Reading 100k findings from the database and working out their effective labels takes about
a second; the same frame from Parquet about a tenth of that, which is what lets the Overview
draw quickly when the app starts over a large database. Every write bumps the database's
generation, so a snapshot stands for exactly the state it was read at: the first read after a
change rebuilds it and drops the older ones. It is a cache: deleting the folder loses nothing.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from classifier import paths

log = logging.getLogger(__name__)
FORMAT = 2  # bump when the frame's columns change: older snapshots are then never read


def snapshot_path(instance: str, variant: str, generation: int) -> Path:
    return paths.cache_dir() / "frames" / f"{instance}-{variant}-f{FORMAT}-g{generation}.parquet"


def load(instance: str, variant: str, generation: int) -> pd.DataFrame | None:
    """The snapshot of that state, or None (none taken, or unreadable: the caller re-reads)."""
    path = snapshot_path(instance, variant, generation)
    if not instance or not path.exists():
        return None
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any damage to a cache file means "re-read"
        log.warning("findings snapshot %s unreadable (%s); reading the database", path, exc)
        return None


def save(frame: pd.DataFrame, instance: str, variant: str, generation: int) -> None:
    """Write the snapshot atomically and remove older ones of the same database and variant.
    A cache folder that cannot be written costs speed only, so failures are logged."""
    if not instance:
        return
    from classifier.fileio import atomic_path

    path = snapshot_path(instance, variant, generation)
    try:
        with atomic_path(path) as tmp:
            frame.to_parquet(tmp, index=False)
        for old in path.parent.glob(f"{instance}-{variant}-*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot write findings snapshot %s (%s)", path, exc)
