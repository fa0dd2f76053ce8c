"""Theme frequency tables for the app's overview (pandas only: no model, no torch)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from classifier.codebook import OTHER, Codebook, default_codebook

KIND_LABELS = {"issue": "Issues to address", "strength": "Strengths",
               "good_practice": "Good practice"}


def theme_flags(findings: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """One boolean column per theme and ``other`` (a finding with no theme), on the findings'
    index. Each distinct ``themes`` string is parsed once — a few dozen at 100k findings — so
    every view below is a vectorised group-by, not a per-row explode."""
    codebook = codebook or default_codebook()
    order = codebook.ids + [OTHER]
    codes, labels = pd.factorize(findings["themes"])
    per_label = np.zeros((len(labels) + 1, len(order)), dtype=bool)  # last row: missing label
    for row, label in enumerate(labels):
        themes = codebook.parse(label) or [OTHER]
        per_label[row] = [t in themes for t in order]
    per_label[-1, -1] = True
    return pd.DataFrame(per_label[codes], index=findings.index, columns=order)


def filter_findings(findings: pd.DataFrame, kind: str = "all",
                    parts: list[str] | None = None, *, reports: list[int] | None = None,
                    publishers: list[str] | None = None, years: list[int] | None = None,
                    areas: list[str] | None = None,
                    report_kinds: list[str] | None = None) -> pd.DataFrame:
    """Findings matching every filter given (an empty or None filter keeps everything).

    Most reports other than report 001 name no Part or Area: ``""`` in ``parts`` / ``areas``
    selects those."""
    out = findings
    if kind != "all":
        out = out[out["kind"] == kind]
    if parts:
        out = out[out["part"].isin(parts)]
    if areas:
        out = out[out["area"].isin(areas)]
    if reports and "report_id" in out:
        out = out[out["report_id"].isin(reports)]
    if publishers and "publisher" in out:
        out = out[out["publisher"].isin(publishers)]
    if years and "year" in out:
        out = out[out["year"].isin(years)]
    if report_kinds and "report_kind" in out:
        out = out[out["report_kind"].isin(report_kinds)]
    return out


def undated(findings: pd.DataFrame) -> tuple[int, int]:
    """(findings, reports) without a publication date: counted everywhere but the trend."""
    rows = findings[findings["year"].isna()]
    return len(rows), int(rows["report_id"].nunique())


def areas_most_affected(findings: pd.DataFrame, codebook: Codebook | None = None,
                        themes: list[str] | None = None) -> pd.DataFrame:
    """Areas by how many of their weaknesses (findings that are not strengths or good
    practice) have a theme (``themes``, else any codebook theme): area, findings, reports,
    and the count per theme."""
    codebook = codebook or default_codebook()
    themes = themes or codebook.ids
    named = findings[(findings["area"] != "") &
                     ~findings["kind"].isin(["strength", "good_practice"])]
    flags = theme_flags(named, codebook)[themes]
    hit = flags.any(axis=1).to_numpy()
    cols = ["area", "findings", "reports"] + themes
    if not hit.any():
        return pd.DataFrame(columns=cols)
    rows = named[hit]
    out = flags[hit].groupby(rows["area"]).sum().astype("int64")
    out.insert(0, "reports", rows.groupby("area")["report_id"].nunique())
    out.insert(0, "findings", rows.groupby("area").size())
    out = out.reset_index().rename(columns={"index": "area"})
    return out[cols].sort_values(["findings", "area"], ascending=[False, True],
                                 kind="stable").reset_index(drop=True)


def theme_counts(findings: pd.DataFrame, by: str, codebook: Codebook | None = None,
                 share: bool = False) -> pd.DataFrame:
    """Theme × ``by`` (area, part or year) counts, or shares of that column's findings."""
    findings = findings[findings[by].notna() & (findings[by].astype(str) != "")]
    table = theme_flags(findings, codebook).groupby(findings[by], sort=True).sum().T
    table = table.astype("int64")
    table.index.name, table.columns.name = "theme", by
    if share:
        totals = findings.groupby(by).size().reindex(table.columns)
        table = (table / totals).fillna(0).round(3)
    return table


def theme_share_by_year(findings: pd.DataFrame, codebook: Codebook | None = None
                        ) -> pd.DataFrame:
    """Long table year, theme, findings, share (of that year's findings), reports (that year)."""
    dated = findings[findings["year"].notna()]
    cols = ["year", "theme", "findings", "share", "reports"]
    if dated.empty:
        return pd.DataFrame(columns=cols)
    table = theme_counts(dated.assign(year=dated["year"].astype(int)), "year", codebook)
    totals = dated.groupby(dated["year"].astype(int)).size()
    n_reports = dated.groupby(dated["year"].astype(int))["report_id"].nunique()
    out = table.reset_index().melt(id_vars="theme", var_name="year", value_name="findings")
    out["share"] = (out["findings"] / out["year"].map(totals)).round(3)
    out["reports"] = out["year"].map(n_reports)
    out["theme"] = out["theme"].astype(str)
    return out[cols].sort_values(["year", "theme"]).reset_index(drop=True)


def drill_down(findings: pd.DataFrame, theme: str, **where: str) -> pd.DataFrame:
    """The findings behind one cell: those of ``theme`` with column == value for each filter."""
    rows = findings[theme_flags(findings)[theme].to_numpy()]
    for col, value in where.items():
        rows = rows[rows[col] == value]
    return rows.reset_index(drop=True)


def recurring_weaknesses(findings: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """Themes ranked by how many Areas have at least one weakness in them (an issue to
    address, or a finding of unknown kind: not a strength or good practice), Areas named."""
    codebook = codebook or default_codebook()
    issues = findings[~findings["kind"].isin(["strength", "good_practice"])]
    flags = theme_flags(issues, codebook)
    out = []
    for theme in codebook.ids:
        areas = issues.loc[flags[theme].to_numpy(), "area"]
        if len(areas):
            out.append({"theme": theme, "areas_with_issue": areas.nunique(), "issues": len(areas),
                        "areas": ", ".join(sorted(areas.unique()))})
    out = pd.DataFrame(out, columns=["theme", "areas_with_issue", "issues", "areas"])
    return out.sort_values(["areas_with_issue", "issues", "theme"],
                           ascending=[False, False, True]).reset_index(drop=True)


def ratings_wide(ratings: pd.DataFrame) -> pd.DataFrame:
    """Each Area's overall rating per Part, for showing beside the heatmap."""
    overall = ratings[ratings["criterion"].str.startswith("Overall")]
    return overall.pivot(index="area", columns="part", values="rating").fillna("—")
