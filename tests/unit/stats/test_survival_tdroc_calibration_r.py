"""Time-dependent AUC against riskRegression::Score and calibration against rms (run live).

AUC to 1e-6, its SE to 1e-6 and CI to 1e-4 (riskRegression 2022.11.28, cens.model = "km").
Calibration: the apparent columns of rms::calibrate (mean predicted, KM, std.err) and the ICI
exactly (1e-6); the bootstrap optimism only within Monte-Carlo error (R's random numbers are
not ours), and ours is reproducible for a given seed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _survival_testkit import rehab_like, run_r

from rushrater.stats.calibration import calibrate
from rushrater.stats.tdroc import roc_figure, td_auc

PREDICTORS = ["age", "weight", "height", "ct_guided"]

R_SCORE = """
suppressMessages(library(riskRegression))
s <- Score(list(m = cbind(d$m, d$m, d$m)), Hist(time, event) ~ 1, data = d, times = c(1, 3, 6),
           metrics = "auc", cens.model = "km", null.model = FALSE)
write.csv(as.data.frame(s$AUC$score), stdout(), row.names = FALSE)
"""


@pytest.mark.r
@pytest.mark.parametrize("tied", [True, False])
def test_auc_matches_score(tmp_path: Path, tied: bool) -> None:
    data = rehab_like(350, seed=21, tied=tied)
    rng = np.random.default_rng(0)
    data["m"] = np.round(0.03 * data["age"] + 0.02 * data["height"] - 0.5 * data["ct_guided"]
                         + rng.normal(0, 0.3, len(data)), 1)  # ties in the marker too
    (r,) = run_r(R_SCORE, data, tmp_path)
    ours = td_auc(data, "time", "event", "m", [1, 3, 6]).frame()
    np.testing.assert_allclose(ours["auc"], r["AUC"], atol=1e-6)
    np.testing.assert_allclose(ours["se"], r["se"], atol=1e-6)
    np.testing.assert_allclose(ours["ci_low"], r["lower"], atol=1e-4)
    np.testing.assert_allclose(ours["ci_high"], r["upper"], atol=1e-4)


def test_auc_without_cases_or_controls_is_a_stated_nan() -> None:
    data = rehab_like(100, seed=2)
    res = td_auc(data, "time", "event", "age", [0.01, 3.0, 1000.0])
    assert np.isnan(res.times[0].auc) and np.isnan(res.times[2].auc)
    assert any("t = 0.01" in w for w in res.warnings)
    assert 0 < res.times[1].auc < 1
    assert len(roc_figure(res).axes) == 1


R_CAL = """
suppressMessages(library(rms))
f <- cph(Surv(time, event) ~ age + weight + height + ct_guided, d, x = TRUE, y = TRUE, surv = TRUE,
         time.inc = 3, eps = 1e-9, tol = 1e-13)
set.seed(15)
invisible(capture.output(cal <- calibrate(f, cmethod = "KM", method = "boot", u = 3, m = 150, B = 200)))
m <- unclass(cal); attributes(m) <- attributes(m)[c("dim", "dimnames")]; write.csv(as.data.frame(m), stdout(), row.names = FALSE)
cat("@@\\n")
s3 <- survest(f, newdata = d, times = 3)$surv
d$cll <- log(-log(s3))
c2 <- cph(Surv(time, event) ~ rcs(cll, 3), d, x = TRUE, y = TRUE, surv = TRUE, eps = 1e-9, tol = 1e-13)
err <- abs((1 - s3) - (1 - survest(c2, newdata = d, times = 3)$surv))
write.csv(data.frame(ici = mean(err), e50 = median(err), e90 = unname(quantile(err, 0.9)),
                     slope = coef(coxph(Surv(time, event) ~ f$linear.predictors, d))), stdout(), row.names = FALSE)
"""


@pytest.mark.r
def test_calibration_matches_rms(tmp_path: Path) -> None:
    data = rehab_like(619, seed=11)
    groups, summary = run_r(R_CAL, data, tmp_path)
    ours = calibrate(data, "time", "event", PREDICTORS, 3.0, m=150, B=200, seed=7)
    g = ours.groups
    np.testing.assert_allclose(g["mean_predicted"], groups["mean.predicted"], atol=1e-6)
    np.testing.assert_allclose(g["km"], groups["KM"], atol=1e-9)
    np.testing.assert_allclose(g["std_err"], groups["std.err"], atol=1e-9)
    np.testing.assert_allclose(g["km"] - g["mean_predicted"], groups["index.orig"], atol=1e-6)
    for key in ["ici", "e50", "e90"]:
        assert ours.summary[key] == pytest.approx(summary[key][0], abs=1e-6), key
    assert ours.summary["slope"] == pytest.approx(1.0, abs=1e-6)  # apparent slope of a Cox lp is 1
    # bootstrap: Monte-Carlo agreement. One replicate's train - test varies with SD about 0.02
    # here, so each mean of 200 has SE about 0.0015 and the difference of R's and ours about
    # 0.002: 0.01 is a 5-SE bound.
    np.testing.assert_allclose(g["optimism"], groups["mean.optimism"], atol=0.01)


def test_calibration_bootstrap_is_reproducible_with_its_seed() -> None:
    data = rehab_like(300, seed=5)
    a = calibrate(data, "time", "event", PREDICTORS, 3.0, m=100, B=30, seed=99)
    b = calibrate(data, "time", "event", PREDICTORS, 3.0, m=100, B=30, seed=99)
    c = calibrate(data, "time", "event", PREDICTORS, 3.0, m=100, B=30, seed=100)
    pd.testing.assert_frame_equal(a.groups, b.groups)
    assert a.seed == 99 and a.to_json()["seed"] == 99
    assert not np.allclose(a.groups["optimism"], c.groups["optimism"])


@pytest.mark.r
def test_roc_curve_matches_score(tmp_path: Path) -> None:
    data = rehab_like(200, seed=22)
    data["m"] = np.round(0.03 * data["age"] - 0.5 * data["ct_guided"], 2)
    (r,) = run_r("suppressMessages(library(riskRegression))\n"
                 "s <- Score(list(m = cbind(d$m)), Hist(time, event) ~ 1, data = d, times = 3, metrics = 'auc',\n"
                 "           plots = 'ROC', cens.model = 'km', null.model = FALSE)\n"
                 "write.csv(as.data.frame(s$ROC$plotframe), stdout(), row.names = FALSE)\n", data, tmp_path)
    roc = td_auc(data, "time", "event", "m", [3.0]).roc.iloc[1:]  # row 0 is the (0, 0) corner
    r = r.sort_values("risk", ascending=False)
    np.testing.assert_allclose(roc["threshold"], r["risk"])
    np.testing.assert_allclose(roc["tpr"], r["TPR"], atol=1e-9)
    np.testing.assert_allclose(roc["fpr"], r["FPR"], atol=1e-9)
