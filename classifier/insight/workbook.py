"""The Overview as an Excel workbook: one sheet per table, the filters as each sheet's first
rows, heatmaps and the trend as conditional formatting (colour scales Excel draws itself),
source addresses as links. Written with openpyxl; cells a spreadsheet would run as a
formula are written as text.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from classifier.codebook import Codebook
from classifier.fileio import FORMULA_PREFIXES
from classifier.insight.selection import Selection, overview_tables, select

SHADED = {"Theme by Area", "Theme by Part", "Theme share by year", "Areas most affected"}
WIDE_TEXT = {"weakness": 70, "text": 80, "report_titles": 60, "report": 45, "source_url": 45}


def _cell(value):
    """A value openpyxl can write, never a formula."""
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_workbook(findings: pd.DataFrame, groups: pd.DataFrame | None, selection: Selection,
                   output: Path, codebook: Codebook | None = None) -> list[str]:
    """Write the workbook for ``selection`` atomically; returns the sheet names."""
    from classifier.fileio import atomic_path

    book = build_workbook(findings, groups, selection, codebook)
    with atomic_path(Path(output)) as tmp:
        book.save(tmp)
    return [s.title for s in book.worksheets]


def workbook_bytes(findings: pd.DataFrame, groups: pd.DataFrame | None, selection: Selection,
                   codebook: Codebook | None = None,
                   filters: list[tuple[str, str]] | None = None) -> bytes:
    """The workbook as bytes (the app's download)."""
    import io

    buffer = io.BytesIO()
    build_workbook(findings, groups, selection, codebook, filters).save(buffer)
    return buffer.getvalue()


def build_workbook(findings: pd.DataFrame, groups: pd.DataFrame | None, selection: Selection,
                   codebook: Codebook | None = None,
                   filters: list[tuple[str, str]] | None = None):
    """The openpyxl Workbook: one sheet per Overview table, ``filters`` (else the
    selection's) as its first rows."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    chosen = select(findings, selection, codebook)
    tables = overview_tables(chosen, groups, codebook)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for name, table in tables.items():
        sheet = book.create_sheet(name[:31])
        summary = ("Selection", f"{len(chosen)} findings from "
                                f"{chosen['report_id'].nunique()} publications")
        for row in [summary] + (filters or selection.rows()):
            sheet.append(list(row))
            sheet.cell(sheet.max_row, 1).font = bold
        sheet.append([])
        frame = table.reset_index() if name in SHADED - {"Areas most affected"} else table
        header_row = sheet.max_row + 1
        sheet.append([str(c) for c in frame.columns])
        for cell in sheet[header_row]:
            cell.font = bold
        for values in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in values])
        last_row = sheet.max_row
        sheet.freeze_panes = sheet.cell(header_row + 1, 2)
        for j, column in enumerate(frame.columns, start=1):
            sheet.column_dimensions[get_column_letter(j)].width = WIDE_TEXT.get(str(column), 14)
        if "source_url" in frame.columns:
            j = list(frame.columns).index("source_url") + 1
            for i in range(header_row + 1, last_row + 1):
                cell = sheet.cell(i, j)
                if isinstance(cell.value, str) and cell.value.startswith(("http://", "https://")):
                    cell.hyperlink, cell.style = cell.value, "Hyperlink"
        if name in SHADED and last_row > header_row and len(frame.columns) > 1:
            first_col = 4 if name == "Areas most affected" else 2  # counts only
            span = (f"{get_column_letter(first_col)}{header_row + 1}:"
                    f"{get_column_letter(len(frame.columns))}{last_row}")
            sheet.conditional_formatting.add(span, ColorScaleRule(
                start_type="min", start_color="F7FBFF", end_type="max", end_color="08306B"))
    return book


__all__ = ["write_workbook", "workbook_bytes", "build_workbook"]
