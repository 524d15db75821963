"""Reading orders: reproducible from the seed, never two cases of one patient side by side."""

import random

import pytest

from rushrater.domain.errors import PlanError
from rushrater.domain.ordering import order_without_adjacent, rater_rng


def _no_adjacent(order, group_of):
    return all(group_of[a] != group_of[b] for a, b in zip(order, order[1:]))


def test_same_seed_same_order_and_raters_differ():
    items = list(range(200))
    group_of = {i: i // 2 for i in items}
    a = order_without_adjacent(items, group_of, rater_rng(7, "R01"))
    b = order_without_adjacent(items, group_of, rater_rng(7, "R01"))
    c = order_without_adjacent(items, group_of, rater_rng(7, "R02"))
    d = order_without_adjacent(items, group_of, rater_rng(8, "R01"))
    assert a == b
    assert a != c and a != d
    assert sorted(a) == items


@pytest.mark.parametrize("trial", range(300))
def test_no_patient_adjacent_for_random_case_mixes(trial):
    rng = random.Random(trial)
    n_patients = rng.randint(2, 12)
    group_of = {}
    item = 0
    for patient in range(n_patients):
        for _ in range(rng.randint(1, 4)):
            group_of[item] = patient
            item += 1
    items = list(group_of)
    counts = [list(group_of.values()).count(p) for p in range(n_patients)]
    if max(counts) > (len(items) + 1) // 2:
        with pytest.raises(PlanError):
            order_without_adjacent(items, group_of, random.Random(trial))
        return
    order = order_without_adjacent(items, group_of, random.Random(trial))
    assert sorted(order) == items
    assert _no_adjacent(order, group_of)


def test_tight_case_where_one_patient_holds_half_plus_one():
    group_of = {0: "a", 1: "a", 2: "a", 3: "b", 4: "c"}
    for seed in range(50):
        order = order_without_adjacent(list(group_of), group_of, random.Random(seed))
        assert [group_of[i] for i in order][::2] == ["a", "a", "a"]


def test_extension_does_not_start_with_the_previous_patient():
    group_of = {0: "a", 1: "b", 2: "c", 3: "a"}
    firsts = set()
    for seed in range(100):
        order = order_without_adjacent(list(group_of), group_of, random.Random(seed), not_first="a")
        assert group_of[order[0]] != "a"
        assert _no_adjacent(order, group_of)
        firsts.add(order[0])
    assert firsts == {1, 2}  # both valid starts occur: the choice is random, not fixed


def test_impossible_extension_is_refused():
    group_of = {0: "a", 1: "b", 2: "a"}
    with pytest.raises(PlanError, match="patient a"):
        order_without_adjacent([0, 1, 2], group_of, random.Random(1), not_first="a")


def test_single_patient_with_two_cases_cannot_be_separated():
    with pytest.raises(PlanError, match="no two of the same patient"):
        order_without_adjacent([1, 2], {1: "p", 2: "p"}, random.Random(0))
