"""Time to first render of the app's overview and check pages, in a real browser.

Usage: python scripts/benchmark_app.py [--runs 3] [--findings 100000] [--overview-only]
                                       [--output scripts/results/app.json]

Starts the app as `make run` does (``python -m classifier app``: the findings database is
read before the server listens) on a free local port, then with headless Chromium (Debian's
chromium, driven by playwright) measures from navigation until (a) the overview's heatmaps
are drawn, (b) the check page's text box is shown, and (c) the first check of a finding
returns (this includes loading the model once). Each in a fresh browser page with an empty
cache, so every run downloads the app's JavaScript as a first visit does.

Reported: ``server_ready_s`` (start until the server answers), ``overview_first_s`` (the
first visitor), ``overview_s`` (median of all runs) and, over a grown database,
``overview_after_write_s``: the first render after another process added a 100-finding
report, which makes the app re-read every finding.
With ``--findings N`` the app runs over a scratch database grown to N findings
(scripts/_synthetic.py: real findings of report 001, perturbed real vectors, 100 per report)
and the overview is timed over that.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from _results import save

from classifier.appserver import CHROMIUM_FLAGS, chromium_path, running_app

ROOT = Path(__file__).resolve().parent.parent


def overview(browser, url: str) -> float:
    """Seconds from navigation until both heatmaps are drawn, in a fresh page."""
    page = browser.new_page()
    t = time.perf_counter()
    page.goto(url + "/")
    page.locator('[data-testid="stVegaLiteChart"] canvas, '
                 '[data-testid="stVegaLiteChart"] svg.marks').nth(1).wait_for(timeout=120_000)
    seconds = time.perf_counter() - t
    page.close()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--findings", type=int, default=0,
                        help="grow a scratch database to this many findings first")
    parser.add_argument("--database", default=None, metavar="URL",
                        help="run over this database instead (e.g. the one "
                             "benchmark_history.py grew; it prints where)")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--overview-only", action="store_true",
                        help="time the overview only (skip the check page and the model)")
    args = parser.parse_args()
    if args.output is None:
        args.output = ROOT / "scripts/results" / (f"app_{args.findings}.json" if args.findings
                                                   else "app.json")
    import os

    if args.database:
        os.environ["CLASSIFIER_DATABASE_URL"] = args.database
        from classifier.store import open_store

        args.findings = len(open_store(seed=False).findings_frame())
        args.output = args.output if "--output" in sys.argv else \
            ROOT / "scripts/results" / f"app_{args.findings}.json"
    elif args.findings:
        import tempfile

        from _synthetic import grow

        from classifier.store import open_store

        tmp = tempfile.mkdtemp(prefix="bench-app-")
        os.environ["CLASSIFIER_DATABASE_URL"] = f"sqlite:///{tmp}/findings.db"
        os.environ["CLASSIFIER_CACHE_DIR"] = f"{tmp}/cache"
        took = grow(open_store(), args.findings)
        print(f"database of {args.findings} findings grown in {took:.0f} s")
    chromium = chromium_path()
    if not chromium:
        print("error: needs Debian's chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    figures: dict[str, list[float]] = {"server_ready_s": [], "overview_s": [],
                                       "check_page_s": [], "first_check_s": [],
                                       "overview_after_write_s": []}
    start = time.perf_counter()
    with running_app(timeout=300) as url, sync_playwright() as p:
        figures["server_ready_s"].append(time.perf_counter() - start)
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for run in range(args.runs):
            figures["overview_s"].append(overview(browser, url))
            if args.overview_only:
                continue
            page = browser.new_page()
            t = time.perf_counter()
            page.goto(url + "/check")
            page.get_by_role("textbox").first.wait_for(timeout=120_000)
            figures["check_page_s"].append(time.perf_counter() - t)
            if run == 0:  # the model loads once per server; measure that once
                page.get_by_role("textbox").first.fill("Letters to victims are late.")
                t = time.perf_counter()
                page.get_by_role("button", name="Check").click()
                page.get_by_text("Themes:").wait_for(timeout=180_000)
                figures["first_check_s"].append(time.perf_counter() - t)
            page.close()
        if args.findings > 10_000 and not args.database:  # another process adds a report:
            from _synthetic import grow

            from classifier.store import forget_stores, open_store

            forget_stores()
            grow(open_store(seed=False), args.findings + 100, seed=1, progress=False)
            figures["overview_after_write_s"].append(overview(browser, url))
        browser.close()
    summary = {k: round(statistics.median(v), 2) for k, v in figures.items() if v}
    summary["overview_first_s"] = round(figures["overview_s"][0], 2)
    for k, v in summary.items():
        print(f"{k:24} {v} s" + (f" (median of {len(figures[k])})" if len(figures.get(k, [])) > 1
                                 else ""))
    save({"median": summary, "runs": figures, "findings": args.findings or 216}, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
