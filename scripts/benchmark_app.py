"""Time to first render of the app's overview and check pages, in a real browser.

Usage: python scripts/benchmark_app.py [--runs 3] [--findings 100000]
                                       [--output scripts/results/app.json]

Starts the app on a free local port, then with headless Chromium (Debian's chromium,
driven by playwright) measures from navigation until (a) the overview's heatmaps are
drawn, (b) the check page's text box is shown, and (c) the first check of a finding
returns (this includes loading the model once). Each in a fresh browser page.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--findings", type=int, default=0,
                        help="grow a scratch database to this many findings first")
    parser.add_argument("--database", default=None, metavar="URL",
                        help="run over this database instead (e.g. the one "
                             "benchmark_history.py grew; it prints where)")
    parser.add_argument("--output", type=Path, default=None)
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

    figures: dict[str, list[float]] = {"overview_s": [], "check_page_s": [], "first_check_s": []}
    with running_app(timeout=120) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for run in range(args.runs):
            page = browser.new_page()
            t = time.perf_counter()
            page.goto(url + "/")
            page.locator('[data-testid="stVegaLiteChart"] canvas, '
                         '[data-testid="stVegaLiteChart"] svg.marks').nth(1).wait_for(
                timeout=120_000)
            figures["overview_s"].append(time.perf_counter() - t)
            page.close()
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
        browser.close()
    summary = {k: round(statistics.median(v), 2) for k, v in figures.items() if v}
    for k, v in summary.items():
        print(f"{k:16} {v} s (median of {len(figures[k])})")
    save({"median": summary, "runs": figures, "findings": args.findings or 216}, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
