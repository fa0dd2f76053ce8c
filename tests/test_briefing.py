"""The analyst's briefing and the workbook, from a database holding the history, through the
command line as a user runs them. Expected counts come from the database's findings frame
with plain pandas (themes split on ';'), not from the tables under test."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from classifier.store import forget_stores, open_store
from tests.conftest import run_cli

SEED_ENV = "CLASSIFIER_SEED_HISTORY"
SHEETS = ["Theme by Area", "Theme by Part", "Theme share by year", "Recurring across reports",
          "Recurring by Area", "Areas most affected", "Findings"]


@pytest.fixture
def history(database, monkeypatch):
    monkeypatch.setenv(SEED_ENV, "1")
    forget_stores()
    return open_store()


def _with_theme(frame: pd.DataFrame, theme: str) -> pd.DataFrame:
    return frame[frame["themes"].str.split(";").apply(lambda ts: theme in ts)]


def test_briefing_for_a_selection_is_self_contained_and_counts_right(history, tmp_path):
    out = tmp_path / "brief.html"
    result = run_cli("briefing", "--output", str(out), "--theme", "disclosure",
                     "--publisher", "hmcpsi", "--from", "2010", "--to", "2025")
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    # opens with no network: no scripts, stylesheets, images or fonts fetched
    assert not re.search(r"<script|<link|<img|\bsrc=|url\(", html, re.I)
    assert html.count("<svg") >= 1 and "@page{size:A4" in html
    frame = history.findings_frame()
    chosen = _with_theme(frame, "disclosure")
    chosen = chosen[(chosen["publisher"] == "HMCPSI") & chosen["year"].between(2010, 2025)]
    assert f"<b>{len(chosen)}</b> findings from <b>{chosen['report_id'].nunique()}</b>" in html
    for url in chosen["source_url"].unique():
        if url:
            assert f'href="{url.replace("&", "&amp;")}"' in html
    assert "HMCPSI" in html and "disclosure" in html
    # charts cover every year in the selection
    years = sorted(int(y) for y in chosen["year"].dropna().unique())
    assert f"{years[0]}–{years[-1]}" in html


def test_briefing_bad_input_and_an_empty_selection(history, tmp_path):
    out = tmp_path / "b.html"
    for args, says in ((["--theme", "morale"], "unknown theme"),
                       (["--publisher", "Nobody Inspects"], "unknown publisher"),
                       (["--from", "2020", "--to", "2010"], "is after")):
        result = run_cli("briefing", "--output", str(out), *args)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
        assert says in result.stderr and not out.exists()
    result = run_cli("briefing", "--output", str(out), "--from", "2090")
    assert result.returncode == 0
    assert "No findings match this selection" in out.read_text(encoding="utf-8")


def test_workbook_has_the_overview_tables_with_filters_first(history, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "overview.xlsx"
    result = run_cli("export", "--format", "xlsx", "--output", str(out), "--kind", "report")
    assert result.returncode == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == SHEETS
    frame = history.findings_frame()
    chosen = frame[frame["report_kind"] == "report"]
    for sheet in book.worksheets:
        first = [row[0].value for row in sheet.iter_rows(max_row=5)]
        assert first == ["Selection", "Themes", "Years", "Publishers", "Kinds of publication"]
        assert sheet.cell(5, 2).value == "report"
    # Theme × Area: the counts of an independent crosstab, shaded by a colour scale
    sheet = book["Theme by Area"]
    rows = list(sheet.iter_rows(min_row=7, values_only=True))
    table = pd.DataFrame([r[1:] for r in rows[1:]], index=[r[0] for r in rows[1:]],
                         columns=rows[0][1:])
    named = chosen[chosen["area"] != ""]
    exploded = named.assign(theme=named["themes"].str.split(";")).explode("theme")
    expected = pd.crosstab(exploded["theme"], exploded["area"])
    for theme in expected.index:
        for area in expected.columns:
            assert table.loc[theme, area] == expected.loc[theme, area], (theme, area)
    assert len(sheet.conditional_formatting) == 1
    findings = book["Findings"]
    header = [c.value for c in findings[7]]
    assert findings.max_row - 7 == len(chosen)
    links = [c.hyperlink.target for c in next(findings.iter_cols(
        min_col=header.index("source_url") + 1, max_col=header.index("source_url") + 1,
        min_row=8)) if c.hyperlink]
    assert links and set(links) <= set(chosen["source_url"])


def test_recurring_weaknesses_across_inspections_with_vectors(models_dir, history, tmp_path):
    """`history seed` embeds the findings; a weakness then recurs across inspections and
    years, named with its reports, in the briefing."""
    from classifier.store.recurrence import recurring_across_reports

    result = run_cli("history", "seed")
    assert result.returncode == 0, result.stderr
    n = len(history.findings_frame())
    assert f"{n} findings embedded" in result.stdout
    frame = history.findings_frame()
    groups = history.recurrence_groups()
    across = recurring_across_reports(frame, groups)
    assert len(across) >= 3 and (across["inspections"] >= 2).all()
    top = across.iloc[0]
    members = frame.merge(groups, on="finding_id")
    members = members[members["recurrence_group"] == top["recurrence_group"]]
    assert members["report_id"].nunique() == top["reports"]
    assert int(members["year"].max() - members["year"].min() + 1) == top["years"]
    out = tmp_path / "all.html"
    assert run_cli("briefing", "--output", str(out)).returncode == 0
    html = out.read_text(encoding="utf-8")
    assert "Top recurring weaknesses" in html and "No selected weakness recurs" not in html
    import html as html_lib

    assert html_lib.escape(top["weakness"]) in html
    for title in members["report"].unique():
        assert html_lib.escape(title) in html
    assert Path(out).stat().st_size > 0
