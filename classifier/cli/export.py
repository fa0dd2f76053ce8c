"""`export`: the Overview's tables as an Excel workbook, one sheet each.

Examples::

    python -m classifier export --format xlsx --output overview.xlsx
    python -m classifier export --format xlsx --output hmcpsi.xlsx --publisher HMCPSI --from 2016
"""
from __future__ import annotations

import argparse
from pathlib import Path

from classifier.cli.common import read_selection, selection_options


def _add(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("export", help="the Overview's tables as a workbook (one sheet each)",
                       description="Theme × Area, × Part, share by year, recurring weaknesses, "
                                   "Areas most affected and the findings, one sheet each, the "
                                   "filters as each sheet's first rows, heatmaps as colour "
                                   "scales.")
    e.add_argument("--format", choices=["xlsx"], default="xlsx")
    e.add_argument("--output", type=Path, required=True, help="the .xlsx file to write")
    selection_options(e)
    e.set_defaults(func=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    from classifier.insight.workbook import write_workbook

    findings, groups, selection = read_selection(args)
    sheets = write_workbook(findings, groups, selection, args.output)
    print(f"{args.output}: {len(sheets)} sheets ({', '.join(sheets)})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _add(sub)
