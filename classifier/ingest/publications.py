"""The project's restated publications as history: one record per publication, with its
labelled findings, ready for the findings database.

Sources: every ``sources/corpus/NNN.txt`` (header: source, title, date, publisher, kind) with
its findings in ``corpus.csv``, and the seed documents 000, 002, 003, 004 with theirs in
``seeds.csv`` (their files carry no header: what is known of them is written below, from
``sources/README.md``). Report 001 is not here: its Annex B is loaded on its own
(:mod:`classifier.store.seed`). Whatever ``corpus.csv`` holds is used; a publication with no
labelled findings yet is a publication without findings.

Nothing here fails on one bad file: a header that cannot be read, a missing or malformed
date, a missing publisher leave that field empty and are listed in ``problems``, so the
caller can say in one line what was stored with less.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from classifier import paths
from classifier.errors import InputError
from classifier.ingest.areas import ALIASES, AREAS

INSPECTORATES = ("HMCPSI", "HMICFRS", "HMIC", "CJJI", "HMI Probation")
KINDS = ("report", "press release", "response", "news and commentary", "parliament", "other")
_INSPECTORATE_START = re.compile(r"^(hmcpsi|hmicfrs|hmic|cjji|hm inspectorate|joint criminal)")
_PRESS_START = re.compile(r"^(local|regional|national|news|legal|trade|sector|press|police trade|"
                          r"blog|law firm|chambers|charity|ngo|third-party|professional)\b")
_AREA_NAMES = sorted([(a, a) for a in AREAS] + [(k, v) for k, v in ALIASES.items()
                                                if k != "Wales"], key=lambda p: -len(p[0]))


@dataclass
class Publication:
    """One publication as it goes into the database; ``findings`` has text, location,
    number (the training data's id), area and themes (reconciled human labels)."""

    file_name: str
    content_hash: str
    title: str = ""
    publisher: str = ""
    published: date | None = None
    date_precision: str = ""  # day | month | year | "" (undated)
    kind: str = "other"  # one of KINDS
    description: str = ""  # the kind as the header states it
    source_url: str = ""
    area: str = ""  # the CPS Area it is about, when it is about one
    group: str = ""
    held_out: bool = False  # its group is in the sealed test split
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: list[str] = field(default_factory=list)


# The seed documents have no header; their details from sources/README.md.
SEEDS = {
    "000_west_midlands_aai_summary.txt": dict(
        title="Area Assurance Inspection: CPS West Midlands", publisher="HMCPSI",
        description="HMCPSI summary of the Area Assurance Inspection of CPS West Midlands",
        kind="report", area="West Midlands"),
    "002_london_followup_press_release_2012.txt": dict(
        title="Follow-up of the review of the performance of CPS London", publisher="HMCPSI",
        published=date(2012, 2, 23), date_precision="day", kind="press release",
        description="HMCPSI press release: follow-up inspection of CPS London (2012)"),
    "003_hmic_peel_west_midlands_2014.txt": dict(
        title="PEEL assessment: West Midlands Police 2014", publisher="HMIC",
        published=date(2014, 1, 1), date_precision="year", kind="report",
        description="HMIC PEEL assessment of West Midlands Police (2014)"),
    "004_west_midlands_pcc_evidence_2022.txt": dict(
        title="West Midlands Office of the Police and Crime Commissioner: written evidence "
              "(POP0030)", publisher="West Midlands PCC", published=date(2022, 1, 1),
        date_precision="year", kind="parliament",
        description="West Midlands PCC written evidence to the Home Affairs Committee (2022)"),
}


def kind_of(description: str) -> str:
    """The kind of publication (one of KINDS) from a header's ``kind:`` line, so an analyst
    can keep to inspection reports, or to responses."""
    k = description.split("(")[0].strip().lower()
    if not k:
        return "other"
    if _PRESS_START.match(k):
        return "news and commentary"
    if "parliament" in k or "written answer" in k or "written evidence" in k:
        return "parliament"
    if "response" in k or k.startswith("cps") or "statement" in k:
        return "response"
    if any(w in k for w in ("press release", "news release", "press notice")):
        return "press release"
    if any(w in k for w in ("news", "article", "blog", "commentary", "comment", "update",
                            "press report")):
        return "press release" if _INSPECTORATE_START.match(k) else "news and commentary"
    if any(w in k for w in ("report", "summary", "page", "foreword", "annex", "extract",
                            "inspection")):
        return "report"
    return "other"


def area_of(*texts: str) -> str:
    """The one CPS Area the texts name (title, kind line), or "" when none or several."""
    found = set()
    for text in texts:
        flat = " " + " ".join(text.replace("-", " ").split()).lower() + " "
        for name, canonical in _AREA_NAMES:
            key = " " + name.replace("-", " ").lower() + " "
            if key in flat or key.rstrip() + "," in flat or key.rstrip() + ")" in flat:
                found.add(canonical)
                flat = flat.replace(key.rstrip(), " ")
    return found.pop() if len(found) == 1 else ""


def parse_header_date(value: str) -> tuple[date | None, str]:
    """(date, precision) from YYYY-MM-DD, YYYY-MM or YYYY; (None, "") when blank.
    Anything else raises InputError."""
    from classifier.ingest.reportmeta import parse_date

    value = (value or "").strip()
    parsed = parse_date(value)
    precision = {10: "day", 7: "month", 4: "year"}.get(len(value), "") if parsed else ""
    return parsed, precision


def _read_header(path: Path) -> tuple[dict[str, str], str | None]:
    """Header fields and, if it cannot be read, why."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, f"unreadable ({exc.__class__.__name__})"
    head, sep, _ = text.partition("\n---\n")
    if not sep:
        return {}, "no '---' line after its header"
    header = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip():
            header.setdefault(key.strip().lower(), value.strip())
    return header, None


def _publisher(value: str) -> str:
    value = value.strip()
    return value.split(":", 1)[1].strip() if value.lower().startswith("other:") else value


def _from_header(path: Path) -> Publication:
    pub = Publication(file_name=f"corpus/{path.name}", content_hash=_digest(path),
                      title=path.stem)
    header, broken = _read_header(path)
    if broken:
        pub.problems.append(f"header ({broken})")
        return pub
    pub.title = header.get("title") or path.stem
    pub.source_url = header.get("source", "")
    pub.publisher = _publisher(header.get("publisher", ""))
    pub.description = header.get("kind", "")
    pub.kind = kind_of(pub.description)
    pub.area = area_of(pub.title, pub.description)
    try:
        pub.published, pub.date_precision = parse_header_date(header.get("date", ""))
    except InputError:
        pub.problems.append(f"date {header.get('date')!r} unreadable")
    if pub.published is None and not any(p.startswith("date") for p in pub.problems):
        pub.problems.append("no date")
    if not pub.publisher:
        pub.problems.append("no publisher")
    return pub


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return hashlib.sha256(f"publication:{path.name}".encode()).hexdigest()


def _findings(rows: pd.DataFrame, area: str) -> pd.DataFrame:
    rows = rows.sort_values("id", kind="stable")
    return pd.DataFrame({"text": rows["text"].to_numpy(), "location": rows["location"].to_numpy(),
                         "number": rows["id"].to_numpy(), "area": area,
                         "themes": rows["themes"].to_numpy()})


def restated_publications(data_dir: Path | None = None) -> list[Publication]:
    """Every seed document and restated publication, in file order, with its findings."""
    from classifier.ingest.corpus import corpus_dir, publication_groups, sealed_groups
    from classifier.ingest.datasets import corpus_findings, seed_findings

    data_dir = data_dir or paths.data_dir()
    sealed = set(sealed_groups(data_dir))
    out: list[Publication] = []
    seeds = seed_findings(data_dir)
    sources = data_dir / "sources"
    for name, known in SEEDS.items():
        path = sources / name
        rows = seeds[seeds["source"] == name]
        if not path.exists() and rows.empty:
            continue
        pub = Publication(file_name=name, content_hash=_digest(path), **known)
        pub.group = str(rows["group"].iloc[0]) if len(rows) else ""
        pub.findings = _findings(rows, pub.area)
        if pub.published is None:
            pub.problems.append("no date")
        out.append(pub)
    corpus = corpus_findings(data_dir)
    groups = dict(zip(*publication_groups(data_dir)[["publication", "group"]].T.to_numpy())) \
        if (data_dir / "corpus_groups.csv").exists() else {}
    by_pub = {p: part for p, part in corpus.groupby("publication")} if len(corpus) else {}
    for path in sorted(corpus_dir(data_dir).glob("[0-9]*.txt")):
        pub = _from_header(path)
        rows = by_pub.get(path.stem, pd.DataFrame(columns=["id", "text", "location", "themes",
                                                           "group"]))
        pub.group = groups.get(path.stem) or (str(rows["group"].iloc[0]) if len(rows) else "")
        pub.findings = _findings(rows, pub.area)
        out.append(pub)
    for pub in out:
        pub.held_out = pub.group in sealed
    return out


def problems_line(publications: list[Publication]) -> str | None:
    """One line naming every publication stored with less than a full header, or None."""
    by_problem: dict[str, list[str]] = {}
    for pub in publications:
        for problem in pub.problems:
            key = "date unreadable" if problem.startswith("date ") else problem
            by_problem.setdefault(key, []).append(Path(pub.file_name).stem)
    if not by_problem:
        return None
    parts = [f"{key} ({len(names)}): {', '.join(names)}" for key, names in sorted(by_problem.items())]
    n = sum(1 for pub in publications if pub.problems)
    return (f"{n} publication(s) stored with what they have (undated ones count everywhere but "
            "the trend) — " + "; ".join(parts))


__all__ = ["Publication", "KINDS", "INSPECTORATES", "restated_publications", "kind_of",
           "area_of", "problems_line", "parse_header_date"]
