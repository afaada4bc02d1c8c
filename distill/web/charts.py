"""Charts drawn on the server as SVG: no script, readable in dark mode, described for screen
readers (role="img" with a title and a description that states the figures).

Colours come from CSS classes (static/style.css), so the same markup follows the system's
light or dark theme and the Content-Security-Policy needs no inline styles.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

MONTHS_SHOWN = 24  # two years: long enough for a trend, short enough to read each bar
PALETTE = 8  # colour classes c0..c7 in style.css


def category_months(
    series: dict[str, list[tuple[str, int]]],
    title: str = "Articles per month by category",
    ident: str = "cm",
) -> Markup:
    """Stacked bars: articles per month, one colour per series (category or technology),
    newest month on the right. `ident` keeps element ids unique when a page has two."""
    months = sorted({m for points in series.values() for m, _ in points})[-MONTHS_SHOWN:]
    if not months:
        return Markup("")
    names = sorted(series, key=lambda n: -sum(c for _, c in series[n]))
    counts = {n: dict(series[n]) for n in names}
    totals = [sum(counts[n].get(m, 0) for n in names) for m in months]
    peak = max(totals) or 1
    width, height, left, bottom, top = 640, 220, 36, 28, 12
    plot_h = height - bottom - top
    step = (width - left - 8) / len(months)
    bar_w = max(2.0, step * 0.72)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(_describe(months, totals))}</desc>',
    ]
    for tick in _ticks(peak):
        y = top + plot_h - plot_h * tick / peak
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for i, month in enumerate(months):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for j, name in enumerate(names):
            value = counts[name].get(month, 0)
            if not value:
                continue
            h = plot_h * value / peak
            y -= h
            parts.append(
                f'<rect class="c{j % PALETTE}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}"><title>{escape(name)}, {month}: {value}</title></rect>'
            )
        if i % max(1, len(months) // 6) == 0 or i == len(months) - 1:
            parts.append(
                f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{height - 8}" '
                f'text-anchor="middle">{month}</text>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="swatch c{j % PALETTE}" aria-hidden="true"></span>{escape(n)}</li>'
        for j, n in enumerate(names[:12])
    )
    return Markup("".join(parts) + f'<ul class="legend">{legend}</ul>')


def top_bars(items: list[dict[str, Any]], link_prefix: str) -> Markup:
    """Horizontal bars with counts, each name a link (technologies, sites)."""
    if not items:
        return Markup("")
    peak = max(int(i["count"]) for i in items) or 1
    row, width, label_w = 24, 640, 170
    height = row * len(items) + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="tb-title tb-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="tb-title">Most frequent technologies</title>',
        '<desc id="tb-desc">'
        + escape(", ".join(f"{i['name']}: {i['count']}" for i in items))
        + "</desc>",
    ]
    for n, item in enumerate(items):
        y = n * row + 2
        w = (width - label_w - 50) * int(item["count"]) / peak
        href = escape(link_prefix + str(item["name"]))
        parts.append(
            f'<a href="{href}"><text class="label" x="{label_w - 8}" y="{y + 16}" '
            f'text-anchor="end">{escape(str(item["name"]))}</text></a>'
            f'<rect class="c{n % PALETTE}" x="{label_w}" y="{y + 4}" width="{w:.1f}" '
            f'height="{row - 8}" rx="3"/>'
            f'<text class="axis" x="{label_w + w + 6:.1f}" y="{y + 16}">{int(item["count"])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(peak: int) -> list[int]:
    step = max(1, _nice(peak / 4))
    return list(range(0, peak + 1, step))


def _nice(value: float) -> int:
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if candidate >= value:
            return candidate
    return int(value)


def _describe(months: list[str], totals: list[int]) -> str:
    busiest = max(range(len(months)), key=lambda i: totals[i])
    return (
        f"{sum(totals)} articles from {months[0]} to {months[-1]}; "
        f"the busiest month was {months[busiest]} with {totals[busiest]}."
    )
