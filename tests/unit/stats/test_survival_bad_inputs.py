"""Bad input to the survival models: a clear message or a stated NaN, never a crash or a wrong number."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from _survival_testkit import rehab_like

from rushrater.stats.calibration import calibrate
from rushrater.stats.cox import cox_fit
from rushrater.stats.survival_validation import compare_risk_scores, external_validation
from rushrater.stats.tdroc import td_auc

P = ["age", "ct_guided"]


def test_no_events() -> None:
    data = rehab_like(50, seed=1).assign(event=0)
    with pytest.raises(ValueError, match="no events"):
        cox_fit(data, "time", "event", P)
    with pytest.raises(ValueError, match="no events"):
        td_auc(data, "time", "event", "age", [1.0])


def test_all_events_at_one_time() -> None:
    data = rehab_like(50, seed=1).assign(event=1, time=2.0)
    with pytest.raises(ValueError, match="same time"):
        cox_fit(data, "time", "event", P)


def test_all_events_at_one_time_with_later_censoring_gives_a_model_and_a_stated_nan_ph_test() -> None:
    # R: coxph fits; cox.zph(fit) stops with "system is exactly singular"
    data = rehab_like(80, seed=1)
    data.loc[data["event"] == 1, "time"] = 2.0
    data.loc[data["event"] == 0, "time"] += 3.0
    fit = cox_fit(data, "time", "event", P)
    assert all(math.isfinite(t.coef) for t in fit.terms)
    assert fit.ph is not None and math.isnan(fit.ph.global_chisq) and math.isnan(fit.ph.table[0].p)
    assert any("proportional-hazards test is undefined" in w for w in fit.warnings)
    assert fit.to_json()["global_ph_p"] != fit.to_json()["global_ph_p"]  # NaN, printed as null by the CLI


def test_constant_predictor() -> None:
    data = rehab_like(80, seed=1).assign(sex=1)
    with pytest.raises(ValueError, match="'sex' is constant"):
        cox_fit(data, "time", "event", ["age", "sex"])


def test_collinear_predictor() -> None:
    data = rehab_like(80, seed=1)
    data["age_months"] = data["age"] * 12 + 3
    with pytest.raises(ValueError, match="'age_months' is collinear with 'age'"):
        cox_fit(data, "time", "event", ["age", "ct_guided", "age_months"])


def test_fewer_than_ten_events_per_predictor_warns() -> None:
    data = rehab_like(60, seed=2)
    data["event"] = 0
    data.loc[data.index[:25], "event"] = 1  # 25 events, 4 predictors
    fit = cox_fit(data, "time", "event", ["age", "weight", "height", "ct_guided"])
    assert any("6.2 per predictor" in w and "TRIPOD" in w for w in fit.warnings)
    assert not any("TRIPOD" in w for w in cox_fit(rehab_like(300, seed=2), "time", "event", P).warnings)


def test_monotone_likelihood_is_a_stated_nan() -> None:
    # no events among ct_guided == 1: its coefficient runs to -infinity. R: coxph(Surv(time, event) ~ age +
    # ct_guided) warns "Loglik converged before variable 2; coefficient may be infinite", age 0.0528809
    data = rehab_like(200, seed=3)
    data.loc[data["ct_guided"] == 1, "event"] = 0
    fit = cox_fit(data, "time", "event", P)
    ct = fit.terms[1]
    assert math.isnan(ct.coef) and math.isnan(ct.p) and math.isnan(ct.hr)
    assert any("'ct_guided'" in w and "infinite" in w for w in fit.warnings)
    assert fit.terms[0].coef == pytest.approx(0.0528809, abs=1e-6)


def test_negative_and_missing_times_name_the_rows() -> None:
    data = rehab_like(30, seed=4)
    data.loc[3, "time"] = -1.0
    with pytest.raises(ValueError, match=r"negative on rows 3"):
        cox_fit(data, "time", "event", P)
    data.loc[3, "time"] = np.nan
    with pytest.raises(ValueError, match=r"missing on rows 3"):
        cox_fit(data, "time", "event", P)
    with pytest.raises(ValueError, match=r"missing on rows 3"):
        td_auc(data, "time", "event", "age", [1.0])


def test_bad_event_codes_and_text_predictors() -> None:
    data = rehab_like(30, seed=4)
    data.loc[5, "event"] = 2
    with pytest.raises(ValueError, match=r"1 \(event\) or 0 \(censored\); rows 5"):
        cox_fit(data, "time", "event", P)
    data = rehab_like(30, seed=4).astype({"age": object})
    data.loc[7, "age"] = "old"
    with pytest.raises(ValueError, match=r"'age' must hold numbers; rows 7"):
        cox_fit(data, "time", "event", P)


def test_missing_predictor_rows_are_left_out_and_said() -> None:
    data = rehab_like(120, seed=5)
    data.loc[[4, 9], "age"] = np.nan
    fit = cox_fit(data, "time", "event", P)
    assert fit.n == 118
    assert any("2 row(s) with a missing predictor left out" in w and "4, 9" in w for w in fit.warnings)


def test_non_convergence_is_stated() -> None:
    # perfectly separated by a continuous predictor: the first event always has the largest x
    n = 40
    data = pd.DataFrame({"time": np.arange(1.0, n + 1), "event": 1, "x": np.arange(n, 0, -1.0),
                         "z": np.tile([0.0, 1.0], n // 2)})
    fit = cox_fit(data, "time", "event", ["x", "z"])
    # R: coxph(Surv(time, event) ~ x + z) warns "Ran out of iterations and did not converge" (x = 17.05)
    assert math.isnan(fit.terms[0].coef) and math.isnan(fit.terms[1].coef)
    assert any("did not converge in 20 iterations" in w for w in fit.warnings)


def test_calibration_and_validation_messages() -> None:
    data = rehab_like(200, seed=6)
    with pytest.raises(ValueError, match="beyond the last follow-up"):
        calibrate(data, "time", "event", P, 500.0, B=0)
    with pytest.raises(ValueError, match="selects no rows"):
        external_validation(data, "time", "event", P, [1.0], train_where="institution == 1",
                            validate_where="institution == 9")
    with pytest.raises(ValueError, match="not a valid condition"):
        external_validation(data, "time", "event", P, [1.0], train_where="institution ==",
                            validate_where="institution == 2")
    with pytest.raises(ValueError, match="both the training and the validation"):
        external_validation(data, "time", "event", P, [1.0], train_where="institution >= 1",
                            validate_where="institution == 2")
    with pytest.raises(ValueError, match="two different"):
        compare_risk_scores(data, "time", "event", "age", "age", [1.0], B=10)
