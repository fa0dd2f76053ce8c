"""A report's title, publisher and date: given by the user, or guessed from the file.

The guess only pre-fills what the CLI stores without options and what the app's upload form
shows for the user to correct; nothing here is trusted beyond that.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from classifier.errors import InputError

PUBLISHERS = [  # (pattern, name) — first match in the opening text wins
    (r"HMCPSI|Crown Prosecution Service Inspectorate", "HMCPSI"),
    (r"HMICFRS|Inspectorate of Constabulary and Fire", "HMICFRS"),
    (r"\bHMIC\b|Inspectorate of Constabulary", "HMIC"),
    (r"HM Inspectorate of Probation|HMI Probation", "HMI Probation"),
    (r"HM Inspectorate of Prisons|HMI Prisons", "HMI Prisons"),
    (r"Police and Crime Commissioner|\bPCC\b", "PCC"),
]
MONTHS = ("january february march april may june july august september october november "
          "december").split()
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+((?:19|20)\d\d)\b",
                             re.I)
_MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+((?:19|20)\d\d)\b", re.I)
_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def parse_date(value: str | None) -> date | None:
    """YYYY-MM-DD (or YYYY, or YYYY-MM) -> date; empty -> None; else a one-line InputError."""
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    for fmt_len, build in ((10, lambda v: date.fromisoformat(v)),
                           (7, lambda v: date(int(v[:4]), int(v[5:7]), 1)),
                           (4, lambda v: date(int(v), 1, 1))):
        if len(value) == fmt_len:
            try:
                return build(value)
            except ValueError:
                break
    raise InputError(f"date {value!r} is not a date: use YYYY-MM-DD (e.g. 2019-10-01)")


def guess_date(text: str, name: str = "") -> date | None:
    """The first full date in the opening text, else month and year (unless the file name
    names another year), else a year in the file name."""
    head = text[:4000]
    in_name = _YEAR.search(Path(name).stem)
    year = int(in_name[1]) if in_name else None
    candidates: list[date] = []
    for m in _ISO.finditer(head):
        candidates.append(_safe_date(int(m[1]), int(m[2]), int(m[3])))
    for m in _DAY_MONTH_YEAR.finditer(head):
        candidates.append(_safe_date(int(m[3]), MONTHS.index(m[2].lower()) + 1, int(m[1])))
    for m in _MONTH_YEAR.finditer(head):
        candidates.append(_safe_date(int(m[2]), MONTHS.index(m[1].lower()) + 1, 1))
    for found in candidates:  # reports cite older dates: the file name's year decides
        if found is not None and (year is None or found.year == year):
            return found
    return date(year, 1, 1) if year else None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def guess_publisher(text: str) -> str:
    head = text[:4000]
    for pattern, name in PUBLISHERS:
        if re.search(pattern, head):
            return name
    return ""


def guess_title(first_line: str, name: str) -> str:
    """The report's first line when it reads like a title, else the file name tidied."""
    line = " ".join(str(first_line).split())
    if 10 <= len(line) <= 200:
        return line
    stem = re.sub(r"^\d+_", "", Path(name).stem)
    return stem.replace("_", " ").replace("-", " ").strip().capitalize() or name
