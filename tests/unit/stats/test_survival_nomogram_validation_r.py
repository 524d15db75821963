"""Nomogram against rms::nomogram, apparent Dxy against rms::validate (run live), and the
reproducibility of the seeded bootstrap comparisons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _survival_testkit import rehab_like, run_r

from rushrater.stats.cox import cox_fit
from rushrater.stats.nomogram import cox_nomogram, logistic_nomogram, nomogram_figure, r_pretty
from rushrater.stats.survival_validation import compare_risk_scores, external_validation, optimism_corrected_c

PREDICTORS = ["age", "weight", "height", "ct_guided"]

R_NOMOGRAM = """
suppressMessages(library(rms))
dd <- datadist(d); options(datadist = "dd")
f <- cph(Surv(time, event) ~ age + weight + height + ct_guided, d, x = TRUE, y = TRUE, surv = TRUE,
         eps = 1e-9, tol = 1e-13)
s <- Survival(f)
n <- nomogram(f, fun = list(function(x) s(3, x), function(x) s(6, x)), funlabel = c("S3", "S6"))
for (v in c("age", "weight", "height", "ct_guided")) {
  cat("@@\\n")
  write.csv(data.frame(predictor = v, value = n[[v]][[v]], points = n[[v]]$points), stdout(), row.names = FALSE)
}
for (v in c("S3", "S6")) { cat("@@\\n"); write.csv(data.frame(total = n[[v]]$x, surv = n[[v]]$x.real), stdout(),
                                                    row.names = FALSE) }
"""


@pytest.mark.r
def test_nomogram_matches_rms(tmp_path: Path) -> None:
    data = rehab_like(619, seed=11)
    out = run_r(R_NOMOGRAM, data, tmp_path)
    axes, s3, s6 = pd.concat(out[:4]), out[4], out[5]
    nom = cox_nomogram(cox_fit(data, "time", "event", PREDICTORS), data, [3.0, 6.0])
    ours = nom.points_table()
    np.testing.assert_allclose(ours["value"], axes["value"])
    np.testing.assert_allclose(ours["points"], axes["points"], atol=1e-6)
    # total points at which S(3), S(6) = 0.1, 0.2, ...: rms reads its survival curve at t, as we do
    for j, table in enumerate([s3, s6]):
        got = [nom.total_points_for(v, j) for v in table["surv"]]
        np.testing.assert_allclose(got, table["total"], rtol=1e-5)


def test_r_pretty_matches_known_values() -> None:
    # pretty(c(56, 107), 10); pretty(c(26, 94), 10); pretty(c(0.013, 0.92), 10); pretty(c(0, 206.4), 10)
    np.testing.assert_allclose(r_pretty(56, 107), np.arange(55, 111, 5))
    np.testing.assert_allclose(r_pretty(26, 94), np.arange(25, 96, 5))
    np.testing.assert_allclose(r_pretty(0.013, 0.92), np.arange(0, 1.01, 0.1), atol=1e-12)
    np.testing.assert_allclose(r_pretty(0, 206.4), np.arange(0, 221, 20))


def test_nomogram_calculator_agrees_with_the_model() -> None:
    data = rehab_like(300, seed=8)
    fit = cox_fit(data, "time", "event", PREDICTORS)
    nom = cox_nomogram(fit, data, [3.0])
    patient = {"age": 82, "weight": 55.0, "height": 158, "ct_guided": 1}
    pred = nom.predict(patient)
    direct = fit.survival(pd.DataFrame([patient]), [3.0])[0, 0]
    assert pred["S(3)"] == pytest.approx(direct, rel=1e-12)
    assert max(a.points.max() for a in nom.axes) == pytest.approx(100.0)
    fig = nomogram_figure(nom)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][:2] == ["Points", "age"]
    lg = logistic_nomogram(data.assign(early=(data["time"] < 3) & (data["event"] == 1)), "early", PREDICTORS)
    assert 0 < lg.predict(patient)["probability"] < 1


R_VALIDATE = """
suppressMessages(library(rms))
f <- cph(Surv(time, event) ~ age + weight + height + ct_guided, d, x = TRUE, y = TRUE, eps = 1e-9, tol = 1e-13)
set.seed(3)
v <- validate(f, method = "boot", B = 200)
write.csv(data.frame(dxy = v["Dxy", "index.orig"], optimism = v["Dxy", "optimism"]), stdout(), row.names = FALSE)
"""


@pytest.mark.r
def test_optimism_corrected_c_against_rms_validate(tmp_path: Path) -> None:
    data = rehab_like(400, seed=12, tied=False)  # rcorr.cens and concordance agree without tied times
    (r,) = run_r(R_VALIDATE, data, tmp_path)
    ours = optimism_corrected_c(data, "time", "event", PREDICTORS, B=200, seed=4)
    assert ours.dxy_apparent == pytest.approx(r["dxy"][0], abs=1e-6)
    # Monte-Carlo agreement of the optimism in Dxy (a replicate's SD is about 0.02, so the
    # difference of two means of 200 has SE about 0.002; 0.01 is a 5-SE bound)
    assert 2 * ours.optimism == pytest.approx(r["optimism"][0], abs=0.01)
    again = optimism_corrected_c(data, "time", "event", PREDICTORS, B=200, seed=4)
    assert again == ours


def test_external_validation_and_paired_comparison() -> None:
    data = rehab_like(500, seed=13)
    res = external_validation(data, "time", "event", PREDICTORS, [1.0, 3.0], train_where="institution == 1",
                              validate_where="institution == 2")
    assert res.train_n + res.validate_n == 500
    assert 0.5 < res.c_validate < 0.8 and len(res.auc) == 2 and len(res.calibration) == 2
    rng = np.random.default_rng(0)
    data["image_model"] = 0.03 * data["age"] + 0.02 * data["height"] - 0.5 * data["ct_guided"] + rng.normal(0, 0.05, len(data))
    data["clinical"] = 0.03 * data["age"]
    a = compare_risk_scores(data, "time", "event", "image_model", "clinical", [1.0, 3.0], B=100, seed=5)
    b = compare_risk_scores(data, "time", "event", "image_model", "clinical", [1.0, 3.0], B=100, seed=5)
    assert a == b
    assert a.c_diff_ci[0] < a.c_diff < a.c_diff_ci[1]
    assert a.c_diff > 0  # the image model also knows about height and CT-guided rehabilitation


R_EXTERNAL = """
suppressMessages(library(riskRegression))
tr <- subset(d, institution == 1); va <- subset(d, institution == 2)
f <- coxph(Surv(time, event) ~ age + weight + height + ct_guided, tr)
va$lp <- predict(f, newdata = va, type = "lp")
k <- concordance(Surv(time, event) ~ lp, va, reverse = TRUE, timefix = FALSE)
slope <- coef(coxph(Surv(time, event) ~ lp, va))
e3 <- predict(f, newdata = transform(va, time = pmin(time, 3)), type = "expected")
s <- Score(list(m = cbind(va$lp, va$lp)), Hist(time, event) ~ 1, data = va, times = c(1, 3), metrics = "auc",
           cens.model = "km", null.model = FALSE)
write.csv(data.frame(c = k$concordance, se = sqrt(k$var), slope = slope,
                     citl3 = log(sum(va$event == 1 & va$time <= 3) / sum(e3))), stdout(), row.names = FALSE)
cat("@@\\n")
write.csv(as.data.frame(s$AUC$score), stdout(), row.names = FALSE)
"""


@pytest.mark.r
def test_external_validation_matches_r(tmp_path: Path) -> None:
    data = rehab_like(500, seed=17)
    summary, auc = run_r(R_EXTERNAL, data, tmp_path)
    ours = external_validation(data, "time", "event", PREDICTORS, [1.0, 3.0], train_where="institution == 1",
                               validate_where="institution == 2")
    assert ours.c_validate == pytest.approx(summary["c"][0], abs=1e-6)
    assert ours.c_validate_se == pytest.approx(summary["se"][0], abs=1e-6)
    assert ours.calibration[1]["slope"] == pytest.approx(summary["slope"][0], abs=1e-6)
    assert ours.calibration[1]["calibration_in_the_large"] == pytest.approx(summary["citl3"][0], abs=1e-6)
    np.testing.assert_allclose([a["auc"] for a in ours.auc], auc["AUC"], atol=1e-6)
    np.testing.assert_allclose([a["ci_low"] for a in ours.auc], auc["lower"], atol=1e-4)


def test_risk_model_report_is_json_and_consistent_with_its_parts() -> None:
    import json

    from rushrater.stats.survival_validation import risk_model

    data = rehab_like(300, seed=19)
    report = risk_model(data, "time", "event", PREDICTORS, [1.0, 3.0, 50.0], B=10, seed=3)
    text = json.dumps(report.to_json())  # JSON-able (NaN allowed here; the CLI writes null)
    assert '"seed": 3' in text
    fit = cox_fit(data, "time", "event", PREDICTORS)
    assert report.cox["concordance"] == fit.concordance.concordance
    assert [a["t"] for a in report.auc] == [1.0, 3.0, 50.0] and np.isnan(report.auc[2]["auc"])
    assert len(report.calibration) == 2 and any("t = 50" in w for w in report.warnings)
    assert report.events_per_predictor == fit.events / 4
