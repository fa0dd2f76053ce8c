"""Vega-Lite specifications of the app's charts, as plain dicts.

Streamlit draws these with ``st.vega_lite_chart(data, spec)``. Writing the specs directly,
rather than through Altair, keeps Altair's import (about 0.4 s) out of a page's first render
and keeps each chart readable as the JSON the browser receives.
"""
from __future__ import annotations

import pandas as pd

THEME_SCALE_SCHEME = "blues"


def _field(name: str, kind: str, **extra) -> dict:
    return {"field": name, "type": kind, **extra}


def heatmap(table: pd.DataFrame, by: str, *, theme_order: list[str], share: bool,
            legend_title: str | None) -> tuple[pd.DataFrame, dict]:
    """Long data and spec of a theme × ``by`` table: shaded cells, each with its value."""
    data = table.reset_index().melt(id_vars="theme", var_name=by, value_name="value")
    fmt = ".0%" if share else "d"
    middle = float(table.values.max()) / 2 if table.size else 0.0
    spec = {
        "height": {"step": 34},
        "encoding": {
            "x": _field(by, "nominal", title=by.title(),
                        axis={"labelAngle": -40 if by == "area" else 0, "labelLimit": 160,
                              "labelOverlap": False}),
            "y": _field("theme", "nominal", sort=theme_order, title="Theme"),
        },
        "layer": [
            {"mark": "rect",
             "encoding": {
                 "color": _field("value", "quantitative", scale={"scheme": THEME_SCALE_SCHEME},
                                 legend={"title": legend_title} if legend_title else None),
                 "tooltip": [_field("theme", "nominal"), _field(by, "nominal"),
                             _field("value", "quantitative", format=fmt)]}},
            {"mark": {"type": "text", "fontSize": 11},
             "encoding": {
                 "text": _field("value", "quantitative", format=fmt),
                 "color": {"condition": {"test": f"datum.value > {middle}", "value": "white"},
                           "value": "black"}}},
        ],
    }
    if by != "area":
        spec["width"] = {"step": 40}
    return data, spec


def trend(theme_order: list[str]) -> dict:
    """Theme share by year: one line per theme (data: year, theme, share, findings, reports)."""
    return {
        "height": 260,
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": _field("year", "ordinal", title="Year"),
            "y": _field("share", "quantitative", axis={"format": "%"}),
            "color": _field("theme", "nominal", sort=theme_order),
            "tooltip": [_field("year", "ordinal"), _field("theme", "nominal"),
                        _field("findings", "quantitative"),
                        _field("share", "quantitative", format=".0%"),
                        _field("reports", "quantitative")],
        },
    }


def probabilities() -> dict:
    """Calibrated probability per theme as bars, its decision threshold as a red tick
    (data: theme, probability, threshold)."""
    y = _field("theme", "nominal", sort=None)
    return {
        "height": 180,
        "layer": [
            {"mark": "bar",
             "encoding": {"x": _field("probability", "quantitative", scale={"domain": [0, 1]}),
                          "y": y,
                          "tooltip": [_field("theme", "nominal"),
                                      _field("probability", "quantitative", format=".2f"),
                                      _field("threshold", "quantitative")]}},
            {"mark": {"type": "tick", "color": "red", "thickness": 2, "size": 20},
             "encoding": {"x": _field("threshold", "quantitative"), "y": y}},
        ],
    }


def theme_bars(colour_by: str) -> dict:
    """Findings per theme, stacked by ``colour_by`` (data: one row per finding and theme)."""
    return {
        "height": 200,
        "mark": "bar",
        "encoding": {
            "x": {"aggregate": "count", "type": "quantitative", "title": "findings"},
            "y": _field("theme", "nominal", sort="-x"),
            "color": _field(colour_by, "nominal"),
        },
    }

