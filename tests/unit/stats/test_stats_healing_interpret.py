"""Healing status (RUSH < 18) agreement and the Koo & Li interpretation helper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _stats_testkit import wide_to_long

from rushrater.stats import (
    SLOW_HEALING_CUTOFF,
    add_interpretation,
    classify_healing,
    fleiss_kappa_counts,
    healing_agreement,
    healing_agreement_by_target,
    interpret_icc,
    koo_li_label,
)

# 4 targets x 3 raters of RUSH totals: slow (< 18) flags
#   t0: 15 16 17 -> S S S   unanimous, pairwise 1
#   t1: 17 18 25 -> S . .   pairs agreeing: (R2,R3) = 1 of 3
#   t2: 20 22 19 -> . . .   unanimous, 1
#   t3: 18 17 NA -> . S     1 pair, disagree: 0 (not in kappa: incomplete)
TOTALS = np.array([[15, 16, 17], [17, 18, 25], [20, 22, 19], [18, 17, np.nan]])


def test_classify_healing() -> None:
    scores = pd.Series([17.0, 18.0, np.nan, 10.0], name="total")
    flags = classify_healing(scores)
    assert SLOW_HEALING_CUTOFF == 18
    assert flags.dtype == "boolean"
    assert flags.tolist() == [True, False, pd.NA, True]
    assert classify_healing(scores, cutoff=20).tolist() == [True, True, pd.NA, True]


def test_agreement_by_target() -> None:
    res = healing_agreement_by_target(wide_to_long(TOTALS), "target", "rater", "score")
    assert list(res["n_ratings"]) == [3, 3, 3, 2]
    assert list(res["n_slow"]) == [3, 1, 0, 1]
    np.testing.assert_allclose(res["pairwise_agreement"], [1.0, 1 / 3, 1.0, 0.0])
    assert res["unanimous"].tolist() == [True, False, True, False]


def test_overall_agreement_and_kappa() -> None:
    res = healing_agreement(wide_to_long(TOTALS), "target", "rater", "score").iloc[0]
    assert res["percent_agreement"] == pytest.approx(100 * (1 + 1 / 3 + 1 + 0) / 4)
    assert res["percent_unanimous"] == pytest.approx(50.0)
    # Fleiss on the three complete targets, counts as (not slow, slow) per target.
    expected = fleiss_kappa_counts(np.array([[0, 3], [2, 1], [3, 0]]))
    assert res["fleiss_kappa"] == pytest.approx(expected)
    assert (res["n_targets"], res["n_raters"], res["n_targets_kappa"], res["excluded_targets"]) == (4, 3, 3, 1)
    assert res["n_slow_ratings"] == 5


def test_koo_li_labels() -> None:
    assert [koo_li_label(v) for v in (0.2, 0.5, 0.74, 0.75, 0.9, 0.91, np.nan)] == [
        "poor", "moderate", "moderate", "good", "good", "excellent", "undefined"
    ]


def test_interpret_icc_states_when_ci_spans_categories() -> None:
    spanning = interpret_icc(0.805, 0.749, 0.86)
    assert "good reliability" in spanning and "spans moderate to good" in spanning
    inside = interpret_icc(0.824, 0.803, 0.844)
    assert "whole 95% CI lies in the good range" in inside
    assert "90% CI" in interpret_icc(0.6, 0.4, 0.8, confidence=0.90)
    assert interpret_icc(np.nan) == "ICC undefined: no interpretation."


def test_add_interpretation_to_a_table() -> None:
    table = pd.DataFrame({"icc": [0.774, 0.3], "ci_low": [0.749, 0.1], "ci_high": [0.799, 0.45]})
    out = add_interpretation(table)
    assert list(out["reliability"]) == ["good", "poor"]
    assert list(out["reliability_ci"]) == ["moderate to good", "poor"]
    assert list(out["ci_spans_categories"]) == [True, False]
    assert "icc" in table.columns and "reliability" not in table.columns  # input untouched
