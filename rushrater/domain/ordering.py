"""Random reading orders in which two cases of the same patient are never next to each other.

Seeing a patient's day-1 film right before the same patient's month-1 film invites comparison, so
a reading list must separate them. The order is built case by case from the seeded generator: at each step pick a random remaining case whose patient differs from the last one,
except when one patient holds so many of the remaining cases that it must be placed now for a
valid list to exist (more than half of what is left). This never dead-ends: a list exists iff no
patient holds more than ceil(n/2) cases, and every step keeps that true for what remains.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from typing import TypeVar

from .errors import PlanError

T = TypeVar("T")


def rater_rng(seed: int, rater_code: str, purpose: str = "first-read") -> random.Random:
    """An independent, reproducible random stream per rater (string seeds hash with SHA-512)."""
    return random.Random(f"rushrater:{purpose}:{seed}:{rater_code}")


def order_without_adjacent(
    items: Sequence[T],
    group_of: dict[T, Hashable],
    rng: random.Random,
    *,
    not_first: Hashable | None = None,
) -> list[T]:
    """Shuffle ``items`` so that no two neighbours share a group (patient).

    ``not_first`` is the group of whatever precedes this list (when extending an existing list).
    Raises PlanError if no such order exists.
    """
    members: dict[Hashable, list[T]] = {}
    for item in items:
        members.setdefault(group_of[item], []).append(item)
    n = len(items)
    largest = max((len(v) for v in members.values()), default=0)
    limit_first = n // 2 if not_first is not None else (n + 1) // 2
    if largest > (n + 1) // 2 or (not_first is not None and len(members.get(not_first, [])) > limit_first):
        worst = max(members, key=lambda g: len(members[g]))
        raise PlanError(
            f"cannot order {n} cases so that no two of the same patient are adjacent: "
            f"patient {worst} has {len(members[worst])} of them",
            fix="import more patients before planning, or fewer time points for this patient",
        )
    # Remaining cases in a flat list (O(1) random pick with swap-remove) plus per-group counts.
    remaining = list(items)
    rng.shuffle(remaining)
    counts = {group: len(cases) for group, cases in members.items()}
    order: list[T] = []
    last = not_first
    while remaining:
        left = len(remaining)
        # After this pick, left-1 cases remain and the next one must differ from the group picked
        # now; any other group holding more than (left-1+1)//2 = left//2 cases must go now.
        # Counts only fall, so the initial largest bounds them: skip the scan while it cannot bite.
        forced = [g for g, c in counts.items() if c > left // 2 and g != last] if largest > left // 2 else []
        if forced:
            group = forced[0]
            candidates = [i for i, item in enumerate(remaining) if group_of[item] == group]
            index = candidates[rng.randrange(len(candidates))]
        else:
            while True:
                index = rng.randrange(left)
                if group_of[remaining[index]] != last:
                    break
        item = remaining[index]
        remaining[index] = remaining[-1]
        remaining.pop()
        group = group_of[item]
        counts[group] -= 1
        if counts[group] == 0:
            del counts[group]
        order.append(item)
        last = group
    return order
