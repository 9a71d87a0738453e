"""Plotly figures shared by the report and the facilitator dashboard (data only, drawn by report.js)."""

from __future__ import annotations

from html import escape
from typing import Any

BAND_COLOUR = "rgba(31, 95, 168, 0.15)"


def plain(text: str) -> str:
    """Escape a text for Plotly, which reads a little HTML in labels and names (a bank's or an organisation's <a> must stay text)."""
    return escape(text, quote=False)


def wrap_label(text: str, width: int = 18) -> str:
    """Break a long axis title into lines (Plotly reads <br>), so it is not cut off at the edge."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(plain(line) for line in lines)


def ring(values: list[Any]) -> list[Any]:
    """Close a polygon: the first point again at the end."""
    return values + values[:1]


def line(name: str, theta: list[str], values: list[float | None], **style: Any) -> dict[str, Any]:
    """One closed line around the radar."""
    return {"type": "scatterpolar", "name": plain(name), "r": ring(values), "theta": ring(theta), **style}


def band_and_median(
    theta: list[str],
    p25: list[float | None],
    p75: list[float | None],
    median: list[float | None],
    band_name: str,
    median_name: str,
) -> list[dict[str, Any]]:
    """The middle half of a group as a shaded band, and its median as a dashed line.

    The band (and its legend entry) only where the release has quartiles: they come from many
    more peers than the median (privacy.QUARTILES_FROM), and a legend must not name what is not drawn.
    """
    median_line = line(median_name, theta, median, line={"dash": "dash", "color": "#4f5a6b"})
    if all(low is None for low in p25) or all(high is None for high in p75):
        return [median_line]
    band = {
        "type": "scatterpolar", "name": plain(band_name), "r": ring(p75) + ring(p25)[::-1], "theta": ring(theta) + ring(theta)[::-1],
        "fill": "toself", "fillcolor": BAND_COLOUR, "line": {"width": 0}, "hoverinfo": "skip",
    }  # fmt: skip
    return [band, median_line]


def radar_layout(axes: int) -> dict[str, Any]:
    """The radar's layout; report.js re-wraps the labels and widens the margins to fit the chart's width."""
    # The first dimension at the top, clockwise; the radial axis (and its "100") runs halfway
    # between the first two dimensions, so that no tick sits on a dimension's label; its tick
    # angle (relative to the axis) equal to the axis' angle keeps the numbers upright.
    between = 90 - 180 / axes if axes else 90
    return {
        "polar": {
            "radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "angle": between, "tickangle": between,
                           "tickfont": {"size": 10, "color": "#4f5a6b"}},
            "angularaxis": {"rotation": 90, "direction": "clockwise"},
        },
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "xref": "container", "y": 0, "yref": "container", "yanchor": "bottom"},
        "margin": {"l": 90, "r": 90, "t": 50, "b": 40},
        "font": {"family": "system-ui, sans-serif"},
    }  # fmt: skip


def figure(titles: list[str], data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    """A figure for report.js: Plotly's data and layout, and the full titles (as text: report.js escapes
    them as :func:`plain` does) that it wraps to the chart's width."""
    return {"data": data, "layout": layout, "titles": titles}
