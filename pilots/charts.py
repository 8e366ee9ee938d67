"""The SVG geometry of a measure over the pilot window: its values as a line, the target as a dashed line.

Drawn on the server like the dashboards' charts (same frame and CSS classes); the x axis is the calendar, so
hand-recorded values on uneven days sit where they belong."""

from __future__ import annotations

from decimal import Decimal

from socialbiz import l10n
from socialbiz.charts import nice_max

from .selectors import MeasureReport

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 36


def _fmt(value: float) -> str:
    return l10n.number(float(value))


def measure_chart(report: MeasureReport, *, start, end) -> dict:
    """Points, target and baseline lines, gridlines and the window's first and last day as labels."""
    measure = report.measure
    values = [float(p.value) for p in report.points]
    everything = [*values, float(measure.target), float(measure.baseline)]
    low = min(0.0, min(everything))
    high = nice_max(max(everything) - low) + low if max(everything) > low else low + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    days = max((end - start).days, 1)

    def x(day) -> float:
        return round(LEFT + plot_w * min(max((day - start).days, 0), days) / days, 1)

    def y(value: float | Decimal) -> float:
        return round(TOP + plot_h * (1 - (float(value) - low) / (high - low)), 1)

    points = [(x(p.day), y(p.value)) for p in report.points]
    return {
        "dom_id": f"measure-{measure.pk}",
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "gridlines": [
            {"y": y(low + (high - low) * i / 4), "label": _fmt(low + (high - low) * i / 4)} for i in range(5)
        ],
        "x_labels": [
            {"x": LEFT, "label": l10n.short_date(start), "anchor": "start"},
            {"x": WIDTH - RIGHT, "label": l10n.short_date(end), "anchor": "end"},
        ],
        "points": " ".join(f"{px},{py}" for px, py in points),
        "dots": [{"x": px, "y": py} for px, py in points],
        "target_y": y(measure.target),
        "baseline_y": y(measure.baseline),
        "empty": not points,
    }
