"""Extract the findings and Area ratings of the AAP composite report (report 001).

Annex B lists every issue to address, good practice and strength as rows
``Area<TAB>number<TAB>text`` under kind headings ("Issues to address", ...) and
Part headings ("Part C: ..."). The published text has quirks that are handled
here rather than edited away: HTML in some rows, a row continued on a later line
that starts with two tabs, a running page header inside the Part D strengths,
and Area names that differ from the tables. The body of the report states how
many findings of each kind each Part had; :func:`validate` compares those counts
and every Area's numbering with what Annex B holds, and reports any gap.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup

from classifier.ingest.areas import canonical_area, slug
from classifier.errors import ExtractionError
from classifier.fileio import read_text

FINDING_COLUMNS = ["id", "area", "part", "kind", "number", "text"]
RATING_COLUMNS = ["area", "part", "criterion", "rating"]
KINDS = ("issue", "good_practice", "strength")
PARTS = ("A", "B", "C", "D")
RATINGS = ("Excellent", "Good", "Fair", "Poor")

_KIND_HEADINGS = {"Issues to address": "issue", "Good practice": "good_practice",
                  "Strengths": "strength"}
_PART_HEADING = re.compile(r"^Part ([A-E]):\s*\S")
_ROW = re.compile(r"^(?P<area>[A-Z][^\t]*?)\t(?P<number>\d+)\t(?P<text>.*)$")
_CONTINUATION = re.compile(r"^\t\t(?P<text>\S.*)$")
_RUNNING_HEADER = re.compile(r"^Annexes\s+[–-]\s+.+report$")
_CHAPTER = re.compile(r"^(\d)\. Part ([A-E]):[^\t]*$")
_BULLET = "•"

_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NUM = r"(\d+|" + "|".join(_NUMBER_WORDS) + r")"
_STATED = {
    "good_practice": re.compile(_NUM + r" (?:examples of |aspects of )?good practice", re.I),
    "strength": re.compile(_NUM + r" strengths", re.I),
    "issue": re.compile(_NUM + r" issues to (?:be )?address", re.I),
}


@dataclass(frozen=True)
class Finding:
    id: str
    area: str
    part: str
    kind: str
    number: int
    text: str


@dataclass
class Extraction:
    findings: list[Finding]
    ratings: list[dict]
    stated_counts: dict[tuple[str, str], int]
    warnings: list[str] = field(default_factory=list)

    def findings_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame([asdict(f) for f in self.findings], columns=FINDING_COLUMNS)
        order = {k: i for i, k in enumerate(KINDS)}
        frame["_k"] = frame["kind"].map(order)
        frame = frame.sort_values(["_k", "part", "area", "number"]).drop(columns="_k")
        return frame.reset_index(drop=True)

    def ratings_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.ratings, columns=RATING_COLUMNS)

    def counts(self) -> pd.DataFrame:
        """Annex B counts next to the body's stated counts, per kind and Part."""
        got = self.findings_frame().groupby(["kind", "part"]).size()
        rows = []
        for kind in KINDS:
            for part in PARTS:
                rows.append({"kind": kind, "part": part, "annex_b": int(got.get((kind, part), 0)),
                             "stated": self.stated_counts.get((kind, part))})
        return pd.DataFrame(rows)


def finding_id(area: str, part: str, kind: str, number: int) -> str:
    """Stable id from what identifies a finding in the report, never from row order."""
    return f"{slug(area)}-{part}-{kind.replace('_', '-')}-{number:02d}"


def clean_text(raw: str) -> str:
    """Strip HTML to plain sentences; list items are kept, joined by '; '."""
    text = raw
    if "<" in text and ">" in text:
        soup = BeautifulSoup(text, "html.parser")
        for li in soup.find_all("li"):
            li.insert_before(f" {_BULLET} ")
        text = soup.get_text(" ")
    if _BULLET in text:
        head, *items = [p.strip(" ;") for p in text.split(_BULLET)]
        items = [i for i in items if i]
        text = head + (" " if head else "") + "; ".join(items)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = " ".join(text.split())
    return re.sub(r"\s+([,.;:])", r"\1", text)


def _annex_b_lines(lines: list[str]) -> list[tuple[int, str]]:
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Annex B")
    except StopIteration:
        raise ExtractionError("no 'Annex B' heading: this is not the AAP composite report's "
                              "layout; pass the report with --source") from None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "Annex C"),
               len(lines))
    return [(i + 1, lines[i]) for i in range(start + 1, end)]


def parse_annex_b(lines: list[str]) -> list[Finding]:
    kind = part = None
    rows: list[dict] = []
    for lineno, line in _annex_b_lines(lines):
        stripped = line.strip()
        if not stripped or _RUNNING_HEADER.match(stripped):
            continue
        if stripped in _KIND_HEADINGS:
            kind, part = _KIND_HEADINGS[stripped], None
            continue
        if m := _PART_HEADING.match(stripped):
            part = m.group(1)
            continue
        if m := _CONTINUATION.match(line):
            if not rows:
                raise ExtractionError(f"line {lineno}: continuation line with no row before it")
            rows[-1]["text"] += " " + m.group("text")
            continue
        if m := _ROW.match(line):
            if kind is None or part is None:
                raise ExtractionError(f"line {lineno}: finding row before its kind/Part heading")
            area = canonical_area(m.group("area"))
            if area is None:
                raise ExtractionError(f"line {lineno}: unknown Area {m.group('area')!r}; "
                                      "add it to classifier/ingest/areas.py")
            rows.append({"area": area, "part": part, "kind": kind,
                         "number": int(m.group("number")), "text": m.group("text"),
                         "line": lineno})
            continue
        if kind is None:  # the annex's title block, before the first kind heading
            continue
        raise ExtractionError(f"line {lineno}: unrecognised line in Annex B: {stripped[:60]!r}")
    if not rows:
        raise ExtractionError("Annex B holds no finding rows (Area<TAB>number<TAB>text)")
    findings = []
    for r in rows:
        text = clean_text(r["text"])
        if not text:
            raise ExtractionError(f"line {r['line']}: finding has no text")
        findings.append(Finding(finding_id(r["area"], r["part"], r["kind"], r["number"]),
                                r["area"], r["part"], r["kind"], r["number"], text))
    return findings


def parse_stated_counts(lines: list[str]) -> dict[tuple[str, str], int]:
    """Counts per (kind, Part) as the body of the report states them (chapters 2-5)."""
    chapters: dict[str, list[str]] = defaultdict(list)
    current = None
    for line in lines:
        if line.strip() in ("Annex A", "Annex B"):
            break
        if m := _CHAPTER.match(line.strip()):
            current = m.group(2)
            continue
        if current in PARTS:
            chapters[current].append(line)
    stated = {}
    for part, body in chapters.items():
        text = " ".join(body)
        for kind, pattern in _STATED.items():
            for m in pattern.finditer(text):
                word = m.group(1).lower()
                stated[(kind, part)] = int(word) if word.isdigit() else _NUMBER_WORDS[word]
    return stated


def parse_ratings(lines: list[str]) -> list[dict]:
    """Rows of every 'Part X:' ratings table (Tables 1, 3, 4 and 5)."""
    ratings = []
    i = 0
    while i < len(lines):
        cells = lines[i].rstrip("\n").split("\t")
        m = _PART_HEADING.match(cells[0])
        if not (m and len(cells) > 2 and m.group(1) in PARTS):
            i += 1
            continue
        part, criteria = m.group(1), [c.strip() for c in cells[1:]]
        i += 1
        while i < len(lines) and lines[i].strip():
            row = [c.strip() for c in lines[i].rstrip("\n").split("\t")]
            area = canonical_area(row[0])
            if area is None or len(row) != len(criteria) + 1:
                raise ExtractionError(f"line {i + 1}: ratings row not understood: "
                                      f"{lines[i].strip()[:60]!r}")
            for criterion, rating in zip(criteria, row[1:]):
                if rating not in RATINGS:
                    raise ExtractionError(f"line {i + 1}: unknown rating {rating!r}")
                ratings.append({"area": area, "part": part, "criterion": criterion,
                                "rating": rating})
            i += 1
    return ratings


def validate(findings: list[Finding], stated: dict[tuple[str, str], int]) -> list[str]:
    """Warnings: numbering gaps/duplicates per Area and kind, and Annex B vs stated counts.

    A gap at a Part boundary (e.g. issue 6 in Part C, issue 9 in Part D) is put in
    whichever neighbouring Part the body says is short of findings.
    """
    got: dict[tuple[str, str], int] = defaultdict(int)
    for f in findings:
        got[(f.kind, f.part)] += 1
    short = {key for key, want in stated.items() if want > got[key]}
    warnings: list[str] = []
    by_area_kind: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        by_area_kind[(f.area, f.kind)].append(f)
    missing_by_part: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (area, kind), items in sorted(by_area_kind.items()):
        numbers = sorted(f.number for f in items)
        dups = sorted({n for n in numbers if numbers.count(n) > 1})
        if dups:
            warnings.append(f"{area} {kind} numbers repeated: {dups}")
        gaps = [n for n in range(1, numbers[-1] + 1) if n not in numbers]
        for run in _runs(gaps):
            candidates = _parts_around(items, run[0], run[-1])
            in_short = [p for p in candidates if (kind, p) in short]
            part = in_short[0] if len(in_short) == 1 else "/".join(candidates)
            label = f"{area} {kind.replace('_', ' ')}s {_span(run)}"
            missing_by_part[(kind, part)].append(label)
            warnings.append(f"numbering gap: {label} missing (Part {part})")
    for kind in KINDS:
        for part in PARTS:
            want = stated.get((kind, part))
            if want is None:
                warnings.append(f"Part {part} {kind}: the report states no count to check against")
            elif want != got[(kind, part)]:
                named = "; ".join(missing_by_part.get((kind, part), [])) or "not located"
                warnings.append(
                    f"Part {part} {kind}s: the report states {want}, Annex B holds "
                    f"{got[(kind, part)]} ({got[(kind, part)] - want:+d}); missing: {named}")
    return warnings


def _runs(numbers: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def _span(run: list[int]) -> str:
    return str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}"


def _parts_around(items: list[Finding], low: int, high: int) -> list[str]:
    """The Parts of the findings numbered just before and just after a gap."""
    before = max((f for f in items if f.number < low), key=lambda f: f.number, default=None)
    after = min((f for f in items if f.number > high), key=lambda f: f.number, default=None)
    return sorted({f.part for f in (before, after) if f})


def extract_text(text: str) -> Extraction:
    lines = text.splitlines()
    findings = parse_annex_b(lines)
    ratings = parse_ratings(lines)
    if not ratings:
        raise ExtractionError("no Area ratings tables ('Part X: ...' header rows) found")
    stated = parse_stated_counts(lines)
    return Extraction(findings, ratings, stated, validate(findings, stated))


def extract_report(path: Path) -> Extraction:
    return extract_text(read_text(path))
