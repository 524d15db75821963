"""All-available-data ICC from crossed REML variance components."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from _stats_testkit import INCOMPLETE, SHROUT_FLEISS, wide_to_long

from rushrater.stats import icc, icc_from_variance_components
from rushrater.stats._reml import fit_crossed_reml


@pytest.fixture
def shrout_fleiss_long() -> pd.DataFrame:
    return wide_to_long(SHROUT_FLEISS)


def ratings(seed: int, n: int, k: int, rater_sd: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(20 + rng.normal(0, 3, (n, 1)) + rng.normal(0, rater_sd, (1, k)) + rng.normal(0, 1.5, (n, k)))


@pytest.mark.parametrize(("seed", "n", "k"), [(1, 6, 3), (2, 40, 4), (3, 619, 6), (4, 25, 2)])
def test_balanced_complete_data_agrees_with_anova(seed: int, n: int, k: int) -> None:
    wide = ratings(seed, n, k, rater_sd=1.5)
    res = icc(wide_to_long(wide), "target", "rater", "score")
    anova = res.anova.set_index("source")["ms"]
    # Balanced data, estimates inside the parameter space: REML = ANOVA estimators.
    assert anova["raters"] > anova["residual"] and anova["targets"] > anova["residual"]
    for column in ["icc", "ci_low", "ci_high", "f", "p"]:
        np.testing.assert_allclose(res.all_available[column], res.table[column], rtol=1e-6, atol=1e-7,
                                   err_msg=column)
    components = res.variance_components.set_index("component")["variance"]
    assert components["residual"] == pytest.approx(anova["residual"], rel=1e-7)
    assert components["target"] == pytest.approx((anova["targets"] - anova["residual"]) / k, rel=1e-6)


def test_shrout_fleiss_all_available_equals_anova(shrout_fleiss_long: pd.DataFrame) -> None:
    res = icc(shrout_fleiss_long, "target", "rater", "score")
    np.testing.assert_allclose(res.all_available["icc"], res.table["icc"], atol=1e-7)
    components = res.variance_components.set_index("component")
    assert components.loc["total", "proportion"] == pytest.approx(1.0)
    # ICC(2,1) is the target share of the total variance.
    assert components.loc["target", "proportion"] == pytest.approx(res.all_available["icc"].iloc[1], abs=1e-12)


def test_incomplete_targets_are_used() -> None:
    res = icc(wide_to_long(INCOMPLETE), "target", "rater", "score")
    assert res.n_targets == 4 and res.n_excluded_targets == 8
    assert res.n_targets_all_available == 12 and res.n_ratings_all_available == 37
    assert np.isfinite(res.all_available["icc"]).all()
    assert any("REML" in note for note in res.notes)


def test_matches_statsmodels_mixedlm() -> None:
    """Independent REML: statsmodels MixedLM with one all-encompassing group."""
    long = wide_to_long(INCOMPLETE).assign(everything=1)
    model = smf.mixedlm(
        "score ~ 1", long, groups="everything", re_formula="0",
        vc_formula={"target": "0 + C(target)", "rater": "0 + C(rater)"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True, method=["lbfgs"])
    theirs = dict(zip(fit.model.exog_vc.names, fit.vcomp))
    ours = icc(wide_to_long(INCOMPLETE), "target", "rater", "score").variance_components.set_index("component")
    assert ours.at["target", "variance"] == pytest.approx(theirs["target"], rel=1e-3)
    assert ours.at["rater", "variance"] == pytest.approx(theirs["rater"], rel=1e-3)
    assert ours.at["residual", "variance"] == pytest.approx(fit.scale, rel=1e-3)


def test_rater_variance_on_the_boundary_is_exactly_zero() -> None:
    rng = np.random.default_rng(5)
    wide = np.round(20 + rng.normal(0, 3, (30, 1)) + rng.normal(0, 2, (30, 3)))
    wide -= wide.mean(axis=0) - wide.mean()  # no rater effect at all: MSC < MSE
    wide[rng.random(wide.shape) < 0.15] = np.nan
    res = icc(wide_to_long(wide), "target", "rater", "score")
    components = res.variance_components.set_index("component")["variance"]
    assert components["rater"] == 0.0
    assert any("rater variance is on the boundary" in note for note in res.notes)
    # With no rater variance, absolute agreement equals consistency.
    table = res.all_available.set_index("form")
    assert table.at["ICC(2,1)", "icc"] == pytest.approx(table.at["ICC(3,1)", "icc"])


def test_unidentifiable_design_gives_nan_with_reason() -> None:
    # Every target has exactly one rating: target and residual variance cannot be separated.
    wide = np.full((6, 3), np.nan)
    for i in range(6):
        wide[i, i % 3] = 10 + i
    long = wide_to_long(wide)
    res = icc(long, "target", "rater", "score")
    assert res.all_available["icc"].isna().all()
    assert res.table["icc"].isna().all()
    assert any("cannot be separated" in note for note in res.notes)
    assert any("fewer than two targets were rated by all raters" in note for note in res.notes)


def test_icc_from_variance_components_follows_psych() -> None:
    table = icc_from_variance_components(target=3.0, rater=1.0, residual=2.0, n_targets=50, n_raters=4)
    icc_by_form = table.set_index("form")["icc"]
    assert icc_by_form["ICC(2,1)"] == pytest.approx(3.0 / 6.0)
    assert icc_by_form["ICC(3,1)"] == pytest.approx(3.0 / 5.0)
    # psych's ICC1 from lmer components: (k*t - r) / (k*t + k*e + (k - 1)*r)
    assert icc_by_form["ICC(1,1)"] == pytest.approx((12 - 1) / (12 + 8 + 3))


def test_reml_criterion_is_location_and_scale_invariant() -> None:
    wide = ratings(9, 20, 4)
    wide[np.random.default_rng(9).random(wide.shape) < 0.2] = np.nan
    t, r = np.nonzero(~np.isnan(wide))
    y = wide[t, r]
    base = fit_crossed_reml(y, t, r, 20, 4)
    moved = fit_crossed_reml(10 * y + 7, t, r, 20, 4)
    assert moved.target == pytest.approx(100 * base.target, rel=1e-6)
    assert moved.rater == pytest.approx(100 * base.rater, rel=1e-5, abs=1e-8)
    assert moved.residual == pytest.approx(100 * base.residual, rel=1e-6)
