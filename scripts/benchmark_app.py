"""Time to first render of the app's overview and check pages, in a real browser.

Usage: python scripts/benchmark_app.py [--runs 3] [--output scripts/results/app.json]

Starts the app on a free local port, then with headless Chromium (Debian's chromium,
driven by playwright) measures from navigation until (a) the overview's heatmaps are
drawn, (b) the check page's text box is shown, and (c) the first check of a finding
returns (this includes loading the model once). Each in a fresh browser page.
"""
from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", type=Path, default=ROOT / "scripts/results/app.json")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        print("error: needs Debian's chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                               "--server.port", str(port), "--server.address", "127.0.0.1"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    figures: dict[str, list[float]] = {"overview_s": [], "check_page_s": [], "first_check_s": []}
    try:
        for _ in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
            for run in range(args.runs):
                page = browser.new_page()
                t = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/")
                page.locator('[data-testid="stVegaLiteChart"] canvas, '
                             '[data-testid="stVegaLiteChart"] svg.marks').nth(1).wait_for(
                    timeout=120_000)
                figures["overview_s"].append(time.perf_counter() - t)
                page.close()
                page = browser.new_page()
                t = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/check")
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
    finally:
        server.terminate()
        server.wait(10)
    summary = {k: round(statistics.median(v), 2) for k, v in figures.items() if v}
    for k, v in summary.items():
        print(f"{k:16} {v} s (median of {len(figures[k])})")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"median": summary, "runs": figures}, indent=2) + "\n")
    print(f"saved {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
