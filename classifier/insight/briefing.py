"""An analyst's briefing: one self-contained HTML page to take to a meeting.

For a selection (:class:`~classifier.insight.selection.Selection`): theme shares by year,
the top recurring weaknesses with the reports they recur in, the Areas most affected, the
findings behind each, and every source's address (the attribution the Open Government
Licence asks for). Charts are inline SVG and the styles inline, so the page opens with no
network; print styles lay it out on A4. The same data gives the same page, byte for byte.
"""
from __future__ import annotations

from html import escape

import pandas as pd

from classifier.codebook import OTHER, Codebook, default_codebook
from classifier.insight import analytics, svg
from classifier.insight.selection import Selection, select

TOP_WEAKNESSES = 10
TOP_AREAS = 8
FINDINGS_PER_ITEM = 8  # findings listed under a weakness or an Area; the rest are counted
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

STYLE = """
body{font-family:Helvetica,Arial,sans-serif;font-size:11pt;line-height:1.35;color:#111;
max-width:190mm;margin:12mm auto;padding:0 6mm}
h1{font-size:18pt;margin:0 0 4pt}h2{font-size:14pt;margin:16pt 0 6pt;border-bottom:1px solid #999}
h3{font-size:11.5pt;margin:10pt 0 3pt}.muted{color:#555}.chart{width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:9.5pt;margin:4pt 0}
th,td{border:1px solid #ccc;padding:2pt 4pt;text-align:left;vertical-align:top}
th{background:#eef}ul.findings{margin:2pt 0 6pt 14pt;padding:0;font-size:9.5pt}
ul.findings li{margin:0 0 3pt}a{color:#0b4f9c}
section,li,tr,svg{break-inside:avoid}
@page{size:A4;margin:14mm 12mm}
@media print{body{margin:0;max-width:none;padding:0}a{color:#111}
a[href]:after{content:" <" attr(href) ">";font-size:8pt;color:#444;word-break:break-all}}
"""


def display_date(value, precision: str) -> str:
    """A publication date as precise as its source gave it."""
    if value is None or pd.isna(value):
        return "undated"
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _link(title: str, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return f'<a href="{escape(url)}">{escape(title)}</a>'
    return escape(title)


def _finding_items(rows: pd.DataFrame) -> str:
    items = []
    for r in rows.head(FINDINGS_PER_ITEM).itertuples():
        where = f", {escape(r.area)}" if r.area else ""
        items.append(f"<li>“{escape(r.text)}” — {_link(r.report, r.source_url)} "
                     f"({escape(r.publisher or 'publisher unknown')}, "
                     f"{display_date(r.date, r.date_precision)}{where}; "
                     f"<span class=muted>{escape(r.themes)}</span>)</li>")
    more = len(rows) - FINDINGS_PER_ITEM
    if more > 0:
        items.append(f"<li class=muted>… and {more} more finding(s)</li>")
    return "<ul class=findings>" + "".join(items) + "</ul>"


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><tr>{head}</tr>{body}</table>"


def _trend_section(findings: pd.DataFrame, codebook: Codebook, order: list[str]) -> str:
    trend = analytics.theme_share_by_year(findings, codebook)
    n_undated, r_undated = analytics.undated(findings)
    note = (f"<p class=muted>{n_undated} finding(s) of {r_undated} undated publication(s) are "
            "counted everywhere else in this briefing and left out of this chart.</p>"
            if n_undated else "")
    if trend.empty:
        return "<h2>Theme shares by year</h2><p>No selected finding has a dated publication.</p>" \
            + note
    years = sorted(trend["year"].unique())
    themes = [t for t in order if t != OTHER]  # findings with no theme still count in the shares
    return (f"<section><h2>Theme shares by year</h2><p>Share of each year's findings with the "
            f"theme (a finding can have several; those with none count in the whole), "
            f"{years[0]}–{years[-1]}.</p>"
            f"{svg.trend_chart(trend[trend['theme'] != OTHER], themes)}{note}</section>")


def _recurring_section(findings: pd.DataFrame, groups: pd.DataFrame | None) -> str:
    from classifier.store.recurrence import recurring_across_reports

    out = ["<h2>Top recurring weaknesses</h2>"]
    if groups is None or groups.empty:
        return out[0] + "<p>The findings have no vectors yet, so recurrence is not known " \
                        "(the app or <code>history seed</code> adds them).</p>"
    across = recurring_across_reports(findings, groups)
    if across.empty:
        return out[0] + "<p>No selected weakness recurs in reports of two or more inspections.</p>"
    out.append("<p>Issues grouped by meaning (cosine ≥ 0.6 to an earlier finding of the group); "
               "each is one weakness found in several reports of different inspections.</p>")
    rows = findings.merge(groups, on="finding_id")
    for n, w in enumerate(across.head(TOP_WEAKNESSES).itertuples(), start=1):
        span = f"{int(w.first)}–{int(w.last)}" if pd.notna(w.first) else "undated"
        behind = rows[rows["recurrence_group"] == w.recurrence_group]
        out.append(f"<section><h3>{n}. {escape(w.weakness)}</h3><p>{escape(w.themes)}: found in "
                   f"<b>{w.reports} reports</b> of {w.inspections} inspections over "
                   f"{'' if pd.isna(w.years) else int(w.years)} year(s) ({span}).</p>"
                   f"{_finding_items(behind.sort_values('date', na_position='last'))}</section>")
    return "".join(out)


def _areas_section(findings: pd.DataFrame, codebook: Codebook, themes: list[str]) -> str:
    named = findings[findings["area"] != ""]
    out = ["<h2>Areas most affected</h2>"]
    if named.empty:
        return out[0] + "<p>No selected finding is about a CPS Area.</p>"
    table = analytics.theme_counts(named, "area", codebook)
    if themes:
        table = table.loc[[t for t in table.index if t in themes]]
    out.append(f"<p>Findings per theme and Area, over {named['report_id'].nunique()} "
               f"publication(s) about one Area.</p>{svg.heatmap(table)}")
    ranked = analytics.areas_most_affected(named, codebook, [t for t in themes if t != OTHER]
                                           or None)
    if ranked.empty:
        return "".join(out)
    out.append(_table(ranked.head(TOP_AREAS)))
    weak = named[~named["kind"].isin(["strength", "good_practice"])]
    flags = analytics.theme_flags(weak, codebook)[list(ranked.columns[3:])].any(axis=1)
    for area in ranked["area"].head(TOP_AREAS):
        behind = weak[flags.to_numpy() & (weak["area"] == area).to_numpy()]
        out.append(f"<section><h3>{escape(area)}</h3>"
                   f"{_finding_items(behind.sort_values('date', na_position='last'))}</section>")
    return "".join(out)


def _sources_section(findings: pd.DataFrame) -> str:
    reports = (findings.drop_duplicates("report_id")
               .sort_values(["date", "report_id"], na_position="last", kind="stable"))
    rows = []
    for r in reports.itertuples():
        publisher = escape(r.publisher or "publisher unknown")
        rows.append(f"<li>{_link(r.report, r.source_url)} — {publisher}, "
                    f"{display_date(r.date, r.date_precision)}, {escape(r.report_kind)}</li>")
    return ("<h2>Sources</h2><p class=muted>Facts from public publications, restated; Crown "
            "copyright material reused under the Open Government Licence v3.0, press reports "
            "attributed to the article at the address given.</p>"
            f"<ul class=findings>{''.join(rows)}</ul>")


def briefing_html(findings: pd.DataFrame, groups: pd.DataFrame | None, selection: Selection,
                  codebook: Codebook | None = None, *, title: str = "Inspection findings briefing",
                  filters: list[tuple[str, str]] | None = None) -> str:
    """The briefing page for ``selection`` over every stored finding (``findings``) and
    their recurrence groups (None when the database has no vectors). ``filters`` describes a
    selection made beforehand (the Overview's), in place of ``selection``'s own."""
    codebook = codebook or default_codebook()
    order = codebook.ids + [OTHER]
    chosen = select(findings, selection, codebook)
    filters = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
                      for k, v in (filters or selection.rows()))
    head = (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{escape(title)}"
            f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
            f"<table>{filters}</table>")
    if chosen.empty:
        return (head + "<p><b>No findings match this selection.</b> Widen it: another theme, "
                "more years, or no publisher filter.</p></body></html>")
    years = chosen["year"].dropna()
    span = f", {int(years.min())}–{int(years.max())}" if len(years) else ""
    summary = (f"<p><b>{len(chosen)}</b> findings from <b>{chosen['report_id'].nunique()}</b> "
               f"publications of {chosen['publisher'].replace('', pd.NA).nunique()} "
               f"publisher(s){span}.</p>")
    body = [summary, _trend_section(chosen, codebook, order),
            _recurring_section(chosen, groups),
            _areas_section(chosen, codebook, selection.themes), _sources_section(chosen)]
    return head + "".join(body) + "</body></html>"


__all__ = ["briefing_html", "display_date"]
