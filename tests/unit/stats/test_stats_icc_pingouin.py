"""ICC against an independent implementation: pingouin.intraclass_corr."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _stats_testkit import pingouin_table, wide_to_long

from rushrater.stats import icc


def random_ratings(seed: int, n: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.normal(20, 3, (n, 1))
    bias = rng.normal(0, 1, (1, k))
    return np.round(truth + bias + rng.normal(0, 1.5, (n, k)))


def test_unrounded_pingouin_ci_is_really_unrounded() -> None:
    table = pingouin_table(wide_to_long(random_ratings(0, 15, 3)))
    assert (table["ci_low"] != table["ci_low"].round(2)).any()


@pytest.mark.parametrize(("seed", "n", "k"), [(1, 10, 2), (2, 30, 3), (3, 50, 6), (4, 8, 10), (5, 200, 4)])
def test_matches_pingouin_on_random_complete_data(seed: int, n: int, k: int) -> None:
    long = wide_to_long(random_ratings(seed, n, k))
    ours = icc(long, "target", "rater", "score", all_available=False).table.set_index("form")
    theirs = pingouin_table(long)
    for column in ["icc", "f", "df1", "df2", "p", "ci_low", "ci_high"]:
        np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-9, atol=1e-12, err_msg=column)


def test_complete_case_matches_pingouin_omit() -> None:
    wide = random_ratings(7, 40, 4)
    wide[np.random.default_rng(7).random(wide.shape) < 0.1] = np.nan
    long = wide_to_long(wide)
    ours = icc(long, "target", "rater", "score", all_available=False)
    theirs = pingouin_table(long, nan_policy="omit")
    np.testing.assert_allclose(ours.table["icc"], theirs["icc"], rtol=1e-9)
    np.testing.assert_allclose(ours.table["ci_low"], theirs["ci_low"], rtol=1e-9)
    # Unlike pingouin we say which targets were dropped.
    incomplete = np.flatnonzero(np.isnan(wide).any(axis=1))
    assert ours.excluded_targets == tuple(incomplete)
    assert ours.n_targets == 40 - incomplete.size


def test_pingouin_silently_averages_duplicates_we_do_not() -> None:
    long = wide_to_long(random_ratings(8, 12, 3))
    reread = long.iloc[[0]].assign(score=long["score"].iloc[0] + 5)
    with_duplicate = pd.concat([long, reread], ignore_index=True)
    pingouin_table(with_duplicate)  # pingouin accepts it without a word
    with pytest.raises(ValueError, match="more than one rating"):
        icc(with_duplicate, "target", "rater", "score")
    averaged = icc(with_duplicate, "target", "rater", "score", duplicates="mean", all_available=False)
    np.testing.assert_allclose(averaged.table["icc"], pingouin_table(with_duplicate)["icc"], rtol=1e-9)
    assert any("duplicates='mean'" in note for note in averaged.notes)
