"""Server-drawn progress charts: the geometry of inline SVG, computed here and drawn by the
``macros/charts.html`` template. Every chart has a text equivalent built from the same data, and
values are written on the chart as well as drawn, so nothing depends on colour alone."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.models import Area, CheckIn

WIDTH, HEIGHT = 320, 190
LEFT, RIGHT, TOP, BOTTOM = 30, 18, 18, 36
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def stage_y(stage: int) -> float:
    return TOP + (5 - stage) * PLOT_H / 4


@dataclass
class Point:
    x: float
    y: float
    stage: int
    check_in: CheckIn


@dataclass
class AreaChart:
    area: str
    check_ins: list[CheckIn] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)

    @property
    def first(self) -> CheckIn | None:
        return self.check_ins[0] if self.check_ins else None

    @property
    def latest(self) -> CheckIn | None:
        return self.check_ins[-1] if self.check_ins else None

    @property
    def change(self) -> int:
        return self.latest.stage - self.first.stage if self.check_ins else 0

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def labelled_points(self) -> list[Point]:
        """Dates under the axis: all of them when they fit, otherwise the first and the last."""
        if len(self.points) <= 3:
            return self.points
        return [self.points[0], self.points[-1]]


@dataclass
class Progress:
    areas: dict[str, AreaChart]
    gridlines: list[tuple[int, float]]

    @property
    def has_check_ins(self) -> bool:
        return any(chart.check_ins for chart in self.areas.values())

    def moved(self, direction: int) -> list[str]:
        """Areas that went up (1), down (-1) or stayed (0) since the first check-in."""
        result = []
        for area, chart in self.areas.items():
            if not chart.check_ins:
                continue
            change = (chart.change > 0) - (chart.change < 0)
            if change == direction:
                result.append(area)
        return result


def progress_charts(check_ins: list[CheckIn]) -> Progress:
    """Charts for every area from a resident's check-ins (oldest first)."""
    areas = {area.value: AreaChart(area.value) for area in Area}
    for check_in in check_ins:
        areas[check_in.area].check_ins.append(check_in)
    for chart in areas.values():
        count = len(chart.check_ins)
        for index, check_in in enumerate(chart.check_ins):
            x = LEFT + PLOT_W / 2 if count == 1 else LEFT + index * PLOT_W / (count - 1)
            chart.points.append(Point(x, stage_y(check_in.stage), check_in.stage, check_in))
    return Progress(areas, [(stage, stage_y(stage)) for stage in range(1, 6)])
