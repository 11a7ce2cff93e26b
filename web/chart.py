"""Geometry of the profile chart: per area a bar for the city and one for the sample (inline SVG)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.i18n import N_
from assistant.profile import num
from corpus.areas import AREAS

# Drawn at its own size (1 unit = 1 CSS pixel, up to WIDTH): 17 areas are about 640 px tall, so the whole
# chart fits a 1,280×800 window beside its legend; a phone scales it down to its width.
LEFT = 8.0
BAR_WIDTH = 380.0  # pixels for a rate of 100
WIDTH = 450.0
TOP = 24.0  # below the axis labels
ROW = 36.0  # the area's name, then the city's bar and the sample's
BAR = 8.0
TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True, slots=True)
class ChartRow:
    slug: str
    name: str
    city: float | None
    sample: float | None
    weak: bool
    reason: str
    y: float  # top of the row

    @property
    def city_width(self) -> float:
        return BAR_WIDTH * (self.city or 0) / 100

    @property
    def sample_width(self) -> float:
        return BAR_WIDTH * (self.sample or 0) / 100

    @property
    def label_y(self) -> float:
        return self.y + 11

    @property
    def city_y(self) -> float:
        return self.y + 14

    @property
    def sample_y(self) -> float:
        return self.y + 14 + BAR + 2

    @property
    def city_label(self) -> str:  # shown translated (the `t` filter): a rate reads the same in every language
        return N_("no rate") if self.city is None else f"{num(self.city)}%"

    @property
    def sample_label(self) -> str:
        return N_("no rate") if self.sample is None else f"{num(self.sample)}%"


@dataclass(frozen=True, slots=True)
class Chart:
    rows: list[ChartRow]
    width: float
    height: float

    @property
    def ticks(self) -> list[tuple[int, float]]:
        return [(t, LEFT + BAR_WIDTH * t / 100) for t in TICKS]

    @property
    def axis_bottom(self) -> float:
        return TOP + ROW * len(self.rows) - 2

    @property
    def left(self) -> float:
        return LEFT

    @property
    def bar(self) -> float:
        return BAR


def profile_chart(profile: dict[str, Any]) -> Chart:
    """Rows in the order of the 17 areas, for the areas the profile has; weak ones flagged."""
    weak = {w["slug"]: w["reason"] for w in profile.get("weak_details", [])}
    rates = profile.get("areas", {})
    rows: list[ChartRow] = []
    for area in AREAS:
        if area.slug not in rates:
            continue
        r = rates[area.slug]
        rows.append(ChartRow(area.slug, area.name, r.get("city"), r.get("sample"), area.slug in weak,
                             weak.get(area.slug, ""), TOP + ROW * len(rows)))
    return Chart(rows, WIDTH, TOP + ROW * len(rows) + 2)
