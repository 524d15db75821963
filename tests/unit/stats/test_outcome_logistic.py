"""Logistic regression against R's glm / confint (R 4.2, MASS profile) run live, hand values, bad input.

The default profile CIs reproduce R's ``confint()`` on a glm (MASS ``profile.glm``: a grid of
offset fits, an FMM spline, linear inverse interpolation), so they are compared with it; the
``profile="exact"`` limits are compared with R ``uniroot`` on the same signed-root deviance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _outcome_r import run_r_frame

from rushrater.stats.logistic import hosmer_lemeshow, logistic, univariable


def cohort(seed: int, n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    smi = rng.normal(45, 7, n)
    vfi = rng.gamma(4, 10, n)
    age = rng.normal(60, 12, n)
    asa = rng.choice(["I", "II", "III"], n)
    lp = -0.5 - 0.1 * (smi - 45) + 0.02 * (vfi - 40) + 0.5 * (asa == "III")
    slow = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    return pd.DataFrame({"slow": slow, "smi": smi, "vfi": vfi, "age": age, "asa": asa})


R_GLM = """
suppressMessages(library(MASS))
fit <- glm(slow ~ smi + vfi + age + asa, data = d, family = binomial)
b <- coef(fit); se <- sqrt(diag(vcov(fit)))
wald <- confint.default(fit); prof <- suppressMessages(confint(fit))
exact <- t(sapply(seq_along(b), function(j) {
  X <- model.matrix(fit); y <- fit$y
  dev_at <- function(v) {
    off <- v * X[, j]; rest <- X[, -j, drop = FALSE]
    glm.fit(rest, y, family = binomial(), offset = off, control = glm.control(epsilon = 1e-12, maxit = 100))$deviance
  }
  z <- function(v) sign(v - b[j]) * sqrt(max(dev_at(v) - fit$deviance, 0))
  q <- qnorm(0.975)
  c(uniroot(function(v) z(v) + q, c(b[j] - 10 * se[j], b[j]), tol = 1e-12)$root,
    uniroot(function(v) z(v) - q, c(b[j], b[j] + 10 * se[j]), tol = 1e-12)$root)
}))
n <- nrow(d); ll <- as.numeric(logLik(fit)); ll0 <- as.numeric(logLik(update(fit, . ~ 1)))
cs <- 1 - exp(2 * (ll0 - ll) / n); nk <- cs / (1 - exp(2 * ll0 / n))
write.csv(data.frame(term = names(b), b = b, se = se, p = summary(fit)$coefficients[, 4],
                     or = exp(b), ci_low = exp(wald[, 1]), ci_high = exp(wald[, 2]),
                     profile_low = exp(prof[, 1]), profile_high = exp(prof[, 2]),
                     exact_low = exp(exact[, 1]), exact_high = exp(exact[, 2]), cs = cs, nk = nk),
          stdout(), row.names = FALSE)
cat("@@\\n")
# Hosmer-Lemeshow exactly as ResourceSelection::hoslem.test (its source, not installed here):
yhat <- fitted(fit); y <- fit$y
qq <- unique(quantile(yhat, probs = seq(0, 1, 1/10)))
cutyhat <- cut(yhat, breaks = qq, include.lowest = TRUE)
obs <- xtabs(cbind(1 - y, y) ~ cutyhat); expd <- xtabs(cbind(1 - yhat, yhat) ~ cutyhat)
chisq <- sum((obs - expd)^2 / expd)
write.csv(data.frame(chi2 = chisq, p = 1 - pchisq(chisq, 8)), stdout(), row.names = FALSE)
"""


@pytest.mark.r
@pytest.mark.parametrize("seed", [21, 22])
def test_multivariable_model_matches_glm_live(tmp_path: Path, seed: int) -> None:
    data = cohort(seed)
    terms, hl = run_r_frame(R_GLM, data, tmp_path, ("MASS",))
    res = logistic(data, "slow", ["smi", "vfi", "age", "asa"])
    ours = res.terms
    exact = logistic(data, "slow", ["smi", "vfi", "age", "asa"], profile="exact").terms
    assert list(ours["term"]) == ["(Intercept)", "smi", "vfi", "age", "asa[II]", "asa[III]"]
    for column in ["b", "se", "or"]:
        np.testing.assert_allclose(ours[column], terms[column], rtol=1e-6, atol=1e-9, err_msg=column)
    for column in ["ci_low", "ci_high", "p"]:
        np.testing.assert_allclose(ours[column], terms[column], rtol=1e-4, atol=1e-8, err_msg=column)
    np.testing.assert_allclose(exact["profile_ci_low"], terms["exact_low"], rtol=1e-6)
    np.testing.assert_allclose(exact["profile_ci_high"], terms["exact_high"], rtol=1e-6)
    np.testing.assert_allclose(ours["profile_ci_low"], terms["profile_low"], rtol=1e-6)
    np.testing.assert_allclose(ours["profile_ci_high"], terms["profile_high"], rtol=1e-6)
    assert res.nagelkerke_r2 == pytest.approx(terms["nk"][0], abs=1e-6)
    assert res.cox_snell_r2 == pytest.approx(terms["cs"][0], abs=1e-6)
    assert res.hosmer_lemeshow["chi2"] == pytest.approx(hl["chi2"][0], abs=1e-6)
    assert res.hosmer_lemeshow["p"] == pytest.approx(hl["p"][0], abs=1e-4)
    assert res.to_dict()["terms"][1]["or"] == pytest.approx(terms["or"][1], rel=1e-6)
    assert res.n == 200 and res.events == int(data["slow"].sum()) and res.converged and res.problem is None


@pytest.mark.r
def test_fmm_spline_equals_R_spline_live(tmp_path: Path) -> None:
    from rushrater.stats.logistic import r_spline

    rng = np.random.default_rng(5)
    data = pd.DataFrame({"x": np.sort(rng.normal(0, 1, 11)), "y": rng.normal(0, 1, 11)})
    (theirs,) = run_r_frame("s <- spline(d$x, d$y)\nwrite.csv(data.frame(x = s$x, y = s$y), stdout(), "
                            "row.names = FALSE)", data, tmp_path)
    u, v = r_spline(data["x"].to_numpy(), data["y"].to_numpy())
    np.testing.assert_allclose(u, theirs["x"], atol=1e-12)
    np.testing.assert_allclose(v, theirs["y"], atol=1e-10)


def test_hand_computed_single_binary_predictor() -> None:
    # 2x2 table: exposed 8 events / 2 non-events, unexposed 3 / 7.  The MLE odds ratio is the
    # cross-product (8*7)/(2*3) = 9.333…, SE(log OR) = sqrt(1/8 + 1/2 + 1/3 + 1/7) (Woolf).
    data = pd.DataFrame({"y": [1] * 8 + [0] * 2 + [1] * 3 + [0] * 7, "x": [1] * 10 + [0] * 10})
    row = logistic(data, "y", ["x"]).terms.set_index("term").loc["x"]
    assert row["or"] == pytest.approx(56 / 6, rel=1e-8)
    assert row["se"] == pytest.approx(np.sqrt(1 / 8 + 1 / 2 + 1 / 3 + 1 / 7), rel=1e-7)


def test_hosmer_lemeshow_of_a_perfect_calibration_is_zero() -> None:
    # Ten risk groups of 20 patients, p = 0.05, 0.15, …, 0.95, with exactly 20p events each: the
    # decile cut points fall between the groups, observed = expected in every cell, chi2 = 0.
    p = np.arange(0.05, 1.0, 0.1)
    fitted = np.repeat(p, 20)
    y = np.concatenate([np.r_[np.ones(round(20 * q)), np.zeros(20 - round(20 * q))] for q in p])
    hl = hosmer_lemeshow(y, fitted)
    assert hl["chi2"] == pytest.approx(0.0, abs=1e-12) and hl["df"] == 8


def test_complete_separation_is_reported_never_a_huge_odds_ratio() -> None:
    data = pd.DataFrame({"y": [0, 0, 0, 0, 1, 1, 1, 1], "smi": [30, 31, 32, 33, 40, 41, 42, 43.0],
                         "age": [50, 61, 55, 70, 52, 66, 58, 63.0]})
    res = logistic(data, "y", ["smi", "age"])
    assert res.problem is not None and "separation by smi" in res.problem
    assert res.terms["or"].isna().all()
    assert res.to_dict()["terms"][1]["or"] is None


def test_quasi_complete_separation_by_a_category_is_reported() -> None:
    data = pd.DataFrame({"y": [1, 1, 1, 0, 1, 0, 0, 1, 0, 0], "asa": ["III"] * 3 + ["I", "II"] * 3 + ["I"]})
    res = logistic(data, "y", ["asa"])
    assert res.problem is not None and "asa[III]" in res.problem


@pytest.mark.parametrize(("frame", "message"), [
    (pd.DataFrame({"y": [0, 1, 0, 1], "x": [2.0, 2, 2, 2]}), "same for every patient"),
    (pd.DataFrame({"y": [0, 1, 2, 1], "x": [1.0, 2, 3, 4]}), "must be binary"),
    (pd.DataFrame({"y": [0, 1, 0, 1], "x": [np.nan] * 4}), "missing for every row"),
])
def test_bad_input(frame: pd.DataFrame, message: str) -> None:
    try:
        res = logistic(frame, "y", ["x"])
    except ValueError as exc:
        assert message in str(exc)
    else:
        assert res.problem is not None and message in res.problem


def test_missing_values_counted_and_univariable_models_use_their_own_rows() -> None:
    data = cohort(23, 120)
    data.loc[:9, "vfi"] = np.nan
    models = univariable(data, "slow", ["smi", "vfi"], profile=None)
    assert [m.n for m in models] == [120, 110]
    assert models[1].missing.missing["vfi"] == 10
    assert "vfi 10; 110 of 120 rows used" in models[1].warnings[0]
    joint = logistic(data, "slow", ["smi", "vfi"], profile=None)
    assert joint.n == 110


def test_non_convergence_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    module = importlib.import_module("rushrater.stats.logistic")  # the name alone is the function
    real = module._glm

    def stubborn(y, x, offset=None):  # type: ignore[no-untyped-def]
        res = real(y, x, offset)
        res.converged = False
        return res

    monkeypatch.setattr(module, "_glm", stubborn)
    res = logistic(cohort(24, 80), "slow", ["smi"], profile=None)
    assert not res.converged and res.problem is not None and "did not converge" in res.problem
    assert "did not converge" in " ".join(res.warnings)
