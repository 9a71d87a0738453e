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
    """The middle half of a group as a shaded band, and its median as a dashed line."""
    band = {
        "type": "scatterpolar", "name": plain(band_name), "r": ring(p75) + ring(p25)[::-1], "theta": ring(theta) + ring(theta)[::-1],
        "fill": "toself", "fillcolor": BAND_COLOUR, "line": {"width": 0}, "hoverinfo": "skip",
    }  # fmt: skip
    return [band, line(median_name, theta, median, line={"dash": "dash", "color": "#4f5a6b"})]


def radar_layout() -> dict[str, Any]:
    return {
        "polar": {"radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100]}},
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.12},
        "margin": {"l": 70, "r": 70, "t": 40, "b": 70},
        "font": {"family": "system-ui, sans-serif"},
    }
