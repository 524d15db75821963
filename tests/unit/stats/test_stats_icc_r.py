"""ICC against R psych::ICC (psych 2.2.9, lme4 1.1-31, R 4.2.2).

Tests marked ``r`` run the R call shown in each test live (Rscript on a CSV of
the same data) and skip with the reason when R, psych or lme4 is missing.
The frozen tests at the end hold numbers printed by R earlier, with the call
that produced them, so the comparison also runs where R is absent.

ANOVA-based results (``lmer = FALSE``) agree to 1e-9.  lme4's optimiser stops
within about 1e-8 of the REML optimum, so lmer-based ICCs agree to about 1e-5;
they are compared to 1e-4 (four decimals), and the REML criterion itself is
checked to be at least as small as lme4's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _stats_testkit import INCOMPLETE, run_r, wide_to_long

from rushrater.stats import FORMS, icc
from rushrater.stats._reml import _Criterion, fit_crossed_reml

PSYCH_TYPES = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]  # psych's order = our FORMS order


def psych_columns(results: pd.DataFrame) -> pd.DataFrame:
    """psych's ``$results`` renamed to our column names, rows in FORMS order."""
    assert list(results["type"]) == PSYCH_TYPES
    return pd.DataFrame(
        {
            "icc": results["ICC"].to_numpy(float),
            "f": results["F"].to_numpy(float),
            "df1": results["df1"].to_numpy(float),
            "df2": results["df2"].to_numpy(float),
            "p": results["p"].to_numpy(float),
            "ci_low": results["lower bound"].to_numpy(float),
            "ci_high": results["upper bound"].to_numpy(float),
        },
        index=list(FORMS),
    )


def compare(ours: pd.DataFrame, theirs: pd.DataFrame, *, lmer: bool) -> None:
    """ANOVA results to 1e-9; lmer-based ones to 1e-4 (ICC, CI) and 1e-4 relative (F)."""
    ours = ours.set_index("form")
    for column in ["icc", "ci_low", "ci_high"]:
        np.testing.assert_allclose(ours[column], theirs[column], atol=1e-4 if lmer else 1e-9, rtol=0,
                                   err_msg=column)
    np.testing.assert_allclose(ours["f"], theirs["f"], rtol=1e-4 if lmer else 1e-9, err_msg="f")
    np.testing.assert_array_equal(ours["df1"], theirs["df1"])
    np.testing.assert_array_equal(ours["df2"], theirs["df2"])
    # A relative change of 1e-5 in a huge F moves a tiny p by more, relatively.
    np.testing.assert_allclose(ours["p"], theirs["p"], rtol=2e-2 if lmer else 1e-7, atol=1e-300, err_msg="p")


def rush_like(seed: int, n: int, k: int, missing: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    wide = np.clip(np.round(20 + rng.normal(0, 3, (n, 1)) + rng.normal(0, 1, (1, k)) + rng.normal(0, 1.8, (n, k))),
                   10, 30)
    if missing:
        holes = rng.random((n, k)) < missing
        holes[:, 0] &= rng.random(n) < 0.5  # keep some targets complete
        wide[holes] = np.nan
        wide = wide[~np.isnan(wide).all(axis=1)]  # psych counts all-NA rows in n.obs; long data has none
    return wide


@pytest.mark.r
@pytest.mark.parametrize(("seed", "n", "k"), [(11, 25, 3), (12, 40, 6), (13, 9, 2)])
def test_anova_forms_match_psych_live(tmp_path: Path, seed: int, n: int, k: int) -> None:
    wide = rush_like(seed, n, k)
    r_script = """
res <- psych::ICC(x, lmer = FALSE)
write.csv(res$results, stdout(), row.names = FALSE)
"""
    (results,) = run_r(r_script, wide, tmp_path)
    ours = icc(wide_to_long(wide), "target", "rater", "score", all_available=False).table
    compare(ours, psych_columns(results), lmer=False)


@pytest.mark.r
def test_ninety_percent_ci_matches_psych_alpha_live(tmp_path: Path) -> None:
    wide = rush_like(21, 30, 4)
    r_script = """
res <- psych::ICC(x, lmer = FALSE, alpha = 0.10)
write.csv(res$results, stdout(), row.names = FALSE)
"""
    (results,) = run_r(r_script, wide, tmp_path)
    ours = icc(wide_to_long(wide), "target", "rater", "score", confidence=0.90, all_available=False).table
    compare(ours, psych_columns(results), lmer=False)


@pytest.mark.r
def test_complete_case_of_incomplete_data_matches_psych_na_omit_live(tmp_path: Path) -> None:
    r_script = """
res <- psych::ICC(na.omit(x), lmer = FALSE, alpha = 0.01)
write.csv(res$results, stdout(), row.names = FALSE)
"""
    (results,) = run_r(r_script, INCOMPLETE, tmp_path)
    res = icc(wide_to_long(INCOMPLETE), "target", "rater", "score", confidence=0.99)
    compare(res.table, psych_columns(results), lmer=False)
    assert res.n_targets == 4 and res.excluded_targets == (1, 2, 3, 5, 6, 8, 10, 11)


@pytest.mark.r
@pytest.mark.parametrize(("seed", "n", "k", "missing", "confidence"),
                         [(31, 30, 4, 0.25, 0.95), (32, 60, 6, 0.4, 0.90), (33, 15, 3, 0.3, 0.95)])
def test_all_available_matches_psych_lmer_live(tmp_path: Path, seed: int, n: int, k: int, missing: float,
                                               confidence: float) -> None:
    wide = rush_like(seed, n, k, missing)
    assert np.isnan(wide).any()
    r_script = f"""
res <- psych::ICC(x, lmer = TRUE, alpha = {1 - confidence:.2f})
write.csv(res$results, stdout(), row.names = FALSE)
cat("@@\\n")
write.csv(data.frame(component = rownames(res$lme), variance = res$lme$variance), stdout(), row.names = FALSE)
cat("@@\\n")
fit <- lme4::lmer(values ~ 1 + (1 | id) + (1 | items),
                  data = setNames(data.frame(stack(x), id = rep(seq_len(nrow(x)), ncol(x))),
                                  c("values", "items", "id")))
write.csv(data.frame(reml = lme4::REMLcrit(fit)), stdout(), row.names = FALSE)
"""
    results, lme, crit = run_r(r_script, wide, tmp_path)
    res = icc(wide_to_long(wide), "target", "rater", "score", confidence=confidence)
    compare(res.all_available, psych_columns(results), lmer=True)
    theirs = lme.set_index("component")["variance"]
    ours = res.variance_components.set_index("component")["variance"]
    for r_name, name in [("ID", "target"), ("Items", "rater"), ("Residual", "residual")]:
        assert ours[name] == pytest.approx(theirs[r_name], rel=2e-3, abs=1e-5), name

    # Same criterion as lme4, and our optimum is at least as good as lme4's.
    t, r = np.nonzero(~np.isnan(wide))
    criterion = _Criterion(wide[t, r], t, r, *wide.shape)
    theta_lme4 = np.sqrt([theirs["ID"] / theirs["Residual"], theirs["Items"] / theirs["Residual"]])
    lme4_crit = float(crit["reml"].iloc[0])
    assert criterion(theta_lme4)[0] == pytest.approx(lme4_crit, abs=1e-6)
    fit = fit_crossed_reml(wide[t, r], t, r, *wide.shape)
    assert fit.deviance <= lme4_crit + 1e-7


@pytest.mark.r
def test_all_available_on_complete_data_matches_psych_lmer_live(tmp_path: Path) -> None:
    wide = rush_like(41, 20, 5)
    r_script = """
res <- psych::ICC(x, lmer = TRUE)
write.csv(res$results, stdout(), row.names = FALSE)
"""
    (results,) = run_r(r_script, wide, tmp_path)
    res = icc(wide_to_long(wide), "target", "rater", "score")
    compare(res.all_available, psych_columns(results), lmer=True)
    # ...and, being balanced, the REML route reproduces the ANOVA table.
    np.testing.assert_allclose(res.all_available["icc"], res.table["icc"], atol=1e-7)


# --- Frozen values (no R needed) ---------------------------------------------

# x <- read.csv("incomplete.csv")   # the INCOMPLETE matrix of conftest.py, NA = missing
# res <- psych::ICC(x, lmer = TRUE, alpha = 0.05); write.csv(res$results, stdout(), row.names = FALSE)
# psych 2.2.9, lme4 1.1-31, R 4.2.2:
FROZEN_LMER = {
    #          ICC                F                 lower bound        upper bound
    "ICC(1,1)": (0.556344450541105, 6.01600352994255, 0.277087796656645, 0.814219776573304),
    "ICC(2,1)": (0.593538873154216, 34.3842282949071, 0.135735040010658, 0.86107363586458),
    "ICC(3,1)": (0.89300300735257, 34.3842282949071, 0.768168610045171, 0.963469919202526),
    "ICC(1,k)": (0.833776693277713, 6.01600352994255, 0.605238543345082, 0.946035838683518),
    "ICC(2,k)": (0.853823384352665, 34.3842282949071, 0.385828726966467, 0.961228635432161),
    "ICC(3,k)": (0.970916898543623, 34.3842282949071, 0.92984385506582, 0.990610222811096),
}
# write.csv(res$lme, stdout()): variance of ID, Items, Residual
FROZEN_LME = {"target": 8.80535229919431, "rater": 4.97495851009088, "residual": 1.05503140242276}
# lme4::REMLcrit(lme4::lmer(values ~ 1 + (1 | id) + (1 | items), data = <stacked x>))
FROZEN_REMLCRIT = 154.51234295

# res <- psych::ICC(na.omit(x), lmer = FALSE, alpha = 0.10); write.csv(res$results, stdout(), row.names = FALSE)
FROZEN_ANOVA_90 = {
    #          ICC                F                 p                     lower bound         upper bound
    "ICC(1,1)": (0.449712643678161, 4.26892950391645, 0.0287141499569255, 0.0528252721781011, 0.900818875369868),
    "ICC(2,1)": (0.506655216831258, 26.5135135135135, 8.43065068342696e-05, 0.113024928180942, 0.90628819977688),
    "ICC(3,1)": (0.864468864468865, 26.5135135135135, 8.43065068342696e-05, 0.594495443085585, 0.983097045762853),
    "ICC(1,k)": (0.765749235474006, 4.26892950391645, 0.0287141499569255, 0.18239577011157, 0.973212076562704),
    "ICC(2,k)": (0.804225592094053, 26.5135135135135, 8.43065068342696e-05, 0.337620958845939, 0.974800964724559),
    "ICC(3,k)": (0.962283384301733, 26.5135135135135, 8.43065068342696e-05, 0.854317747979494, 0.995720002995588),
}


def test_frozen_psych_lmer_on_incomplete_data() -> None:
    res = icc(wide_to_long(INCOMPLETE), "target", "rater", "score")
    table = res.all_available.set_index("form")
    for form, (value, f, low, high) in FROZEN_LMER.items():
        assert table.at[form, "icc"] == pytest.approx(value, abs=1e-4)
        assert table.at[form, "f"] == pytest.approx(f, rel=1e-4)
        assert table.at[form, "ci_low"] == pytest.approx(low, abs=1e-4)
        assert table.at[form, "ci_high"] == pytest.approx(high, abs=1e-4)
        assert table.at[form, "df1"] == 11
    components = res.variance_components.set_index("component")["variance"]
    for name, value in FROZEN_LME.items():
        assert components[name] == pytest.approx(value, rel=1e-4)
    assert (res.n_targets_all_available, res.n_raters_all_available, res.n_ratings_all_available) == (12, 4, 37)
    t, r = np.nonzero(~np.isnan(INCOMPLETE))
    fit = fit_crossed_reml(INCOMPLETE[t, r], t, r, 12, 4)
    assert fit.deviance == pytest.approx(FROZEN_REMLCRIT, abs=1e-7)
    assert fit.deviance <= FROZEN_REMLCRIT


def test_frozen_psych_anova_ninety_percent() -> None:
    res = icc(wide_to_long(INCOMPLETE), "target", "rater", "score", confidence=0.90, all_available=False)
    table = res.table.set_index("form")
    for form, (value, f, p, low, high) in FROZEN_ANOVA_90.items():
        assert table.at[form, "icc"] == pytest.approx(value, abs=1e-12)
        assert table.at[form, "f"] == pytest.approx(f, rel=1e-12)
        assert table.at[form, "p"] == pytest.approx(p, rel=1e-9)
        assert table.at[form, "ci_low"] == pytest.approx(low, abs=1e-12)
        assert table.at[form, "ci_high"] == pytest.approx(high, abs=1e-12)
