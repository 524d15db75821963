"""Krippendorff's alpha, Fleiss' kappa and weighted kappa on published and hand-computed examples."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from _stats_testkit import wide_to_long

from rushrater.stats import fleiss_kappa, fleiss_kappa_counts, krippendorff_alpha, weighted_kappa, weighted_kappa_matrix

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", reliability data
# of 4 observers x 12 units (values 1-5, NaN = missing): published alpha
# nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
        [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
    ]
)

# Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories
# (counts per category); kappa = 0.210.
WIKIPEDIA_COUNTS = np.array(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)

# Fleiss (1971) Table 1: 30 patients, 6 psychiatrists, 5 diagnoses (as R irr::diagnoses,
# 1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other); kappa = 0.430.
FLEISS_1971 = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ],
    dtype=float,
)


def counts_to_long(counts: np.ndarray) -> pd.DataFrame:
    """Expand a subjects x categories count table into one rating per row (raters 0..m-1)."""
    rows = []
    for subject, row in enumerate(counts):
        labels = np.repeat(np.arange(1, counts.shape[1] + 1), row)
        rows += [(subject, rater, float(value)) for rater, value in enumerate(labels)]
    return pd.DataFrame(rows, columns=["target", "rater", "score"])


@pytest.fixture
def krippendorff_long() -> pd.DataFrame:
    return wide_to_long(KRIPPENDORFF_2011.T, raters=["A", "B", "C", "D"])


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.743), ("ordinal", 0.815),
                                                  ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_alpha_published_example(krippendorff_long, level: str, published: float) -> None:
    res = krippendorff_alpha(krippendorff_long, "target", "rater", "score", level=level)
    assert round(float(res["alpha"].iloc[0]), 3) == published
    # Same as the package on the raters x units matrix.
    package = krippendorff.alpha(reliability_data=KRIPPENDORFF_2011, level_of_measurement=level)
    assert res["alpha"].iloc[0] == pytest.approx(package, rel=1e-12)


def test_krippendorff_alpha_columns_counts_and_domain(krippendorff_long) -> None:
    res = krippendorff_alpha(krippendorff_long, "target", "rater", "score", value_domain=[1, 2, 3, 4, 5])
    assert list(res.columns) == ["score", "level", "alpha", "n_targets", "n_raters", "n_ratings", "note"]
    row = res.iloc[0]
    # Unit 12 has a single rating and is not pairable; 40 pairable values remain.
    assert (row["n_targets"], row["n_raters"], row["n_ratings"]) == (11, 4, 40)
    assert round(row["alpha"], 3) == 0.815
    with pytest.raises(ValueError, match="outside the categories"):
        krippendorff_alpha(krippendorff_long, "target", "rater", "score", value_domain=[1, 2, 3])


def test_fleiss_kappa_wikipedia_example() -> None:
    res = fleiss_kappa(counts_to_long(WIKIPEDIA_COUNTS), "target", "rater", "score")
    assert round(float(res["kappa"].iloc[0]), 3) == 0.210
    assert fleiss_kappa_counts(WIKIPEDIA_COUNTS) == pytest.approx(res["kappa"].iloc[0])
    assert (res["n_targets"].iloc[0], res["n_raters"].iloc[0], res["excluded_targets"].iloc[0]) == (10, 14, 0)


def test_fleiss_kappa_fleiss_1971_example() -> None:
    res = fleiss_kappa(wide_to_long(FLEISS_1971), "target", "rater", "score", categories=[1, 2, 3, 4, 5])
    assert round(float(res["kappa"].iloc[0]), 3) == 0.430


def test_fleiss_kappa_excludes_incomplete_targets() -> None:
    wide = FLEISS_1971.copy()
    wide[0, 2] = np.nan
    res = fleiss_kappa(wide_to_long(wide), "target", "rater", "score").iloc[0]
    complete = fleiss_kappa(wide_to_long(FLEISS_1971[1:]), "target", "rater", "score").iloc[0]
    assert res["kappa"] == pytest.approx(complete["kappa"])
    assert res["excluded_targets"] == 1 and "1 target(s) excluded" in res["note"]


# Hand computation for two raters on 1-3 items (n = 10):
#   A: 1 1 2 2 3 3 1 2 3 3      B: 1 2 2 3 3 3 1 1 2 3
#   observed counts (A rows, B columns): [[2,1,0],[1,1,1],[0,1,3]]; marginals (.3,.3,.4) each.
#   linear:    observed disagreement 4 x 1 / 10 = 0.4; expected 0.42 + 2 x 0.24 = 0.90 -> 1 - 0.4/0.9  = 5/9
#   quadratic: observed 0.4; expected 0.42 + 4 x 0.24 = 1.38                       -> 1 - 0.4/1.38 = 49/69
#   unweighted: p_o = 0.6, p_e = 0.09 + 0.09 + 0.16 = 0.34 -> (0.6 - 0.34)/0.66     = 13/33
RATER_A = [1, 1, 2, 2, 3, 3, 1, 2, 3, 3]
RATER_B = [1, 2, 2, 3, 3, 3, 1, 1, 2, 3]


@pytest.mark.parametrize(("weights", "expected"), [("linear", 5 / 9), ("quadratic", 49 / 69), ("unweighted", 13 / 33)])
def test_weighted_kappa_hand_computed(weights: str, expected: float) -> None:
    assert weighted_kappa(RATER_A, RATER_B, weights=weights) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weighted_kappa_matches_statsmodels(weights: str) -> None:
    rng = np.random.default_rng(4)
    a = rng.integers(1, 4, 80)
    b = np.clip(a + rng.integers(-1, 2, 80), 1, 3)
    table = np.zeros((3, 3))
    np.add.at(table, (a - 1, b - 1), 1)
    theirs = cohens_kappa(table, wt=weights, return_results=False)
    assert weighted_kappa(a, b, weights=weights) == pytest.approx(theirs, rel=1e-12)


def test_weighted_kappa_uses_given_categories() -> None:
    # With the unused category 3 declared, 2 vs 4 is two steps apart instead of one.
    a, b = [1, 2, 4, 4, 1, 2], [2, 2, 4, 2, 1, 4]
    assert weighted_kappa(a, b, categories=[1, 2, 3, 4]) != pytest.approx(weighted_kappa(a, b))
    assert weighted_kappa(a, b, categories=[4, 2, 1, 3]) == weighted_kappa(a, b, categories=[1, 2, 3, 4])
    with pytest.raises(ValueError, match="outside the categories"):
        weighted_kappa(a, b, categories=[1, 2])


def test_weighted_kappa_matrix_tidy() -> None:
    wide = np.array([RATER_A, RATER_B, RATER_A], dtype=float).T
    wide[0, 2] = np.nan
    res = weighted_kappa_matrix(wide_to_long(wide), "target", "rater", "score", categories=[1, 2, 3])
    assert list(res.columns) == ["score", "rater_a", "rater_b", "weights", "kappa", "n_targets", "note"]
    assert len(res) == 3 * 2  # 3 pairs x 2 weightings
    ab = res[(res.rater_a == "R1") & (res.rater_b == "R2")].set_index("weights")["kappa"]
    assert ab["linear"] == pytest.approx(5 / 9) and ab["quadratic"] == pytest.approx(49 / 69)
    ac = res[(res.rater_a == "R1") & (res.rater_b == "R3")].iloc[0]
    assert ac["kappa"] == pytest.approx(1.0) and ac["n_targets"] == 9
    matrix = res.query("weights == 'linear'").pivot(index="rater_a", columns="rater_b", values="kappa")
    assert matrix.shape == (2, 2)
    with pytest.raises(ValueError, match="weights must be one of"):
        weighted_kappa_matrix(wide_to_long(wide), "target", "rater", "score", weights="cubic")


def test_several_score_columns_give_one_row_each() -> None:
    long = wide_to_long(FLEISS_1971).assign(other=lambda d: 6 - d["score"])
    res = fleiss_kappa(long, "target", "rater", ["score", "other"])
    assert list(res["score"]) == ["score", "other"]
    assert res["kappa"].iloc[0] == pytest.approx(res["kappa"].iloc[1])
    alpha = krippendorff_alpha(long, "target", "rater", ["score", "other"])
    assert alpha["alpha"].iloc[0] == pytest.approx(alpha["alpha"].iloc[1])
