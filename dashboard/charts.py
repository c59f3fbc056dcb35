"""Geometry of the revenue bar chart, drawn on the server as inline SVG (no JavaScript).

The chart is computed for two canvases: a wide one for desktops and a narrow one drawn at about
one unit per CSS pixel of a phone, so that on a phone the whole chart, y-axis included, is on
screen at first sight with readable labels (no horizontal scrolling). CSS shows one of them.
The template `dashboard/_revenue_chart.html` only places what `revenue_bar_chart` computes.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    max_x_labels: int
    compact_amounts: bool  # "1.5k" rather than "1,500" on the y-axis


WIDE = Canvas(width=720, height=280, left=64, right=28, top=14, bottom=40, max_x_labels=8, compact_amounts=False)
NARROW = Canvas(width=340, height=230, left=40, right=10, top=12, bottom=30, max_x_labels=4, compact_amounts=True)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    date: str
    revenue: str
    count: int
    partial: bool  # today, still under way
    url: str | None


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    anchor: str = "middle"  # SVG text-anchor


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar]
    y_ticks: list[Tick]
    x_labels: list[Tick]
    total_revenue: str
    total_count: int
    empty: bool
    has_partial: bool


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) so that `ticks` steps cover `maximum`."""
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _amount_label(value: float, step: float, compact: bool = False) -> str:
    if compact and value >= 1000:
        thousands = value / 1000
        return f"{thousands:,.0f}k" if thousands == int(thousands) else f"{thousands:,.1f}k"
    return f"{value:,.0f}" if step >= 1 else f"{value:,.2f}"


def _day_label(iso_date: str, days: int) -> str:
    day = date.fromisoformat(iso_date)
    return day.strftime("%a %d") if days <= 7 else day.strftime("%b %d")


def revenue_bar_chart(
    rows: list[dict],
    canvas: Canvas = WIDE,
    *,
    today: date | None = None,
    day_url: Callable[[str], str] | None = None,
) -> BarChart:
    """rows: {date, revenue, count} per day, oldest first. `today`'s bar is marked partial;
    `day_url(date)` gives each bar's link."""
    plot_width = canvas.width - canvas.left - canvas.right
    plot_height = canvas.height - canvas.top - canvas.bottom
    plot_bottom = canvas.top + plot_height
    revenues = [float(row["revenue"]) for row in rows]
    peak = max(revenues, default=0.0)
    step = nice_step(peak) if peak > 0 else 25.0
    top_value = step * max(1, math.ceil(peak / step)) if peak > 0 else step * 4

    slot = plot_width / max(1, len(rows))
    bar_width = max(1.0, slot * 0.72)
    today_iso = today.isoformat() if today else None
    bars = []
    for index, (row, revenue) in enumerate(zip(rows, revenues)):
        height = plot_height * revenue / top_value
        bars.append(
            Bar(
                x=round(canvas.left + index * slot + (slot - bar_width) / 2, 2),
                y=round(plot_bottom - height, 2),
                width=round(bar_width, 2),
                height=round(height, 2),
                date=row["date"],
                revenue=row["revenue"],
                count=row["count"],
                partial=row["date"] == today_iso,
                url=day_url(row["date"]) if day_url else None,
            )
        )

    tick_count = round(top_value / step)
    y_ticks = [
        Tick(
            position=round(plot_bottom - plot_height * i / tick_count, 2),
            label=_amount_label(step * i, step, canvas.compact_amounts),
        )
        for i in range(tick_count + 1)
    ]
    # Label every k-th day counted back from today, so the newest bar is always labelled.
    every = max(1, math.ceil(len(rows) / canvas.max_x_labels))
    x_labels = [
        Tick(position=round(canvas.left + index * slot + slot / 2, 2), label=_day_label(row["date"], len(rows)))
        for index, row in enumerate(rows)
        if (len(rows) - 1 - index) % every == 0
    ]
    if x_labels and slot < 40:
        # Bars narrower than their label: the newest label ends at the plot's edge instead of overflowing it.
        last = x_labels[-1]
        x_labels[-1] = Tick(position=canvas.width - canvas.right, label=last.label, anchor="end")
    total = sum((Decimal(row["revenue"]) for row in rows), Decimal("0"))
    return BarChart(
        width=canvas.width,
        height=canvas.height,
        plot_left=canvas.left,
        plot_right=canvas.width - canvas.right,
        plot_top=canvas.top,
        plot_bottom=plot_bottom,
        bars=bars,
        y_ticks=y_ticks,
        x_labels=x_labels,
        total_revenue=f"{total:.2f}",
        total_count=sum(row["count"] for row in rows),
        empty=peak == 0,
        has_partial=any(bar.partial for bar in bars),
    )
