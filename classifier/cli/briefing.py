"""`briefing`: the Overview to take away, as one self-contained HTML page.

Examples::

    python -m classifier briefing --output brief.html --theme disclosure --from 2015 --to 2025
    python -m classifier briefing --output cps.html --publisher CPS --kind response
"""
from __future__ import annotations

import argparse
from pathlib import Path

from classifier.cli.common import read_selection, selection_options


def _add(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("briefing", help="one self-contained HTML page for a selection",
                       description="Theme shares by year, the top recurring weaknesses with "
                                   "their reports, the Areas most affected, the findings "
                                   "behind each and every source's address; charts as SVG, "
                                   "opens with no network, prints on A4.")
    b.add_argument("--output", type=Path, required=True, help="the .html file to write")
    b.add_argument("--title", default="Inspection findings briefing")
    selection_options(b)
    b.set_defaults(func=_run_briefing)


def _run_briefing(args: argparse.Namespace) -> int:
    from classifier.fileio import write_text
    from classifier.insight.briefing import briefing_html

    findings, groups, selection = read_selection(args)
    write_text(args.output, briefing_html(findings, groups, selection, title=args.title))
    print(f"briefing written to {args.output}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _add(sub)
