"""Geometry for the server-drawn SVG charts (line, bar, funnel). Templates in templates/dashboards/charts/ draw it.

Everything is computed here so the templates only place shapes; nothing is fetched from outside the site.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from socialbiz import l10n
from socialbiz.charts import nice_max

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36


def _fmt(value: float, suffix: str = "") -> str:
    """A number as the reader's language writes it ("12,500", "12.500"); "%" becomes a localised percentage."""
    return l10n.percent(value) if suffix == "%" else l10n.number(value) + suffix


@dataclass
class Chart:
    """What a chart template needs. `dom_id` ties the SVG's <title>/<desc> to aria-labelledby."""

    kind: str
    dom_id: str
    title: str
    explanation: str
    width: int = WIDTH
    height: int = HEIGHT
    gridlines: list[dict] = field(default_factory=list)
    x_labels: list[dict] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    empty: bool = False


def _grid(top_value: float, *, suffix: str = "") -> list[dict]:
    plot_h = HEIGHT - TOP - BOTTOM
    return [{"y": round(TOP + plot_h * (1 - i / 4), 1), "label": _fmt(top_value * i / 4, suffix)} for i in range(5)]


def _x_labels(labels: list[str], xs: list[float], *, edge_anchored: bool = False) -> list[dict]:
    """A label under every point when there are few, else first, middle and last (kept inside the frame)."""
    if not labels:
        return []
    picks = range(len(labels)) if len(labels) <= 8 else sorted({0, len(labels) // 2, len(labels) - 1})
    result = []
    for i in picks:
        anchor = "middle"
        if edge_anchored and len(labels) > 1:
            anchor = "start" if i == 0 else "end" if i == len(labels) - 1 else "middle"
        result.append({"x": round(xs[i], 1), "label": l10n.value(labels[i]), "anchor": anchor})
    return result


def _axis_top(values: list[float], *, integer: bool) -> float:
    # Counts of people or posts: at least 4, so the gridlines fall on whole numbers.
    top = nice_max(max(values, default=0))
    return max(top, 4) if integer else top


def line_chart(
    *,
    dom_id: str,
    title: str,
    explanation: str,
    labels: list[str],
    series: list[tuple[str, list]],
    max_value: float | None = None,
    suffix: str = "",
) -> Chart:
    """One or more lines over shared x labels. None values leave a gap."""
    values = [v for _, vals in series for v in vals if v is not None]
    chart = Chart("line", dom_id, title, explanation, empty=not values)
    top_value = max_value or _axis_top(values, integer=not suffix)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(labels), 1)
    xs = [LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2) for i in range(count)]
    chart.gridlines = _grid(top_value, suffix=suffix)
    chart.x_labels = _x_labels(labels, xs, edge_anchored=True)
    for index, (name, vals) in enumerate(series):
        points = []
        for x, value in zip(xs, vals, strict=False):
            if value is not None:
                points.append((round(x, 1), round(TOP + plot_h * (1 - value / top_value), 1)))
        chart.series.append(
            {
                "name": name,
                "css": f"series-{index}",
                "points": " ".join(f"{x},{y}" for x, y in points),
                "dots": [{"x": x, "y": y} for x, y in points] if len(points) <= 60 else [],
            }
        )
        chart.legend.append({"name": name, "css": f"series-{index}"})
    return chart


def bar_chart(
    *, dom_id: str, title: str, explanation: str, labels: list[str], series: list[tuple[str, list]], suffix: str = ""
) -> Chart:
    """Grouped vertical bars: one group per label, one bar per series."""
    values = [v for _, vals in series for v in vals if v is not None]
    chart = Chart("bar", dom_id, title, explanation, empty=not any(values))
    top_value = _axis_top(values, integer=not suffix)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    groups = max(len(labels), 1)
    group_w = plot_w / groups
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    chart.gridlines = _grid(top_value, suffix=suffix)
    centres = [LEFT + group_w * (i + 0.5) for i in range(len(labels))]
    chart.x_labels = _x_labels(labels, centres, edge_anchored=len(labels) > 8)
    for s_index, (name, vals) in enumerate(series):
        for g_index, value in enumerate(vals):
            if not value:
                continue
            h = plot_h * value / top_value
            chart.bars.append(
                {
                    "x": round(LEFT + group_w * g_index + group_w * 0.1 + bar_w * s_index, 1),
                    "y": round(TOP + plot_h - h, 1),
                    "w": round(bar_w, 1),
                    "h": round(h, 1),
                    "css": f"series-{s_index}",
                    "label": f"{l10n.value(labels[g_index])}: {name} {_fmt(value, suffix)}",
                }
            )
        chart.legend.append({"name": name, "css": f"series-{s_index}"})
    return chart


def funnel_chart(*, dom_id: str, title: str, explanation: str, steps: list[tuple[str, int, str]]) -> Chart:
    """Centred horizontal bars, widest first. Each step: (label, count, text shown after the count)."""
    chart = Chart(
        "funnel", dom_id, title, explanation, height=44 * len(steps) + 8, empty=not any(c for _, c, _ in steps)
    )
    top = max((count for _, count, _ in steps), default=0) or 1
    plot_w = WIDTH - 2 * 150
    for index, (label, count, note) in enumerate(steps):
        w = max(plot_w * count / top, 2)
        chart.steps.append(
            {
                "x": round(WIDTH / 2 - w / 2, 1),
                "y": 8 + index * 44,
                "w": round(w, 1),
                "h": 32,
                "label": label,
                "count": count,
                "note": note,
                "text_y": 8 + index * 44 + 21,
                "css": f"step-{index}",
            }
        )
    return chart
