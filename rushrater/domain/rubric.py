"""The scoring rubric as data, and the arithmetic of a score.

A rubric is a list of items, each with allowed levels (value + anchor text), grouped into components
whose subtotals are reported. RUSH (Chiavaras et al. 2013; Bhandari et al. 2013) is the built-in
rubric: four cortices x (bridging, fracture line) plus two trabecular items, each scored 1-3, total
10-30. The study database keeps its own copy so a study can edit the wording raters see; the values
and structure are what the arithmetic here relies on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import ValidationError
from .views import View

#: RUSH total below this at one month means slow (delayed) healing (Frank et al.).
DEFAULT_SLOW_HEALING_CUTOFF = 18


@dataclass(frozen=True)
class Level:
    value: int
    anchor: str


@dataclass(frozen=True)
class Component:
    key: str
    label: str


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    component: str
    region: str
    view: View | None
    definition: str
    levels: tuple[Level, ...]

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(level.value for level in self.levels)

    def anchor(self, value: int) -> str:
        for level in self.levels:
            if level.value == value:
                return level.anchor
        raise KeyError(value)


@dataclass(frozen=True)
class Score:
    """A validated, complete set of item values with its subtotals and total."""

    values: Mapping[str, int]
    subtotals: Mapping[str, int]
    total: int


@dataclass(frozen=True)
class Rubric:
    key: str
    name: str
    version: int
    components: tuple[Component, ...]
    items: tuple[Item, ...]
    citation: str = ""
    _by_key: dict[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {item.key: item for item in self.items})
        known = {c.key for c in self.components}
        for item in self.items:
            if item.component not in known:
                raise ValueError(f"item {item.key} names unknown component {item.component}")

    @property
    def item_keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)

    @property
    def min_total(self) -> int:
        return sum(min(item.values) for item in self.items)

    @property
    def max_total(self) -> int:
        return sum(max(item.values) for item in self.items)

    def item(self, key: str) -> Item:
        try:
            return self._by_key[key]
        except KeyError:
            raise ValidationError(
                f"{self.name} has no item {key!r}",
                fix="use one of: " + ", ".join(self.item_keys),
            ) from None

    def component_range(self, component: str) -> tuple[int, int]:
        items = [i for i in self.items if i.component == component]
        return sum(min(i.values) for i in items), sum(max(i.values) for i in items)

    def score(self, values: Mapping[str, object]) -> Score:
        """Validate a complete set of item values and compute subtotals and total.

        Raises ValidationError naming every missing, unknown or out-of-range item at once, so a
        form or a CSV row can be corrected in one go.
        """
        problems: list[str] = []
        unknown = sorted(set(values) - set(self._by_key))
        if unknown:
            problems.append("unknown item(s): " + ", ".join(unknown))
        missing = [key for key in self.item_keys if values.get(key) is None]
        if missing:
            problems.append("missing item(s): " + ", ".join(missing))
        clean: dict[str, int] = {}
        for item in self.items:
            raw = values.get(item.key)
            if raw is None:
                continue
            value = _as_int(raw)
            if value is None or value not in item.values:
                allowed = ", ".join(str(v) for v in item.values)
                problems.append(f"{item.key} is {raw!r}; allowed values are {allowed}")
                continue
            clean[item.key] = value
        if problems:
            raise ValidationError("; ".join(problems), fix=f"score every {self.name} item 1, 2 or 3")
        subtotals = {c.key: 0 for c in self.components}
        for item in self.items:
            subtotals[item.component] += clean[item.key]
        return Score(values=clean, subtotals=subtotals, total=sum(clean.values()))


def _as_int(raw: object) -> int | None:
    """Integers, and text or floats that are exactly an integer; never bools ('True' is not a 1)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    if isinstance(raw, str):
        text = raw.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


def is_slow_healing(total: int, cutoff: int = DEFAULT_SLOW_HEALING_CUTOFF) -> bool:
    """RUSH below the cut-off (18 at one month by default) = slow/delayed healing."""
    return total < cutoff


def _levels(none: str, partial: str, complete: str) -> tuple[Level, ...]:
    return (Level(1, none), Level(2, partial), Level(3, complete))


def _cortex_items(cortex: str, view: View) -> tuple[Item, Item]:
    where = f"{cortex} cortex ({view.label} view)"
    bridging = Item(
        key=f"bridging_{cortex}",
        label=f"Cortical bridging — {cortex}",
        component="cortical_bridging",
        region=cortex,
        view=view,
        definition=(
            f"Callus or new bone crossing the fracture at the {where}. "
            "1 = no bridging; 2 = bridging callus present but incomplete (gap still visible "
            "through the callus); 3 = complete bridging, continuous bone across the fracture."
        ),
        levels=_levels("No bridging", "Partial bridging", "Complete bridging"),
    )
    fracture_line = Item(
        key=f"fxline_{cortex}",
        label=f"Cortical fracture line — {cortex}",
        component="cortical_fracture_line",
        region=cortex,
        view=view,
        definition=(
            f"Visibility of the fracture line through the {where}. "
            "1 = fracture line fully visible; 2 = fracture line partly visible (partly gone); "
            "3 = fracture line no longer visible (completely gone)."
        ),
        levels=_levels("Line fully visible", "Line partly gone", "Line completely gone"),
    )
    return bridging, fracture_line


def _rush() -> Rubric:
    items: list[Item] = []
    for cortex, view in (
        ("medial", View.AP),
        ("lateral", View.AP),
        ("anterior", View.LATERAL),
        ("posterior", View.LATERAL),
    ):
        items.extend(_cortex_items(cortex, view))
    items.append(
        Item(
            key="trab_consolidation",
            label="Trabecular consolidation",
            component="trabecular_consolidation",
            region="trabecular",
            view=None,
            definition=(
                "Trabecular bone formation across the fracture in the intertrochanteric / "
                "femoral-neck region, judged on both views. 1 = no consolidation; "
                "2 = partial consolidation; 3 = complete consolidation."
            ),
            levels=_levels("No consolidation", "Partial consolidation", "Complete consolidation"),
        )
    )
    items.append(
        Item(
            key="trab_fxline",
            label="Trabecular fracture line",
            component="trabecular_fracture_line",
            region="trabecular",
            view=None,
            definition=(
                "Visibility of the fracture line through the trabecular bone, judged on both "
                "views. 1 = line visible; 2 = line partly gone; 3 = line gone."
            ),
            levels=_levels("Line visible", "Line partly gone", "Line gone"),
        )
    )
    return Rubric(
        key="RUSH",
        name="Radiographic Union Score for Hip (RUSH)",
        version=1,
        components=(
            Component("cortical_bridging", "Cortical bridging (4 cortices)"),
            Component("cortical_fracture_line", "Cortical fracture-line disappearance (4 cortices)"),
            Component("trabecular_consolidation", "Trabecular consolidation"),
            Component("trabecular_fracture_line", "Trabecular fracture-line disappearance"),
        ),
        items=tuple(items),
        citation=(
            "Chiavaras MM et al. Skeletal Radiol 2013;42:1079-88; "
            "Bhandari M et al. BMC Musculoskelet Disord 2013;14:70"
        ),
    )


RUSH = _rush()
