"""What an analyst selects (themes, years, publishers, kinds of publication) and the
Overview's tables for it: one definition the briefing, the workbook and the app share.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from classifier.codebook import OTHER, Codebook, default_codebook
from classifier.errors import InputError
from classifier.insight import analytics


@dataclass
class Selection:
    """Empty lists and None keep everything."""

    themes: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    publishers: list[str] = field(default_factory=list)
    report_kinds: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str]]:
        """The filters as (name, value) rows, for the top of a sheet or a page."""
        years = "all years" if self.year_from is None and self.year_to is None else \
            f"{self.year_from or '…'}–{self.year_to or '…'} (undated publications left out)"
        return [("Themes", ", ".join(self.themes) or "all themes"), ("Years", years),
                ("Publishers", ", ".join(self.publishers) or "all publishers"),
                ("Kinds of publication", ", ".join(self.report_kinds) or "all kinds")]


def checked(selection: Selection, findings: pd.DataFrame,
            codebook: Codebook | None = None) -> Selection:
    """The selection with names as stored (publishers matched without regard to case);
    an unknown theme, publisher or kind is an InputError naming the known ones."""
    codebook = codebook or default_codebook()
    known_themes = codebook.ids + [OTHER]
    for theme in selection.themes:
        if theme not in known_themes:
            raise InputError(f"unknown theme {theme!r}: use one of {', '.join(known_themes)}")
    stored = {p.lower(): p for p in findings["publisher"].unique() if p} if len(findings) else {}
    publishers = []
    for name in selection.publishers:
        if name.strip().lower() not in stored:
            raise InputError(f"unknown publisher {name!r}: the database holds "
                             f"{', '.join(sorted(stored.values(), key=str.lower)) or 'none'}")
        publishers.append(stored[name.strip().lower()])
    kinds = set(findings["report_kind"].unique()) if len(findings) else set()
    for kind in selection.report_kinds:
        if kind not in kinds:
            raise InputError(f"unknown kind of publication {kind!r}: use one of "
                             f"{', '.join(sorted(kinds)) or 'none'}")
    if selection.year_from and selection.year_to and selection.year_from > selection.year_to:
        raise InputError(f"--from {selection.year_from} is after --to {selection.year_to}")
    return Selection(list(selection.themes), selection.year_from, selection.year_to,
                     publishers, list(selection.report_kinds))


def select(findings: pd.DataFrame, selection: Selection,
           codebook: Codebook | None = None) -> pd.DataFrame:
    """The findings in the selection: any of its themes, its years (a year bound leaves the
    undated out), its publishers and kinds of publication."""
    out = analytics.filter_findings(findings, publishers=selection.publishers or None,
                                    report_kinds=selection.report_kinds or None)
    if selection.year_from is not None or selection.year_to is not None:
        years = out["year"]
        keep = years.notna()
        if selection.year_from is not None:
            keep &= years.fillna(0) >= selection.year_from
        if selection.year_to is not None:
            keep &= years.fillna(0) <= selection.year_to
        out = out[keep.astype(bool).to_numpy()]
    if selection.themes:
        flags = analytics.theme_flags(out, codebook)
        out = out[flags[selection.themes].any(axis=1).to_numpy()]
    return out


def overview_tables(findings: pd.DataFrame, groups: pd.DataFrame | None,
                    codebook: Codebook | None = None) -> dict[str, pd.DataFrame]:
    """The Overview's tables for selected findings, by sheet name (workbook order)."""
    from classifier.store.recurrence import recurring_across_reports

    codebook = codebook or default_codebook()
    trend = analytics.theme_share_by_year(findings, codebook)
    wide = trend.pivot(index="theme", columns="year", values="share") if len(trend) else \
        pd.DataFrame(index=pd.Index([], name="theme"))
    across = recurring_across_reports(findings, groups) if groups is not None and len(groups) \
        else pd.DataFrame(columns=["weakness", "themes", "reports", "inspections", "years",
                                   "first", "last", "findings", "report_titles"])
    cols = ["finding_id", "report", "publisher", "date", "report_kind", "area", "part", "kind",
            "text", "themes", "label_source", "source_url"]
    return {
        "Theme by Area": analytics.theme_counts(findings, "area", codebook),
        "Theme by Part": analytics.theme_counts(findings, "part", codebook),
        "Theme share by year": wide,
        "Recurring across reports": across.drop(columns="recurrence_group", errors="ignore"),
        "Recurring by Area": analytics.recurring_weaknesses(findings[findings["area"] != ""],
                                                            codebook),
        "Areas most affected": analytics.areas_most_affected(findings, codebook),
        "Findings": findings[[c for c in cols if c in findings]].reset_index(drop=True),
    }


__all__ = ["Selection", "checked", "select", "overview_tables"]
