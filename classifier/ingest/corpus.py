"""The restated corpus: further public publications, segmented into findings.

Each ``training_data/sources/corpus/NNN.txt`` restates one public publication claim by
claim (facts kept, wording new): ``source:``, ``title:``, ``kind:`` and ``text:`` header
lines, a ``---`` line, then paragraphs. Its body goes through the same segmenter that batch
classification uses, so the findings labelled here are cut the way users' reports are.

Item columns: id, publication, group, source, title, kind, location, text. ``id`` is
``c<publication>-<nn>``; ``group`` (from ``corpus_groups.csv``) keeps an inspection, its
follow-up and the responses to it together in every split.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from classifier import paths
from classifier.errors import InputError
from classifier.ingest.segment import segment_text

ITEM_COLUMNS = ["id", "publication", "group", "source", "title", "kind", "location", "text"]


def corpus_dir(data_dir: Path | None = None) -> Path:
    return (data_dir or paths.data_dir()) / "sources" / "corpus"


def read_publication(path: Path) -> tuple[dict[str, str], str]:
    """(header fields, body text) of one restated publication."""
    header, body, _ = _parse(Path(path))
    return header, body


def _parse(path: Path) -> tuple[dict[str, str], str, int]:
    """Header fields, body text, and the file line the body starts on."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    if not sep:
        raise InputError(f"{path.name}: no '---' line between header and text")
    header = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        header[key.strip()] = value.strip()
    return header, body, head.count("\n") + 3


def publication_groups(data_dir: Path | None = None) -> pd.DataFrame:
    """publication, group, kind — one row per corpus file."""
    path = (data_dir or paths.data_dir()) / "corpus_groups.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def sealed_groups(data_dir: Path | None = None) -> list[str]:
    """The publication groups of the sealed test split (drawn once; never tuned on)."""
    path = (data_dir or paths.data_dir()) / "sealed_groups.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def corpus_items(data_dir: Path | None = None) -> pd.DataFrame:
    """Every corpus publication segmented into candidate findings (ITEM_COLUMNS)."""
    groups = publication_groups(data_dir).set_index("publication")["group"]
    rows = []
    for path in sorted(corpus_dir(data_dir).glob("[0-9]*.txt")):
        header, body, first_line = _parse(path)
        # locations count lines of the whole file, so a reader can find the passage
        for n, seg in enumerate(segment_text(body).itertuples(index=False), start=1):
            line = int(seg.location.split()[-1]) + first_line - 1
            rows.append({"id": f"c{path.stem}-{n:02d}", "publication": path.stem,
                         "group": groups[path.stem], "source": header.get("source", ""),
                         "title": header.get("title", ""), "kind": header.get("kind", ""),
                         "location": f"line {line}", "text": seg.text})
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)
