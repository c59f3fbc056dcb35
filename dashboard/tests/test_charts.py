"""The server-drawn revenue chart's geometry."""

import pytest

from dashboard.charts import nice_step, revenue_bar_chart


@pytest.mark.parametrize("maximum, step", [(22, 10), (100, 25), (0.8, 0.2), (1234, 500), (9, 2.5)])
def test_nice_step_is_round_and_covers_the_maximum_in_four_steps(maximum, step):
    assert nice_step(maximum) == pytest.approx(step)
    assert nice_step(maximum) * 4 >= maximum


def test_bars_scale_to_the_top_tick_and_zero_days_are_flat():
    rows = [
        {"date": "2026-03-03", "revenue": "0.00", "count": 0},
        {"date": "2026-03-04", "revenue": "5.00", "count": 1},
        {"date": "2026-03-05", "revenue": "22.00", "count": 2},
    ]
    chart = revenue_bar_chart(rows)
    assert [bar.date for bar in chart.bars] == ["2026-03-03", "2026-03-04", "2026-03-05"]
    assert chart.bars[0].height == 0
    assert [t.label for t in chart.y_ticks] == ["0", "10", "20", "30"]
    top, bottom = chart.y_ticks[-1].position, chart.y_ticks[0].position
    assert chart.bars[2].y == pytest.approx(bottom - (bottom - top) * 22 / 30, abs=0.01)
    assert chart.bars[1].height == pytest.approx((bottom - top) * 5 / 30, abs=0.01)
    assert (chart.total_revenue, chart.total_count, chart.empty) == ("27.00", 3, False)
    assert all(chart.plot_left <= bar.x and bar.x + bar.width <= chart.plot_right for bar in chart.bars)


def test_long_periods_label_at_most_eight_days_and_always_today():
    rows = [{"date": f"2026-01-{d:02d}", "revenue": "1.00", "count": 1} for d in range(1, 31)]
    chart = revenue_bar_chart(rows)
    assert len(chart.bars) == 30
    assert len(chart.x_labels) <= 8
    assert chart.x_labels[-1].label == "Jan 30"


def test_a_period_without_revenue_is_marked_empty():
    chart = revenue_bar_chart([{"date": "2026-01-01", "revenue": "0.00", "count": 0}])
    assert chart.empty and chart.bars[0].height == 0 and len(chart.y_ticks) == 5
