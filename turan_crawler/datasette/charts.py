"""Small server-side SVG charts for the dashboard: no scripts, every label escaped."""

from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569"]


def stacked_bars(title: str, columns: list[str], series: dict[str, list[int]], height: int = 220) -> Markup:
    """Vertical stacked bars: one bar per column label, one colour per series, with a legend."""
    width = max(480, 14 * len(columns) + 60)
    totals = [sum(values[i] for values in series.values()) for i in range(len(columns))]
    top = max(totals, default=0) or 1
    bar = (width - 60) / max(len(columns), 1)
    parts = [
        f"<text x='0' y='14' font-weight='bold'>{escape(title)}</text>",
        f"<text x='0' y='40' font-size='11'>{top}</text>",
    ]
    for i, column in enumerate(columns):
        y = height - 20
        for n, values in enumerate(series.values()):
            h = values[i] / top * (height - 74)
            y -= h
            parts.append(
                f"<rect x='{50 + i * bar:.1f}' y='{y:.1f}' width='{max(bar - 2, 1):.1f}' height='{h:.1f}' "
                f"fill='{PALETTE[n % len(PALETTE)]}'><title>{escape(column)}: {values[i]}</title></rect>"
            )
        if i % max(1, len(columns) // 12) == 0:
            parts.append(
                f"<text x='{50 + i * bar:.1f}' y='{height - 4}' font-size='10'>{escape(column)}</text>"
            )
    legend = "".join(
        f"<tspan fill='{PALETTE[n % len(PALETTE)]}'>■ {escape(name)} </tspan>"
        for n, name in enumerate(series)
    )
    parts.append(f"<text x='0' y='34' font-size='12'>{legend}</text>")
    return Markup(
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
        f"aria-label='{escape(title)}'>{''.join(parts)}</svg>"
    )


def horizontal_bars(title: str, rows: list[tuple[str, int]]) -> Markup:
    width, line = 640, 18
    top = max((value for _, value in rows), default=0) or 1
    parts = [f"<text x='0' y='14' font-weight='bold'>{escape(title)}</text>"]
    for i, (label, value) in enumerate(rows):
        y = 26 + i * line
        parts.append(f"<text x='0' y='{y + 12}' font-size='12'>{escape(label)}</text>")
        parts.append(
            f"<rect x='200' y='{y}' width='{value / top * 380:.1f}' height='{line - 4}' fill='{PALETTE[0]}'/>"
        )
        parts.append(f"<text x='{205 + value / top * 380:.1f}' y='{y + 12}' font-size='11'>{value}</text>")
    height = 30 + len(rows) * line
    return Markup(
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
        f"aria-label='{escape(title)}'>{''.join(parts)}</svg>"
    )
