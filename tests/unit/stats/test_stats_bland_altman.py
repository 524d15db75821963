"""Bland-Altman limits of agreement on a small hand-checked example."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rushrater.stats import BLAND_ALTMAN_COLUMNS, bland_altman, limits_of_agreement

# Hand check: A = 10 12 15 20 18, B = 9 13 13 20 15 -> d = A - B = 1 -1 2 0 3.
#   mean d = 1; squared deviations 0 4 1 1 4 -> SD = sqrt(10 / 4) = 1.5811388
#   limits 1 -/+ 1.96 x 1.5811388 = -2.0990321, 4.0990321
#   t(0.975, 4) = 2.7764451; SE(bias) = SD / sqrt(5) = 0.7071068 -> bias CI 1 -/+ 1.9632432
#   SE(limit) = sqrt(3 x 2.5 / 5) = sqrt(1.5) = 1.2247449 -> limit CIs -/+ 3.4004369
T_975_4 = 2.7764451051977987
A = [10, 12, 15, 20, 18]
B = [9, 13, 13, 20, 15]


def pair_long() -> pd.DataFrame:
    return pd.DataFrame(
        {"target": list(range(5)) * 2, "rater": ["A"] * 5 + ["B"] * 5, "score": A + B}
    )


def test_hand_checked_pair() -> None:
    res = bland_altman(pair_long(), "target", "rater", "score")
    assert tuple(res.columns) == BLAND_ALTMAN_COLUMNS
    row = res[res["comparison"] == "pair"].iloc[0]
    sd = math.sqrt(2.5)
    assert (row["rater_a"], row["rater_b"], row["n"]) == ("A", "B", 5)
    assert row["bias"] == pytest.approx(1.0)
    assert row["sd"] == pytest.approx(sd)
    assert row["loa_low"] == pytest.approx(1 - 1.96 * sd)
    assert row["loa_high"] == pytest.approx(1 + 1.96 * sd)
    assert row["loa_low"] == pytest.approx(-2.0990321, abs=1e-7)
    half_bias = T_975_4 * sd / math.sqrt(5)
    assert half_bias == pytest.approx(1.9632432, abs=1e-7)
    assert (row["bias_ci_low"], row["bias_ci_high"]) == pytest.approx((1 - half_bias, 1 + half_bias))
    half_limit = T_975_4 * math.sqrt(1.5)
    assert half_limit == pytest.approx(3.4004369, abs=1e-7)
    assert (row["loa_low_ci_low"], row["loa_low_ci_high"]) == pytest.approx(
        (1 - 1.96 * sd - half_limit, 1 - 1.96 * sd + half_limit)
    )
    assert (row["loa_high_ci_low"], row["loa_high_ci_high"]) == pytest.approx(
        (1 + 1.96 * sd - half_limit, 1 + 1.96 * sd + half_limit)
    )


def test_with_two_raters_consensus_of_others_is_the_other_rater() -> None:
    res = bland_altman(pair_long(), "target", "rater", "score").set_index(["comparison", "rater_a"])
    vs_b = res.loc[("consensus", "A")]
    assert vs_b["rater_b"] == "mean of others"
    assert vs_b["bias"] == pytest.approx(1.0) and vs_b["sd"] == pytest.approx(math.sqrt(2.5))
    assert res.loc[("consensus", "B"), "bias"] == pytest.approx(-1.0)


def test_mean_of_others_with_three_raters() -> None:
    wide = np.array([[20, 18, 22], [15, 15, 18], [25, 27, 26], [12, 14, 10]], dtype=float)
    long = pd.DataFrame(
        [(t, f"R{r + 1}", wide[t, r]) for t in range(4) for r in range(3)], columns=["target", "rater", "score"]
    )
    res = bland_altman(long, "target", "rater", "score", pairs=False)
    assert list(res["comparison"]) == ["consensus"] * 3
    expected = wide[:, 0] - wide[:, 1:].mean(axis=1)  # R1 vs mean of R2, R3
    assert res.iloc[0]["bias"] == pytest.approx(expected.mean())
    assert res.iloc[0]["sd"] == pytest.approx(expected.std(ddof=1))
    assert res.iloc[0]["note"] == ""


def test_given_consensus_column_and_confidence() -> None:
    long = pair_long().assign(consensus=lambda d: d["target"].map(dict(enumerate([9.5, 12.5, 14, 20, 16.5]))))
    res = bland_altman(long, "target", "rater", "score", consensus="consensus", pairs=False, confidence=0.90)
    row = res.set_index("rater_a").loc["A"]
    d = np.array(A) - np.array([9.5, 12.5, 14, 20, 16.5])
    assert row["rater_b"] == "consensus"
    assert row["bias"] == pytest.approx(d.mean())
    t90 = 2.131846786326649  # t(0.95, 4)
    assert row["bias_ci_high"] - row["bias"] == pytest.approx(t90 * d.std(ddof=1) / math.sqrt(5))
    broken = long.copy()
    broken.loc[0, "consensus"] = 99  # target 0 now has two different consensus values
    with pytest.raises(ValueError, match="differs within target"):
        bland_altman(broken, "target", "rater", "score", consensus="consensus")


def test_limits_of_agreement_drops_nan_and_handles_tiny_n() -> None:
    res = limits_of_agreement(np.array([1.0, np.nan, -1.0, 2.0, 0.0, 3.0]))
    assert res["n"] == 5 and res["bias"] == pytest.approx(1.0)
    one = limits_of_agreement(np.array([2.0]))
    assert one["n"] == 1 and one["bias"] == 2.0 and math.isnan(one["sd"]) and math.isnan(one["loa_low"])
