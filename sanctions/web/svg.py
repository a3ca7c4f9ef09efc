"""Charts as inline SVG for the coordination pages: an overlap heatmap, an intersection
bar chart and a designations timeline. Every label is escaped (dataset ids and
programme names come from the lists); colours are presentation attributes, not
inline styles, so the Content-Security-Policy holds. Each chart has a ``<title>``
and a text equivalent (the tables on the page)."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from markupsafe import Markup

__all__ = ["heatmap", "intersection_bars", "timeline_lines", "PALETTE"]

PALETTE = (
    "#1f5fa8",
    "#c0392b",
    "#1e8449",
    "#8e44ad",
    "#b9770e",
    "#117a8b",
    "#6e2c00",
    "#566573",
    "#d35400",
    "#2e4053",
)


def _t(text: Any) -> str:
    return escape(str(text), quote=True)


def heatmap(datasets: list[str], totals: dict[str, int], pairs: dict[str, Any]) -> Markup:
    """Rows: a list; columns: another; a cell: the share of the row's subjects both list."""
    cell, left, top = 46, 190, 150
    size = len(datasets)
    width, height = left + cell * size + 90, top + cell * size + 10  # room for tilted labels
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-labelledby="hm-title">',
        '<title id="hm-title">Overlap between lists: share of the row list\'s subjects '
        "that the column list also lists</title>",
    ]
    for j, b in enumerate(datasets):
        x = left + j * cell + cell / 2
        out.append(
            f'<text x="{x:.0f}" y="{top - 6}" transform="rotate(-50 {x:.0f} {top - 6})" '
            f'font-size="11">{_t(b)}</text>'
        )
    for i, a in enumerate(datasets):
        y = top + i * cell
        out.append(
            f'<text x="{left - 6}" y="{y + cell / 2 + 4:.0f}" text-anchor="end" '
            f'font-size="11">{_t(a)} ({totals.get(a, 0):,})</text>'
        )
        for j, b in enumerate(datasets):
            both = int(pairs[a][b])
            share = both / totals[a] if totals.get(a) else 0.0
            x = left + j * cell
            dark = share > 0.55
            out.append(
                f"<g><title>{_t(a)} and {_t(b)}: {both:,} subjects ({share:.0%} of {_t(a)})</title>"
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="#1f5fa8" '
                f'fill-opacity="{0.06 + 0.94 * share:.3f}"/>'
                f'<text x="{x + cell / 2 - 1:.0f}" y="{y + cell / 2 + 4:.0f}" text-anchor="middle" '
                f'font-size="10" fill="{"#fff" if dark else "#111"}">{share:.0%}</text></g>'
            )
    out.append("</svg>")
    return Markup("".join(out))


def intersection_bars(combos: list[dict[str, Any]], limit: int = 15) -> Markup:
    """The most frequent exact combinations of lists, as horizontal bars."""
    rows = combos[:limit]
    bar_h, left, width = 22, 330, 720
    height = bar_h * len(rows) + 30
    most = max((r["subjects"] for r in rows), default=1) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-labelledby="ix-title">',
        '<title id="ix-title">Subjects by the exact set of lists that list them</title>',
    ]
    for i, row in enumerate(rows):
        y = 10 + i * bar_h
        label = " + ".join(row["datasets"])
        length = (width - left - 70) * row["subjects"] / most
        out.append(
            f"<g><title>{_t(label)}: {row['subjects']:,}</title>"
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="11">'
            f"{_t(label[:60])}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{max(length, 1):.1f}" height="{bar_h - 6}" '
            f'fill="#1f5fa8"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + 15}" font-size="11">{row["subjects"]:,}'
            "</text></g>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def _ordinal(day: str) -> int | None:
    try:
        return date.fromisoformat(day[:10]).toordinal()
    except ValueError:
        return None


def timeline_lines(series: dict[str, list[tuple[str, int, int]]]) -> Markup:
    """Cumulative designations per list over time (one line per list, with a legend)."""
    points = {
        ds: [(o, c) for d, _n, c in rows if (o := _ordinal(d)) is not None]
        for ds, rows in series.items()
    }
    points = {ds: p for ds, p in points.items() if p}
    width, height, left, bottom, top = 760, 340, 60, 40, 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 22 * len(points)}" '
        f'class="chart" role="img" aria-labelledby="tl-title">',
        '<title id="tl-title">Designations over time: cumulative listings per list</title>',
    ]
    if not points:
        out.append('<text x="10" y="30">No dated designation in this scope.</text></svg>')
        return Markup("".join(out))
    xs = [o for p in points.values() for o, _ in p]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y1 = max(c for p in points.values() for _, c in p) or 1
    plot_w, plot_h = width - left - 20, height - top - bottom

    def sx(o: int) -> float:
        return left + plot_w * (o - x0) / (x1 - x0)

    def sy(c: int) -> float:
        return top + plot_h * (1 - c / y1)

    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>'
    )
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#555"/>')
    for frac in (0, 0.5, 1):
        value = int(y1 * frac)
        out.append(
            f'<text x="{left - 6}" y="{sy(value) + 4:.0f}" text-anchor="end" font-size="10">{value:,}</text>'
        )
    for o in (x0, (x0 + x1) // 2, x1):
        out.append(
            f'<text x="{sx(o):.0f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="10">'
            f"{date.fromordinal(o).isoformat()}</text>"
        )
    for k, (ds, pts) in enumerate(sorted(points.items())):
        colour = PALETTE[k % len(PALETTE)]
        path = " ".join(f"{sx(o):.1f},{sy(c):.1f}" for o, c in sorted(pts))
        out.append(
            f"<g><title>{_t(ds)}: {pts[-1][1]:,} designations</title>"
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/></g>'
        )
        y = height + 22 * k + 4
        out.append(
            f'<rect x="{left}" y="{y}" width="14" height="10" fill="{colour}"/>'
            f'<text x="{left + 20}" y="{y + 9}" font-size="11">{_t(ds)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
