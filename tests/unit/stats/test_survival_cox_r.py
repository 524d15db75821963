"""Cox model, concordance and cox.zph against R survival (3.5-3) run live.

Estimates (coef, HR, SE, z, C and its SE) to 1e-6, CIs, p and PH chi-squares to 1e-4; each
test keeps the R call beside the numbers it checks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _survival_testkit import r_lung, rehab_like, run_r

from rushrater.stats.cox import concordance, cox_fit, schoenfeld_figure, zph_smooth

R_COX = """
f <- coxph({formula}, data = d, ties = "{ties}")
s <- summary(f)$coefficients
ci <- summary(f)$conf.int
write.csv(data.frame(term = rownames(s), coef = s[, 1], hr = s[, 2], se = s[, 3], z = s[, 4], p = s[, 5],
                     ci_low = ci[, 3], ci_high = ci[, 4]), stdout(), row.names = FALSE)
cat("@@\\n")
write.csv(data.frame(c = f$concordance["concordance"], se = f$concordance["std"], loglik0 = f$loglik[1],
                     loglik = f$loglik[2]), stdout(), row.names = FALSE)
cat("@@\\n")
z <- cox.zph(f, transform = "km")
write.csv(data.frame(term = rownames(z$table), chisq = z$table[, 1], p = z$table[, 3]), stdout(), row.names = FALSE)
cat("@@\\n")
write.csv(data.frame(x = z$x, z$y), stdout(), row.names = FALSE)
"""


def check_against_r(tmp_path: Path, data: pd.DataFrame, predictors: list[str], ties: str,
                    strata: str | None = None) -> None:
    rhs = " + ".join(predictors) + (f" + strata({strata})" if strata else "")
    terms, conc, zph, resid = run_r(R_COX.format(formula=f"Surv(time, event) ~ {rhs}", ties=ties), data, tmp_path)
    fit = cox_fit(data, "time", "event", predictors, ties=ties, strata=strata)
    ours = fit.terms_frame().set_index("term").loc[terms["term"]]
    for column in ["coef", "hr", "se", "z"]:
        np.testing.assert_allclose(ours[column], terms[column], atol=1e-6, rtol=1e-6, err_msg=column)
    for column in ["ci_low", "ci_high", "p"]:
        np.testing.assert_allclose(ours[column], terms[column], atol=1e-4, rtol=1e-4, err_msg=column)
    np.testing.assert_allclose(fit.loglik, [conc["loglik0"][0], conc["loglik"][0]], rtol=1e-9)
    assert fit.concordance.concordance == pytest.approx(conc["c"][0], abs=1e-6)
    assert fit.concordance.se == pytest.approx(conc["se"][0], abs=1e-6)
    assert fit.ph is not None
    chisq = [t.chisq for t in fit.ph.table] + [fit.ph.global_chisq]
    p = [t.p for t in fit.ph.table] + [fit.ph.global_p]
    np.testing.assert_allclose(chisq, zph["chisq"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(p, zph["p"], atol=1e-4)
    np.testing.assert_allclose(fit.ph.x, resid["x"], atol=1e-9)
    r_y = resid[[c for c in resid.columns if c != "x"]].to_numpy(float)
    np.testing.assert_allclose(fit.ph.scaled_residuals.to_numpy(float), r_y, atol=1e-6, rtol=1e-6)


@pytest.mark.r
def test_lung_efron(tmp_path: Path) -> None:
    # coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, lung, ties = "efron"):
    # coef age 0.013514, sex -0.594484, ph.ecog 0.519631; C 0.6475, zph global p 0.262
    lung = r_lung(tmp_path).rename(columns={"status": "event", "ph.ecog": "ph_ecog", "wt.loss": "wt_loss"})
    check_against_r(tmp_path, lung, ["age", "sex", "ph_ecog", "wt_loss"], "efron")


@pytest.mark.r
def test_lung_breslow_strata(tmp_path: Path) -> None:
    # coxph(Surv(time, event) ~ age + sex + wt.loss + strata(ph.ecog), lung, ties = "breslow")
    lung = r_lung(tmp_path).rename(columns={"status": "event", "ph.ecog": "ph_ecog", "wt.loss": "wt_loss"})
    check_against_r(tmp_path, lung, ["age", "sex", "wt_loss"], "breslow", strata="ph_ecog")


@pytest.mark.r
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_rehabilitation_cohort_with_ties(tmp_path: Path, ties: str) -> None:
    # coxph(Surv(time, event) ~ age + weight + height + ct_guided, d, ties = ...) on 400 simulated patients
    data = rehab_like(400, seed=3)
    check_against_r(tmp_path, data, ["age", "weight", "height", "ct_guided"], ties)


@pytest.mark.r
def test_rehabilitation_strata_by_institution(tmp_path: Path) -> None:
    data = rehab_like(300, seed=4)
    check_against_r(tmp_path, data, ["age", "height", "ct_guided"], "efron", strata="institution")


@pytest.mark.r
def test_concordance_of_any_score(tmp_path: Path) -> None:
    # concordance(Surv(time, event) ~ score, d, reverse = TRUE, timefix = FALSE): C and sqrt(var)
    data = rehab_like(250, seed=7)
    data["score"] = np.round(data["age"] / 10)  # many ties on the score
    (r,) = run_r('k <- concordance(Surv(time, event) ~ score, d, reverse = TRUE, timefix = FALSE)\n'
                 'write.csv(data.frame(c = k$concordance, se = sqrt(k$var)), stdout(), row.names = FALSE)\n',
                 data, tmp_path)
    ours = concordance(data["time"].to_numpy(float), data["event"].to_numpy(bool), data["score"].to_numpy(float))
    assert ours.concordance == pytest.approx(r["c"][0], abs=1e-9)
    assert ours.se == pytest.approx(r["se"][0], abs=1e-9)


def test_schoenfeld_figure_draws_every_term() -> None:
    fit = cox_fit(rehab_like(200, seed=2), "time", "event", ["age", "ct_guided"])
    assert fit.ph is not None
    fig = schoenfeld_figure(fit.ph)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_title().startswith("age (PH test p = ")


def test_json_schema_is_the_documented_one() -> None:
    fit = cox_fit(rehab_like(200, seed=2), "time", "event", ["age", "ct_guided"])
    out = fit.to_json()
    for key in ["n", "events", "terms", "concordance", "concordance_se", "ph_test", "global_ph_p"]:
        assert key in out
    assert set(out["terms"][0]) == {"term", "coef", "hr", "ci_low", "ci_high", "se", "z", "p"}
    assert set(out["ph_test"][0]) == {"term", "chisq", "p"}


def test_concordance_counts_equal_all_pairs_on_a_large_tied_sample() -> None:
    # the block-sorted counting must equal the plain definition over all n^2 pairs
    rng = np.random.default_rng(9)
    n = 1500
    time = np.round(rng.exponential(3, n), 1)
    event = rng.random(n) < 0.6
    score = np.round(rng.normal(size=n), 1)
    earlier = (time[:, None] < time[None, :]) | ((time[:, None] == time[None, :]) & ~event[None, :])
    comparable = event[:, None] & earlier
    conc = (comparable & (score[:, None] > score[None, :])).sum()
    disc = (comparable & (score[:, None] < score[None, :])).sum()
    tied = (comparable & (score[:, None] == score[None, :])).sum()
    ours = concordance(time, event, score)
    assert (ours.concordant, ours.discordant, ours.tied_x) == (conc, disc, tied)
    assert ours.concordance == pytest.approx((conc + tied / 2) / (conc + disc + tied), abs=1e-12)


R_ZPH_SMOOTH = """
suppressMessages(library(splines))
f <- coxph(Surv(time, event) ~ age + height + ct_guided, d)
x <- cox.zph(f)
# the smooth of survival:::plot.cox.zph (df = 4, nsmo = 40), line for line
pred.x <- seq(from = min(x$x), to = max(x$x), length = 40)
lmat <- ns(c(pred.x, x$x), df = 4, intercept = TRUE)
pmat <- lmat[1:40, ]; xmat <- lmat[-(1:40), ]
qmat <- qr(xmat)
bk <- backsolve(qmat$qr[1:4, 1:4], diag(4)); xtx <- bk %*% t(bk)
seval <- ((pmat %*% xtx) * pmat) %*% rep(1, 4)
out <- NULL
for (i in 1:3) {
  yhat <- pmat %*% qr.coef(qmat, x$y[, i])
  half <- 2 * sqrt(x$var[i, i] * seval)
  out <- rbind(out, data.frame(term = colnames(x$y)[i], x = pred.x, fit = yhat, lower = yhat - half,
                               upper = yhat + half))
}
write.csv(out, stdout(), row.names = FALSE)
"""


@pytest.mark.r
def test_schoenfeld_smooth_matches_plot_cox_zph(tmp_path: Path) -> None:
    data = rehab_like(300, seed=23)
    (r,) = run_r(R_ZPH_SMOOTH, data, tmp_path)
    fit = cox_fit(data, "time", "event", ["age", "height", "ct_guided"])
    assert fit.ph is not None
    for term in ["age", "height", "ct_guided"]:
        ours = zph_smooth(fit.ph, term)
        theirs = r[r["term"] == term]
        for column in ["x", "fit", "lower", "upper"]:
            np.testing.assert_allclose(ours[column], theirs[column], atol=1e-6, rtol=1e-6, err_msg=f"{term} {column}")
