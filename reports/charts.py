"""Bar charts drawn on the server as inline SVG, the way the leaderboard's pace chart is
(no chart library in the page): the geometry is computed here, and
reports/assessment/_bar_chart.html draws it. Bars of one slot share the slot among the
series that have a value there; reference values (a baseline, a goal) are dashed lines."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 250
PLOT_LEFT, PLOT_TOP, PLOT_BOTTOM, PLOT_RIGHT_GAP = 72, 16, 214, 8


@dataclass(frozen=True)
class Series:
    name: str
    fill: str
    values: Sequence[Decimal | None]


@dataclass(frozen=True)
class Reference:
    name: str
    value: Decimal
    stroke: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    series: int
    title: str


@dataclass(frozen=True)
class ReferenceLine:
    y: float
    stroke: str
    title: str


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_bottom: int
    bars: list[Bar]
    lines: list[ReferenceLine]
    ticks: list[tuple[float, str]]
    labels: list[tuple[float, str]]
    legend: list[tuple[str, str, bool]]

    @property
    def empty(self) -> bool:
        return not self.bars


def bar_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    value_text: Callable[[Decimal], str],
    references: Sequence[Reference] = (),
    labels_shown: int = 8,
) -> BarChart:
    """A chart of `labels` slots; `value_text` writes a value (tick, tooltip), e.g. ¥ or %."""
    values = [value for each in series for value in each.values if value is not None]
    peak = max([*values, *(reference.value for reference in references), Decimal(0)])
    peak = peak if peak > 0 else Decimal(1)
    slot = (WIDTH - PLOT_LEFT - PLOT_RIGHT_GAP) / max(len(labels), 1)

    def y_of(value: Decimal) -> float:
        return round(PLOT_BOTTOM - float(value / peak) * (PLOT_BOTTOM - PLOT_TOP), 1)

    bars = []
    for index, label in enumerate(labels):
        present = [
            (number, each) for number, each in enumerate(series) if each.values[index] is not None
        ]
        if not present:
            continue
        inner = slot * 0.7 / len(present)
        for position, (number, each) in enumerate(present):
            value = each.values[index]
            top = y_of(value)
            bars.append(
                Bar(
                    x=round(PLOT_LEFT + index * slot + slot * 0.15 + position * inner, 1),
                    y=top,
                    width=round(inner, 1),
                    height=round(PLOT_BOTTOM - top, 1),
                    fill=each.fill,
                    series=number,
                    title=f"{label} {each.name} {value_text(value)}",
                )
            )
    every = max(1, -(-len(labels) // labels_shown))
    return BarChart(
        chart_id=chart_id,
        title=title,
        width=WIDTH,
        height=HEIGHT,
        plot_left=PLOT_LEFT,
        plot_right=WIDTH - PLOT_RIGHT_GAP,
        plot_bottom=PLOT_BOTTOM,
        bars=bars,
        lines=[
            ReferenceLine(
                y_of(reference.value),
                reference.stroke,
                f"{reference.name} {value_text(reference.value)}",
            )
            for reference in references
        ],
        ticks=[(y_of(peak * share), value_text(peak * share)) for share in (0, Decimal("0.5"), 1)],
        labels=[
            (round(PLOT_LEFT + index * slot + slot / 2, 1), label)
            for index, label in enumerate(labels)
            if index % every == 0
        ],
        legend=[(each.fill, each.name, False) for each in series]
        + [(reference.stroke, reference.name, True) for reference in references],
    )
