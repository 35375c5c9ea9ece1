"""Small server-side SVG charts for the dashboard: no scripts, every label escaped.

Each chart has a ``viewBox`` and no fixed size, so it scales to the width of the window (CSS
``width: 100%``); the title, the legend, the axis and the labels each have their own band, so none is
drawn over another however many bars there are.
"""

from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569"]
WIDTH = 900  # viewBox units; the chart is drawn at the width of its container
LEFT = 56  # the axis labels' band
RIGHT = 40  # room for the last label
MAX_SLOT = 60  # a bar is no wider than this however few there are
MAX_LABELS = 12
MAX_COLUMNS = 480  # a bar chart draws the last 480 columns at most (40 years of months)


def _svg(title: str, height: int, parts: list[str]) -> Markup:
    return Markup(
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {height}' class='chart' "
        f"preserveAspectRatio='xMinYMin meet' role='img' aria-label='{escape(title)}'>{''.join(parts)}</svg>"
    )


def _legend(names: list[str], y: int) -> list[str]:
    parts, x = [], 0
    for n, name in enumerate(names):
        colour = PALETTE[n % len(PALETTE)]
        parts.append(f"<rect x='{x}' y='{y - 10}' width='12' height='12' fill='{colour}'/>")
        parts.append(f"<text x='{x + 16}' y='{y}' font-size='13' class='legend'>{escape(name)}</text>")
        x += 16 + 8 * len(name) + 22
    return parts


def stacked_bars(
    title: str, columns: list[str], series: dict[str, list[int]], height: int = 300, grouped: bool = False
) -> Markup:
    """Vertical bars: one slot per column label, one colour per series (stacked, or side by side when
    ``grouped``), a legend above the plot, the axis at the left, at most MAX_LABELS labels below; only
    the last MAX_COLUMNS columns."""
    first = max(len(columns) - MAX_COLUMNS, 0)
    columns, series = columns[first:], {name: values[first:] for name, values in series.items()}
    combine = max if grouped else sum
    totals = [combine([values[i] for values in series.values()] or [0]) for i in range(len(columns))]
    top = max(totals, default=0) or 1
    plot_top, plot_bottom = 56, height - 26
    slot = min((WIDTH - LEFT - RIGHT) / max(len(columns), 1), MAX_SLOT)
    parts = [f"<text x='0' y='16' font-weight='bold' font-size='15'>{escape(title)}</text>"]
    parts += _legend(list(series), 38)
    parts.append(f"<text x='{LEFT - 6}' y='{plot_top + 10}' font-size='11' text-anchor='end'>{top}</text>")
    parts.append(f"<text x='{LEFT - 6}' y='{plot_bottom}' font-size='11' text-anchor='end'>0</text>")
    parts.append(
        f"<line x1='{LEFT}' y1='{plot_bottom}' x2='{WIDTH - RIGHT}' y2='{plot_bottom}' stroke='#94a3b8' stroke-width='1'/>"
    )
    every = max(1, -(-len(columns) // MAX_LABELS))
    names = list(series)
    width = max((slot / len(series) if grouped and series else slot) - 1, 0.5)
    for i, column in enumerate(columns):
        x = LEFT + i * slot
        y = plot_bottom
        for n, values in enumerate(series.values()):
            h = values[i] / top * (plot_bottom - plot_top)
            if grouped:
                left, y = x + n * (width + 1 / max(len(series), 1)), plot_bottom - h
            else:
                left, y = x, y - h
            parts.append(
                f"<rect x='{left:.1f}' y='{y:.1f}' width='{width:.1f}' height='{h:.1f}' "
                f"fill='{PALETTE[n % len(PALETTE)]}'><title>{escape(column)}: {escape(names[n])} "
                f"{values[i]}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f"<text x='{x:.1f}' y='{height - 8}' font-size='11' class='axis-label'>{escape(column)}</text>"
            )
    return _svg(title, height, parts)


def horizontal_bars(title: str, rows: list[tuple[str, int]], label_chars: int = 34) -> Markup:
    """One bar per (label, value), largest first as given; long labels are cut (whole on hover)."""
    line, label_width = 22, 8 * label_chars
    top = max((value for _, value in rows), default=0) or 1
    room = WIDTH - label_width - 60
    parts = [f"<text x='0' y='16' font-weight='bold' font-size='15'>{escape(title)}</text>"]
    for i, (label, value) in enumerate(rows):
        y = 30 + i * line
        shown = label if len(label) <= label_chars else label[: label_chars - 1] + "…"
        parts.append(
            f"<text x='0' y='{y + 13}' font-size='13'><title>{escape(label)}</title>{escape(shown)}</text>"
        )
        width = value / top * room
        parts.append(
            f"<rect x='{label_width}' y='{y}' width='{width:.1f}' height='{line - 6}' fill='{PALETTE[0]}'>"
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        parts.append(f"<text x='{label_width + width + 5:.1f}' y='{y + 13}' font-size='12'>{value}</text>")
    return _svg(title, 36 + len(rows) * line, parts)
