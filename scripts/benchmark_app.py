"""Time to first render of the app's overview and check pages, in a real browser.

Usage: python scripts/benchmark_app.py [--runs 5] [--findings 100000] [--overview-only]
                                       [--output scripts/results/app.json]

Serves the app as `make run` does (``python -m classifier app``: the findings database is
read, and the model and search index loaded, before the server listens) on a free local
port, then with headless Chromium (Debian's chromium, driven by playwright) measures from
navigation until (a) the overview's two heatmaps are drawn, (b) the check page's text box is
shown, and (c) the first check of a finding returns. Each in a fresh browser page with an
empty cache, as a first visit: every run downloads and parses the app's JavaScript.

With ``--findings N`` a scratch database is grown to N findings (scripts/_synthetic.py: real
findings of report 001, perturbed real vectors, 100 per report) and served beside the bundled
database (report 001's 216 findings); page loads alternate between the two, so the cost of
the large database is read side by side with the page's own cost on this machine at that
moment. Then another process adds a 100-finding report to the large database and the
overview is timed at once (``overview_after_write_s``: the page itself may have to re-read
every finding), and after another report, 5 s later (``overview_5s_after_write_s``: the
server's keep-warm thread has re-read them).

Reported per database: ``server_ready_s`` (start until the server answers), ``overview_s``
(median of the runs), ``overview_first_s`` (the first visitor), ``check_page_s``,
``first_check_s``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from _results import save

from classifier.app.server import CHROMIUM_FLAGS, chromium_path, running_app

ROOT = Path(__file__).resolve().parent.parent
HEATMAPS = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg.marks'


def overview(browser, url: str) -> float:
    """Seconds from navigation until both heatmaps are drawn, in a fresh page."""
    page = browser.new_page()
    t = time.perf_counter()
    page.goto(url + "/")
    page.locator(HEATMAPS).nth(1).wait_for(timeout=120_000)
    seconds = time.perf_counter() - t
    page.close()
    return seconds


def check(browser, url: str, first: bool) -> tuple[float, float | None]:
    """Seconds until the check page's text box shows; with ``first``, also until the first
    check of a finding returns."""
    page = browser.new_page()
    t = time.perf_counter()
    page.goto(url + "/check")
    page.get_by_role("textbox").first.wait_for(timeout=120_000)
    shown, checked = time.perf_counter() - t, None
    if first:
        page.get_by_role("textbox").first.fill("Letters to victims are late.")
        t = time.perf_counter()
        page.get_by_role("button", name="Check").click()
        page.get_by_text("Themes:").wait_for(timeout=180_000)
        checked = time.perf_counter() - t
    page.close()
    return shown, checked


def grown_database(findings: int) -> dict[str, str]:
    """The environment of a scratch database grown to ``findings`` (and its own cache)."""
    import tempfile

    from _synthetic import grow

    from classifier.store import open_store

    tmp = tempfile.mkdtemp(prefix="bench-app-")
    env = {"CLASSIFIER_DATABASE_URL": f"sqlite:///{tmp}/findings.db",
           "CLASSIFIER_CACHE_DIR": f"{tmp}/cache"}
    os.environ.update(env)
    took = grow(open_store(), findings)
    print(f"database of {findings} findings grown in {took:.0f} s ({tmp})")
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--findings", type=int, default=0,
                        help="also serve a scratch database grown to this many findings")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--overview-only", action="store_true",
                        help="time the overview only (skip the check page)")
    args = parser.parse_args()
    chromium = chromium_path()
    if not chromium:
        print("error: needs Debian's chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    output = args.output or ROOT / "scripts/results" / (
        f"app_{args.findings}.json" if args.findings else "app.json")
    load_at_start = os.getloadavg()
    bundled = {k: v for k, v in os.environ.items()
               if k not in ("CLASSIFIER_DATABASE_URL", "CLASSIFIER_CACHE_DIR")}
    databases = {"bundled": bundled}
    if args.findings:
        databases[f"{args.findings}"] = {**bundled, **grown_database(args.findings)}
    from playwright.sync_api import sync_playwright

    figures = {name: {"server_ready_s": [], "overview_s": [], "check_page_s": [],
                      "first_check_s": []} for name in databases}
    with ExitStack() as stack:
        urls = {}
        for name, env in databases.items():
            start = time.perf_counter()
            urls[name] = stack.enter_context(running_app(timeout=600, env=env))
            figures[name]["server_ready_s"].append(time.perf_counter() - start)
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for run in range(args.runs):
            for name, url in urls.items():  # alternate: drift on the machine hits both
                figures[name]["overview_s"].append(overview(browser, url))
                if not args.overview_only:
                    shown, checked = check(browser, url, first=run == 0)
                    figures[name]["check_page_s"].append(shown)
                    if checked is not None:
                        figures[name]["first_check_s"].append(checked)
        if args.findings:  # another process adds a report: the app re-reads every finding
            from _synthetic import grow

            from classifier.store import forget_stores, open_store

            big, url = figures[f"{args.findings}"], urls[f"{args.findings}"]
            forget_stores()
            grow(open_store(seed=False), args.findings + 100, seed=1, progress=False)
            big["overview_after_write_s"] = [overview(browser, url)]  # at once
            grow(open_store(seed=False), args.findings + 200, seed=2, progress=False)
            time.sleep(5)  # an analyst a few seconds later: the server has re-read it itself
            big["overview_5s_after_write_s"] = [overview(browser, url)]
        browser.close()
    summary = {}
    for name, figs in figures.items():
        summary[name] = {k: round(statistics.median(v), 2) for k, v in figs.items() if v}
        summary[name]["overview_first_s"] = round(figs["overview_s"][0], 2)
        for k, v in summary[name].items():
            print(f"{name:>8} {k:24} {v} s")
    save({"median": summary, "runs": figures, "load_average_at_start": load_at_start,
          "load_average_at_end": os.getloadavg()}, output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
