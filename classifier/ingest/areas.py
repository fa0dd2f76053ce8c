"""The 14 CPS Areas and the one mapping from every spelling seen to a canonical name.

Report 001 spells three Areas differently in Annex B and in its tables; everything
in the project (findings, ratings, app) goes through :func:`canonical_area`.
"""
from __future__ import annotations

AREAS: tuple[str, ...] = (
    "Cymru-Wales",
    "East Midlands",
    "East of England",
    "London North",
    "London South",
    "Mersey-Cheshire",
    "North East",
    "North West",
    "South East",
    "South West",
    "Thames and Chiltern",
    "Wessex",
    "West Midlands",
    "Yorkshire and Humberside",
)

ALIASES: dict[str, str] = {
    "Merseyside & Cheshire": "Mersey-Cheshire",
    "Merseyside and Cheshire": "Mersey-Cheshire",
    "Thames & Chiltern": "Thames and Chiltern",
    "Yorkshire & Humberside": "Yorkshire and Humberside",
    "Wales": "Cymru-Wales",
}

_LOOKUP = {name.lower(): name for name in AREAS} | {k.lower(): v for k, v in ALIASES.items()}


def canonical_area(name: str) -> str | None:
    """Canonical Area name for ``name``, or None when it is not a CPS Area."""
    key = " ".join(name.replace("CPS ", "").split()).lower()
    return _LOOKUP.get(key)


def slug(area: str) -> str:
    return area.lower().replace(" and ", "-").replace(" ", "-")
