"""Every page of the Streamlit app, with AppTest, and the overview in a real browser."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from classifier.insight import analytics
from classifier.app.server import CHROMIUM_FLAGS, running_app
from classifier.ingest.datasets import labelled_findings

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


# AppTest does not expose a dataframe's key, so each table is recognised by its columns.
_TABLES = {
    "table_area": lambda df: "London North" in df.columns,
    "table_part": lambda df: list(df.columns) == ["A", "B", "C", "D"] and df.index.name == "theme",
    "drill_table": lambda df: {"number", "text"} <= set(df.columns),
    "recurring": lambda df: "areas_with_issue" in df.columns,
    "recurring_reports": lambda df: "report_titles" in df.columns,
    "similar_table": lambda df: "similarity" in df.columns,
    "metrics": lambda df: "scheme" in df.columns,
}


def _table(at: AppTest, key: str) -> pd.DataFrame:
    matches = [df.value for df in at.dataframe if _TABLES[key](df.value)]
    assert len(matches) == 1, f"{len(matches)} tables look like {key}"
    return matches[0]


def _page(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    if name != "overview":
        at.switch_page(f"classifier/app/pages/{name}.py")
    return at


def test_overview_counts_equal_a_crosstab():
    at = _page("overview").run()
    assert not at.exception
    findings = labelled_findings()
    rows = findings.assign(theme=findings["themes"].str.split(";")).explode("theme")
    for by, key in (("area", "table_area"), ("part", "table_part")):
        expected = pd.crosstab(rows["theme"], rows[by])
        shown = _table(at, key)
        assert shown.to_numpy().sum() == expected.to_numpy().sum()
        for theme in expected.index:
            for col in expected.columns:
                assert shown.loc[theme, col] == expected.loc[theme, col], (theme, col)
    assert any(m.value.startswith("**216** findings match") for m in at.markdown)


def test_overview_filters_and_drill_down():
    at = _page("overview").run()
    at.selectbox(key="kind").select("issue").run()
    at.multiselect(key="parts").set_value(["C"]).run()
    findings = labelled_findings()
    issues_c = findings[(findings.kind == "issue") & (findings.part == "C")]
    assert any(m.value.startswith(f"**{len(issues_c)}** findings match") for m in at.markdown)
    at.selectbox(key="drill_theme").select("disclosure").run()
    at.selectbox(key="drill_area").select("North West").run()
    shown = _table(at, "drill_table")
    expected = issues_c[(issues_c.area == "North West") & issues_c.themes.str.contains("disclosure")]
    assert sorted(shown["text"]) == sorted(expected["text"])
    assert len(shown) >= 1
    recurring = _table(at, "recurring")
    top = recurring.iloc[0]
    assert top["areas_with_issue"] == issues_c.assign(t=issues_c.themes.str.split(";")).explode(
        "t").query("t == @top.theme")["area"].nunique()


def test_share_view_is_counts_over_findings():
    findings = labelled_findings()
    share = analytics.theme_counts(findings, "part", share=True)
    counts = analytics.theme_counts(findings, "part")
    totals = findings.groupby("part").size()
    assert share.loc["grip", "C"] == pytest.approx(round(counts.loc["grip", "C"] / totals["C"], 3))
    at = _page("overview").run()
    at.radio(key="measure").set_value("share of findings").run()
    assert not at.exception


def test_check_page_classifies_with_the_real_model(models_dir):
    at = _page("check").run()
    assert not at.exception
    at.text_area(key="finding").input("Letters to bereaved families are late and the Victim "
                                      "Liaison Unit does not check their quality.").run()
    at.button(key="check").click().run()
    assert not at.exception
    assert any("victim_letters" in h.value for h in at.subheader)
    similar = _table(at, "similar_table")
    assert len(similar) == 5 and similar["similarity"].is_monotonic_decreasing
    assert any("Recurrence" in i.value for i in at.info)


def test_batch_emerging_and_about_pages_render(models_dir):
    for name in ("batch", "emerging", "about"):
        at = _page(name).run()
        assert not at.exception, name
    about = _page("about").run()
    metrics = _table(about, "metrics")
    assert "grouped_cv" in set(metrics["scheme"])


def test_emerging_clusters_other_findings(models_dir):
    at = _page("emerging").run()
    at.button(key="cluster").click().run()
    assert not at.exception
    assert len(at.expander) >= 2


@pytest.mark.browser
def test_real_browser_overview_and_drill_down(models_dir, tmp_path, chromium):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with running_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(url + "/", timeout=60_000)
            page.get_by_text("Theme × Area").wait_for(timeout=60_000)
            chart = page.locator('[data-testid="stVegaLiteChart"] canvas, '
                                 '[data-testid="stVegaLiteChart"] svg.marks')
            chart.first.wait_for(timeout=60_000)
            assert chart.count() >= 2  # both heatmaps drawn
            page.locator('[data-testid="stDataFrame"]:visible').first.wait_for(timeout=60_000)
            # drill down: pick another theme, and the list of findings behind it changes
            findings = labelled_findings()
            n_grip = findings["themes"].str.contains("grip").sum()
            page.get_by_text("findings: theme").wait_for()
            box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Theme").first
            for attempt in range(4):  # a rerun still painting can close the list: try again
                box.click()
                try:
                    page.get_by_role("option", name="grip", exact=True).click(timeout=20_000)
                    break
                except PlaywrightTimeout:
                    page.keyboard.press("Escape")
                    page.wait_for_timeout(2000)
            else:
                pytest.fail("the drill-down theme list never opened")
            page.get_by_text(f"{n_grip} findings: theme").wait_for(timeout=30_000)
            page.wait_for_timeout(1500)  # let the grid and charts finish painting
            out = ROOT / "test-artifacts"
            out.mkdir(exist_ok=True)
            page.screenshot(path=str(out / "overview.png"), full_page=True)
            assert page.get_by_text("Recurring weaknesses across reports").is_visible()
            assert page.get_by_text("Recurring weaknesses by Area").is_visible()
            assert page.get_by_text("Theme share by year").is_visible()
        finally:
            browser.close()


def test_overview_never_imports_torch(models_dir):
    code = ("import sys\nfrom streamlit.testing.v1 import AppTest\n"
            f"at = AppTest.from_file({APP!r}, default_timeout=180).run()\n"
            "assert not at.exception, at.exception\n"
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') "
            "if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_overview_over_the_database_reports_trend_and_corrections(models_dir, database):
    """Two dated reports added: the report filter and the trend include them; a human
    correction changes the counts at once; a removed report leaves the filter again."""
    from classifier.jobs.classify import classify_reports
    from classifier.ingest.reportmeta import parse_date
    from classifier.store import open_store

    sources = ROOT / "training_data" / "sources"
    files = [sources / "000_west_midlands_aai_summary.txt",
             sources / "002_london_followup_press_release_2012.txt"]
    frame, failures, stored = classify_reports(
        files, add_to_history=True, meta=[{"date": parse_date("2017-06-01"), "title": "AAI WM"},
                                          {"date": parse_date("2012-02-23")}])
    assert not failures and [r.report_id for _, r in stored.reports] == [2, 3]
    at = _page("overview").run()
    assert not at.exception
    assert at.multiselect(key="reports").options == ["1: Area Assurance Programme composite "
                                                     "report, Annex B", "2: AAI WM",
                                                     f"3: {_title(3)}"]
    trend = [df.value for df in at.dataframe if 2012 in list(df.value.columns)]
    assert len(trend) == 1 and list(trend[0].columns) == [2012, 2017, 2019]
    total = 216 + len(frame)
    assert any(m.value.startswith(f"**{total}** findings match") for m in at.markdown)
    at.multiselect(key="reports").set_value([2]).run()
    n2 = int((frame["report_id"] == 2).sum())
    assert any(m.value.startswith(f"**{n2}** findings match") for m in at.markdown)
    # a correction shows at once in the drill-down and the counts
    store = open_store()
    target = store.findings_frame(report_id=2)
    fid = int(target[~target["themes"].str.contains("victim_letters")]["finding_id"].iloc[0])
    store.record_decision(fid, "victim_letters", by="analyst")
    at.selectbox(key="drill_theme").select("victim_letters").run()
    drill = _table(at, "drill_table")
    assert fid in set(drill["finding_id"]) and \
        drill.set_index("finding_id").loc[fid, "label_source"] == "human"
    store.remove_report(3)
    at = _page("overview").run()
    assert [o.split(":")[0] for o in at.multiselect(key="reports").options] == ["1", "2"]


def _title(report_id: int) -> str:
    from classifier.store import open_store

    reports = open_store().reports().set_index("id")
    return reports.loc[report_id, "title"][:80]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_reports_page_lists_and_removes(models_dir, database):
    from classifier.jobs.classify import classify_reports
    from classifier.store import open_store

    sources = ROOT / "training_data" / "sources"
    classify_reports([sources / "000_west_midlands_aai_summary.txt"], add_to_history=True)
    at = _page("reports").run()
    assert not at.exception
    listed = [df.value for df in at.dataframe if "file_name" in df.value.columns][0]
    assert listed["id"].tolist() == [1, 2]
    at.selectbox(key="remove_choice").select(2).run()
    at.checkbox(key="remove_sure").check().run()
    at.button(key="remove").click().run()
    assert not at.exception
    assert any("Removed report 2" in s.value for s in at.success)
    assert open_store().reports()["id"].tolist() == [1]


def test_app_command_stops_on_a_database_it_cannot_open():
    """`python -m classifier app` reads the database before serving: a bad one is one line
    and exit 2, not a server that fails on every page."""
    from tests.conftest import run_cli

    result = run_cli("app", "--port", "1", env={"CLASSIFIER_DATABASE_URL": "mysql://u:p@h/db"})
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "only sqlite and postgresql" in result.stderr


def test_served_app_rereads_what_another_process_changed(models_dir, database):
    """The server's keep-warm thread: once another process has added a report, the findings
    the pages read are already the new ones (the next visitor does not wait for the read)."""
    import threading

    from classifier.app.server import keep_warm, read_views
    from classifier.store import open_store
    from classifier.store.store import FindingsStore
    from tests.conftest import run_cli

    store = open_store()
    read_views(store, None)
    seen: list[int] = []
    stop = threading.Event()
    thread = threading.Thread(target=keep_warm, args=(store, None, store.generation(), stop),
                              kwargs={"every": 0.2, "on_refresh": seen.append}, daemon=True)
    thread.start()
    try:
        source = ROOT / "training_data" / "sources" / "000_west_midlands_aai_summary.txt"
        result = run_cli("history", "add", str(source), "--date", "2017-06-01")
        assert result.returncode == 0, result.stderr
        final = store.generation()
        for _ in range(300):
            if seen and seen[-1] == final:
                break
            time.sleep(0.1)
        assert seen and seen[-1] == final, (seen, final)
    finally:
        stop.set()
        thread.join(10)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FindingsStore, "_read_findings",
                      lambda *a: pytest.fail("the page had to read the database itself"))
        frame = store.findings_frame()
    assert len(frame) > 216 and set(frame["report_id"]) == {1, 2}


@pytest.mark.browser
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_real_browser_history_trend_briefing_and_workbook(database, tmp_path, chromium):
    """Over a new database with the history: the trend spans ten years or more; the
    briefing downloads and opens with the network off; the workbook opens with openpyxl."""
    import re

    from openpyxl import load_workbook
    from playwright.sync_api import sync_playwright

    no_model = tmp_path / "no-model"  # the Overview needs no model; nothing to embed
    no_model.mkdir()
    env = {**os.environ, "CLASSIFIER_SEED_HISTORY": "1", "CLASSIFIER_MODELS_DIR": str(no_model)}
    with running_app(env=env, timeout=180) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800},
                                    accept_downloads=True)
            page.goto(url + "/", timeout=60_000)
            caption = page.get_by_text("Share of each year's findings with the theme")
            caption.wait_for(timeout=60_000)
            first, last = map(int, re.search(r"(\d{4})–(\d{4})", caption.inner_text()).groups())
            assert last - first + 1 >= 10, (first, last)
            page.locator('[data-testid="stVegaLiteChart"]').nth(2).wait_for(timeout=60_000)
            downloads = {}
            for label, name in (("Download briefing (HTML)", "briefing.html"),
                                ("Download workbook (xlsx)", "overview.xlsx")):
                with page.expect_download(timeout=60_000) as info:
                    page.get_by_role("button", name=label).click()
                downloads[name] = tmp_path / name
                info.value.save_as(downloads[name])
            offline = browser.new_context(offline=True)
            brief = offline.new_page()
            brief.goto(downloads["briefing.html"].as_uri())
            assert brief.get_by_role("heading", name="Theme shares by year").is_visible()
            assert brief.locator("svg").count() >= 2  # trend and Area heatmap drawn offline
            assert brief.get_by_role("link").count() >= 10  # sources linked
            out = ROOT / "test-artifacts"
            out.mkdir(exist_ok=True)
            brief.screenshot(path=str(out / "briefing.png"), full_page=True)
            offline.close()
        finally:
            browser.close()
    book = load_workbook(downloads["overview.xlsx"])
    assert "Theme by Area" in book.sheetnames and "Findings" in book.sheetnames
    assert book["Findings"].max_row > 500


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_overview_over_the_history_filters_by_publisher_and_kind(database, monkeypatch):
    """A new database with the history: the trend spans the years the dated publications
    cover, the undated are said, and the kind-of-publication filter keeps to responses."""
    from classifier.store import forget_stores, open_store

    monkeypatch.setenv("CLASSIFIER_SEED_HISTORY", "1")
    forget_stores()
    frame = open_store().findings_frame()
    at = _page("overview").run()
    assert not at.exception
    years = sorted(int(y) for y in frame["year"].dropna().unique())
    trend = [df.value for df in at.dataframe if years[0] in list(df.value.columns)]
    assert len(trend) == 1 and list(trend[0].columns) == years and len(years) >= 10
    undated = frame[frame["year"].isna()]
    assert any(f"{len(undated)} findings of {undated['report_id'].nunique()} undated" in c.value
               for c in at.caption)
    at.multiselect(key="report_kinds").set_value(["response"]).run()
    responses = frame[frame["report_kind"] == "response"]
    assert any(m.value.startswith(f"**{len(responses)}** findings match") for m in at.markdown)
    at.multiselect(key="publishers").set_value(["CPS"]).run()
    both = responses[responses["publisher"] == "CPS"]
    assert 0 < len(both) < len(responses)
    assert any(m.value.startswith(f"**{len(both)}** findings match") for m in at.markdown)
