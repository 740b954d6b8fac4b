"""Server-rendered SVG charts: numbers computed here, shapes drawn by the templates (no script, no inline style)."""

from dataclasses import dataclass

from .selectors import Counts, TrendPoint


@dataclass
class Bar:
    completed: float
    on_track: float
    overdue: float

    @property
    def on_track_x(self) -> float:
        return self.completed

    @property
    def overdue_x(self) -> float:
        return self.completed + self.on_track


def bar(counts: Counts) -> Bar:
    """Widths on a 0–100 scale: completed, still in time, overdue (together the assigned total)."""
    if not counts.assigned:
        return Bar(0, 0, 0)
    scale = 100 / counts.assigned
    return Bar(
        completed=round(counts.completed * scale, 2),
        on_track=round(max(counts.on_track, 0) * scale, 2),
        overdue=round(counts.overdue * scale, 2),
    )


@dataclass
class Donut:
    percent: float
    dash: str


def donut(counts: Counts) -> Donut:
    """A ring whose arc is the completion rate (circle of circumference 100 via r=15.915)."""
    percent = counts.percent or 0
    return Donut(percent=percent, dash=f"{percent} {100 - percent}")


@dataclass
class TrendChart:
    width: int
    height: int
    points: str
    area: str
    dots: list[tuple[float, float, str, float]]
    gridlines: list[tuple[float, int]]


def trend_chart(points: list[TrendPoint], *, width: int = 640, height: int = 200) -> TrendChart | None:
    """The cumulative completion rate month by month (0–100 % on the vertical axis)."""
    if not points:
        return None
    left, right, top, bottom = 44, 30, 12, 30
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / max(len(points) - 1, 1)
    coords = []
    for i, point in enumerate(points):
        rate = (point.rate or 0) * 100
        x = left + (i * step if len(points) > 1 else inner_w / 2)
        y = top + inner_h * (1 - rate / 100)
        coords.append((round(x, 1), round(y, 1), f"{point.month.year}/{point.month.month}", round(rate, 1)))
    line = " ".join(f"{x},{y}" for x, y, _, _ in coords)
    base = top + inner_h
    area = f"{coords[0][0]},{base} {line} {coords[-1][0]},{base}"
    grid = [(round(top + inner_h * (1 - p / 100), 1), p) for p in (0, 25, 50, 75, 100)]
    return TrendChart(width=width, height=height, points=line, area=area, dots=coords, gridlines=grid)
