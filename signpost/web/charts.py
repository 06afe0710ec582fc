"""Server-rendered SVG: a stacked bar per week. Geometry here, markup in the template."""

from __future__ import annotations

from dataclasses import dataclass

from signpost.conversations.overview import Chart, Series

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 40
MAX_SERIES = 7  # the rest are drawn together as "Other"
# Distinguishable for the common kinds of colour blindness (Okabe-Ito), plus grey.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#767676")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str  # for the tooltip


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class ChartView:
    title: str
    width: int
    height: int
    bars: list[Bar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    legend: list[tuple[str, str, int]]  # colour, name, total
    weeks: list[str]
    series: list[Series]
    baseline: float


def _grouped(series: list[Series]) -> list[Series]:
    if len(series) <= MAX_SERIES:
        return series
    rest = series[MAX_SERIES:]
    other = Series("Other", [sum(values) for values in zip(*(s.counts for s in rest), strict=False)])
    return [*series[:MAX_SERIES], other]


def layout(chart: Chart) -> ChartView:
    series = _grouped(chart.series)
    weeks = [w.strftime("%-d %b") for w in chart.weeks]
    totals = [sum(s.counts[i] for s in series) for i in range(len(weeks))]
    top = max([*totals, 1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(weeks), 1)
    bars: list[Bar] = []
    for i, week in enumerate(weeks):
        y: float = TOP + plot_h
        for s, colour in zip(series, PALETTE, strict=False):
            value = s.counts[i]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            bars.append(
                Bar(LEFT + i * slot + slot * 0.15, y, slot * 0.7, h, colour, f"{s.name}, week of {week}: {value}")
            )
    step = max(1, -(-top // 4))
    y_ticks = [Tick(LEFT - 6, TOP + plot_h - plot_h * v / top, str(v)) for v in range(0, top + 1, step)]
    x_ticks = [Tick(LEFT + i * slot + slot / 2, HEIGHT - BOTTOM + 16, w) for i, w in enumerate(weeks) if i % 2 == 0]
    legend = [(colour, s.name, s.total) for s, colour in zip(series, PALETTE, strict=False)]
    return ChartView(chart.title, WIDTH, HEIGHT, bars, x_ticks, y_ticks, legend, weeks, series, TOP + plot_h)
