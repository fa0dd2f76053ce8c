"""Charts as inline SVG text, for pages that must open with no network and no script (the
briefing): a line per theme over years, and a shaded theme × Area grid.

Plain string building: a charting library would bring JavaScript or a browser to render.
Every value is escaped; sizes are in SVG user units and the SVG scales to its container.
"""
from __future__ import annotations

from html import escape

import pandas as pd

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#7f7f7f", "#8c564b"]
FONT = 'font-family="Helvetica, Arial, sans-serif"'


def _colour(order: list[str], theme: str) -> str:
    return PALETTE[order.index(theme) % len(PALETTE)] if theme in order else PALETTE[-1]


def trend_chart(trend: pd.DataFrame, theme_order: list[str], *, width: int = 720,
                height: int = 300) -> str:
    """Theme share by year (long table year, theme, share) as lines with points; every year
    the data covers is on the axis, so a gap year reads as a gap."""
    if trend.empty:
        return ""
    years = list(range(int(trend["year"].min()), int(trend["year"].max()) + 1))
    left, right, top, bottom = 48, 150, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    top_share = max(0.1, float(trend["share"].max()))
    top_share = min(1.0, -(-top_share * 10 // 1) / 10)  # round up to a tenth

    def x(year: int) -> float:
        return left + (plot_w * (years.index(year) + 0.5) / len(years))

    def y(share: float) -> float:
        return top + plot_h * (1 - share / top_share)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="Theme share by year" class="chart">']
    for i in range(0, 6):
        share = top_share * i / 5
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(share):.1f}" '
                     f'y2="{y(share):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(share) + 4:.1f}" text-anchor="end" '
                     f'font-size="11" {FONT}>{share:.0%}</text>')
    step = max(1, len(years) // 14)  # at most ~14 labels however many years
    for i, year in enumerate(years):
        if i % step == 0 or year == years[-1]:
            parts.append(f'<text x="{x(year):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                         f'font-size="11" {FONT}>{year}</text>')
    themes = [t for t in theme_order if t in set(trend["theme"])]
    for n, theme in enumerate(themes):
        rows = trend[trend["theme"] == theme].sort_values("year")
        colour = _colour(theme_order, theme)
        points = [(x(int(r.year)), y(float(r.share))) for r in rows.itertuples()]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"/>')
        for (px, py), r in zip(points, rows.itertuples()):
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}">'
                         f'<title>{escape(theme)} {int(r.year)}: {float(r.share):.0%} '
                         f'({int(r.findings)} findings)</title></circle>')
        ly = top + 14 + 18 * n
        parts.append(f'<rect x="{left + plot_w + 14}" y="{ly - 9}" width="12" height="12" '
                     f'fill="{colour}"/><text x="{left + plot_w + 32}" y="{ly + 1}" '
                     f'font-size="12" {FONT}>{escape(theme)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def heat_colour(value: float, top: float) -> str:
    """White to dark blue, by value over top."""
    t = 0.0 if top <= 0 else max(0.0, min(1.0, value / top))
    start, end = (247, 251, 255), (8, 48, 107)
    r, g, b = (round(a + (z - a) * t) for a, z in zip(start, end))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(table: pd.DataFrame, *, cell: int = 44, label_w: int = 130) -> str:
    """A theme × column table of counts as shaded cells with their numbers."""
    if table.empty or table.shape[1] == 0:
        return ""
    rows, cols = [str(i) for i in table.index], [str(c) for c in table.columns]
    head, row_h = 110, cell / 1.6
    width, height = label_w + cell * len(cols) + 70, head + row_h * len(rows) + 8
    top = float(table.to_numpy().max())
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
             f'role="img" aria-label="Themes by Area" class="chart">']
    for j, col in enumerate(cols):
        cx = label_w + cell * j + cell / 2
        parts.append(f'<text transform="translate({cx:.1f},{head - 6}) rotate(-50)" '
                     f'font-size="11" {FONT}>{escape(col)}</text>')
    for i, row in enumerate(rows):
        ry = head + row_h * i
        parts.append(f'<text x="{label_w - 6}" y="{ry + row_h / 2 + 4:.1f}" text-anchor="end" '
                     f'font-size="11" {FONT}>{escape(row)}</text>')
        for j, col in enumerate(cols):
            value = float(table.iloc[i, j])
            fill = heat_colour(value, top)
            ink = "white" if top and value > top / 2 else "black"
            cx = label_w + cell * j
            parts.append(f'<rect x="{cx}" y="{ry:.1f}" width="{cell - 2}" height="{row_h - 2:.1f}" '
                         f'fill="{fill}"><title>{escape(row)} × {escape(col)}: {value:g}</title>'
                         f'</rect><text x="{cx + cell / 2 - 1:.1f}" y="{ry + row_h / 2 + 3:.1f}" '
                         f'text-anchor="middle" font-size="11" fill="{ink}" {FONT}>{value:g}</text>')
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["trend_chart", "heatmap", "heat_colour", "PALETTE"]
