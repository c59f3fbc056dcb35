"""Geometry of the revenue bar chart, drawn on the server as inline SVG (no JavaScript).

The template `dashboard/_revenue_chart.html` only places what `revenue_bar_chart` computes.
"""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 28, 14, 40
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    date: str
    revenue: str
    count: int


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


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


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) so that `ticks` steps cover `maximum`."""
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _amount_label(value: float, step: float) -> str:
    return f"{value:,.0f}" if step >= 1 else f"{value:,.2f}"


def _day_label(iso_date: str, days: int) -> str:
    day = date.fromisoformat(iso_date)
    return day.strftime("%a %d") if days <= 7 else day.strftime("%b %d")


def revenue_bar_chart(rows: list[dict]) -> BarChart:
    """rows: the revenue-chart payload's `chart` list ({date, revenue, count}), oldest first."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    plot_bottom = TOP + plot_height
    revenues = [float(row["revenue"]) for row in rows]
    peak = max(revenues, default=0.0)
    step = nice_step(peak) if peak > 0 else 25.0
    top_value = step * max(1, math.ceil(peak / step)) if peak > 0 else step * 4

    slot = plot_width / max(1, len(rows))
    bar_width = max(1.0, slot * 0.72)
    bars = []
    for index, (row, revenue) in enumerate(zip(rows, revenues)):
        height = plot_height * revenue / top_value
        bars.append(
            Bar(
                x=round(LEFT + index * slot + (slot - bar_width) / 2, 2),
                y=round(plot_bottom - height, 2),
                width=round(bar_width, 2),
                height=round(height, 2),
                date=row["date"],
                revenue=row["revenue"],
                count=row["count"],
            )
        )

    tick_count = round(top_value / step)
    y_ticks = [
        Tick(position=round(plot_bottom - plot_height * i / tick_count, 2), label=_amount_label(step * i, step))
        for i in range(tick_count + 1)
    ]
    # Label every k-th day counted back from today, so the newest bar is always labelled.
    every = max(1, math.ceil(len(rows) / MAX_X_LABELS))
    x_labels = [
        Tick(position=round(LEFT + index * slot + slot / 2, 2), label=_day_label(row["date"], len(rows)))
        for index, row in enumerate(rows)
        if (len(rows) - 1 - index) % every == 0
    ]
    total = sum((Decimal(row["revenue"]) for row in rows), Decimal("0"))
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        bars=bars,
        y_ticks=y_ticks,
        x_labels=x_labels,
        total_revenue=f"{total:.2f}",
        total_count=sum(row["count"] for row in rows),
        empty=peak == 0,
    )
