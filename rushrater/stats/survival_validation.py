"""Validation of a Cox model and comparison of risk scores on the same patients.

* :func:`external_validation` — fit on the rows of one pandas query (``"institution == 1"``),
  evaluate on another (``"institution == 2"``): Harrell's C (with its SE) of the training
  model's linear predictor, time-dependent AUC and calibration (groupkm, slope,
  calibration-in-the-large, ICI) at each time.
* :func:`optimism_corrected_c` — ``rms::validate(cph(..., x = TRUE, y = TRUE), method = "boot", B)``'s
  Dxy row turned into C = (Dxy + 1) / 2: apparent C, the mean optimism (C in the bootstrap
  sample minus C of the bootstrap model on the original data), and C - optimism.
* :func:`risk_model` — all of the above for one model (the core of ``rushrater riskmodel``).
* :func:`compare_risk_scores` — C(a) - C(b) and AUC_a(t) - AUC_b(t) with paired bootstrap
  percentile 95% CIs (the same resampled patients for both scores).

Resampling uses a seeded numpy Generator recorded in every result; the same seed gives the
same numbers run to run (R's random numbers cannot be reproduced, so only the apparent values
match rms exactly).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._surv import BoolArray, FloatArray, require_events, survival_data
from .calibration import calibrate, calibration_cuts, calibration_summary, group_km
from .cox import concordance, cox_fit, fit_lean
from .tdroc import auc_at, td_auc

DEFAULT_SEED = 20240601


def subset(data: pd.DataFrame, where: str, what: str) -> pd.DataFrame:
    """Rows of ``data`` matching a pandas query string, with a clear message when it is bad."""
    if not isinstance(where, str) or not where.strip():
        raise ValueError(f"{what}: give a condition such as \"institution == 1\"")
    try:
        rows = data.query(where, engine="python")
    except Exception as exc:  # pandas raises many types for a bad expression
        raise ValueError(f"{what} {where!r} is not a valid condition on the columns "
                         f"{', '.join(map(str, data.columns))}: {exc}") from None
    if not isinstance(rows, pd.DataFrame) or rows.empty:
        raise ValueError(f"{what} {where!r} selects no rows")
    return rows


def _c_index(time: FloatArray, event: BoolArray, score: FloatArray) -> float:
    return concordance(time, event, score).concordance


@dataclass
class ValidationResult:
    train_n: int
    validate_n: int
    train_events: int
    validate_events: int
    c_train: float
    c_validate: float
    c_validate_se: float
    auc: list[dict[str, float]]
    calibration: list[dict[str, Any]]
    terms: list[dict[str, float]]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def external_validation(data: pd.DataFrame, time: str, event: str, predictors: list[str], times: list[float], *,
                        train_where: str, validate_where: str, m: int = 50) -> ValidationResult:
    """Fit on ``train_where`` rows, report discrimination and calibration on ``validate_where`` rows."""
    train = subset(data, train_where, "--train-where")
    valid = subset(data, validate_where, "--validate-where")
    overlap = train.index.intersection(valid.index)
    if len(overlap):
        raise ValueError(f"{len(overlap)} row(s) are in both the training and the validation set; "
                         "the two conditions must not overlap")
    fit = cox_fit(train, time, event, predictors, ph_test=False)
    v = survival_data(valid, time, event, predictors)
    require_events(v, "validation set")
    warnings = [f"training: {w}" for w in fit.warnings] + [f"validation: {w}" for w in v.warnings]
    lean = fit_lean(*_arrays(train, time, event, predictors))
    lp = lean.lp(v.x)
    conc = concordance(v.time, v.event, lp)
    scored = pd.DataFrame({"time": v.time, "event": v.event.astype(int), "lp": lp})
    auc = td_auc(scored, "time", "event", "lp", times)
    warnings += auc.warnings
    cal = []
    for u in times:
        pred = lean.survival_at(v.x, u)
        groups = group_km(pred, v.time, v.event, u, calibration_cuts(pred, m))
        h = np.concatenate([[0.0], lean.cumhaz])[np.searchsorted(lean.times, np.minimum(v.time, u), side="right")]
        summary, _, more = calibration_summary(pred, lp, h * np.exp(lp), v.time, v.event, u)
        warnings += more
        cal.append({"t": u, **summary, "groups": groups.to_dict(orient="records")})
    return ValidationResult(train_n=fit.n, validate_n=v.n, train_events=fit.events, validate_events=v.events,
                            c_train=fit.concordance.concordance, c_validate=conc.concordance, c_validate_se=conc.se,
                            auc=[{"t": a.t, "auc": a.auc, "ci_low": a.ci_low, "ci_high": a.ci_high} for a in auc.times],
                            calibration=cal, terms=[asdict(t) for t in fit.terms], warnings=warnings)


def _arrays(data: pd.DataFrame, time: str, event: str, predictors: list[str]) -> tuple[FloatArray, BoolArray, FloatArray]:
    d = survival_data(data, time, event, predictors)
    return d.time, d.event, d.x


@dataclass
class OptimismResult:
    c_apparent: float
    optimism: float
    c_corrected: float
    dxy_apparent: float
    dxy_corrected: float
    B: int
    B_used: int
    seed: int | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def optimism_corrected_c(data: pd.DataFrame, time: str, event: str, predictors: list[str], *, B: int = 200,
                         seed: int | None = DEFAULT_SEED, ties: str = "efron") -> OptimismResult:
    """Bootstrap optimism-corrected C (``validate(f, method = "boot", B = B)``, Dxy -> C).

    R: ``f <- cph(Surv(time, event) ~ a + b, d, x = TRUE, y = TRUE); validate(f, B = 200)["Dxy", ]``.
    """
    cox_fit(data, time, event, predictors, ties=ties, ph_test=False)  # input checks with clear messages
    t, e, x = _arrays(data, time, event, predictors)
    full = fit_lean(t, e, x, ties)
    c_app = _c_index(t, e, full.lp(x))
    rng = np.random.default_rng(seed)
    opt, used = 0.0, 0
    for _ in range(B):
        idx = rng.integers(0, t.size, t.size)
        if e[idx].sum() < 2:
            continue
        fb = fit_lean(t[idx], e[idx], x[idx], ties)
        if not fb.converged:
            continue
        opt += _c_index(t[idx], e[idx], fb.lp(x[idx])) - _c_index(t, e, fb.lp(x))
        used += 1
    optimism = opt / used if used else math.nan
    return OptimismResult(c_apparent=c_app, optimism=optimism, c_corrected=c_app - optimism,
                          dxy_apparent=2 * c_app - 1, dxy_corrected=2 * (c_app - optimism) - 1, B=B, B_used=used,
                          seed=seed)


@dataclass
class Comparison:
    """C and AUC(t) of two scores on the same patients and their paired differences."""

    score_a: str
    score_b: str
    n: int
    c_a: float
    c_b: float
    c_diff: float
    c_diff_ci: tuple[float, float]
    auc: list[dict[str, float]]
    B: int
    seed: int | None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["c_diff_ci"] = list(self.c_diff_ci)
        return out


def compare_risk_scores(data: pd.DataFrame, time: str, event: str, score_a: str, score_b: str, times: list[float], *,
                        B: int = 1000, seed: int | None = DEFAULT_SEED, confidence: float = 0.95) -> Comparison:
    """Paired bootstrap comparison of two risk scores (higher = more risk) by C and AUC(t)."""
    if score_a == score_b:
        raise ValueError("give two different score columns to compare")
    d = survival_data(data, time, event, [score_a, score_b])
    require_events(d, "risk-score comparison")
    t, e, a, b = d.time, d.event, d.x[:, 0], d.x[:, 1]
    c_a, c_b = _c_index(t, e, a), _c_index(t, e, b)
    auc_a, auc_b = auc_at(t, e, [a, b], times)
    rng = np.random.default_rng(seed)
    boot_c = np.full(B, np.nan)
    boot_auc = np.full((B, len(times)), np.nan)
    for i in range(B):
        idx = rng.integers(0, t.size, t.size)
        if not e[idx].any():
            continue
        boot_c[i] = _c_index(t[idx], e[idx], a[idx]) - _c_index(t[idx], e[idx], b[idx])
        both = auc_at(t[idx], e[idx], [a[idx], b[idx]], times)
        boot_auc[i] = both[0] - both[1]
    lo_q, hi_q = 100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2

    def ci(values: FloatArray) -> tuple[float, float]:
        ok = values[np.isfinite(values)]
        if ok.size < 10:
            return math.nan, math.nan
        return float(np.percentile(ok, lo_q)), float(np.percentile(ok, hi_q))

    auc_rows = []
    warnings = list(d.warnings)
    for j, u in enumerate(times):
        low, high = ci(boot_auc[:, j])
        if math.isnan(auc_a[j]) or math.isnan(auc_b[j]):
            warnings.append(f"AUC at t = {u:g} undefined (NaN): no cases or no controls")
        auc_rows.append({"t": u, "auc_a": float(auc_a[j]), "auc_b": float(auc_b[j]), "diff": float(auc_a[j] - auc_b[j]),
                         "ci_low": low, "ci_high": high})
    return Comparison(score_a=score_a, score_b=score_b, n=d.n, c_a=c_a, c_b=c_b, c_diff=c_a - c_b,
                      c_diff_ci=ci(boot_c), auc=auc_rows, B=B, seed=seed, warnings=warnings)


@dataclass
class RiskModelReport:
    """Everything a TRIPOD-style risk-model section needs, from one per-patient DataFrame."""

    cox: dict[str, Any]
    events_per_predictor: float
    auc: list[dict[str, float]]
    calibration: list[dict[str, Any]]
    bootstrap: dict[str, Any]
    seed: int | None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def risk_model(data: pd.DataFrame, time: str, event: str, predictors: list[str], times: list[float], *,
               ties: str = "efron", B: int = 200, seed: int | None = DEFAULT_SEED, m: int = 150) -> RiskModelReport:
    """Cox model + discrimination (C, AUC(t)) + calibration at ``times`` + optimism-corrected C.

    The entry point for ``rushrater riskmodel``: DataFrame in (one row per patient), a JSON-able
    report out; each part is the function documented in its own module (and its R call).
    """
    fit = cox_fit(data, time, event, predictors, ties=ties)
    warnings = list(fit.warnings)
    d = survival_data(data, time, event, predictors)
    lp = (d.x - fit.means) @ fit.coef
    scored = pd.DataFrame({"time": d.time, "event": d.event.astype(int), "lp": lp})
    auc = td_auc(scored, "time", "event", "lp", times)
    warnings += auc.warnings
    cal = []
    for u in times:
        if u > d.time.max():
            warnings.append(f"calibration at t = {u:g} skipped: beyond the last follow-up ({d.time.max():g})")
            continue
        c = calibrate(data, time, event, predictors, u, m=m, B=B, seed=seed, ties=ties)
        cal.append(c.to_json())
    boot = optimism_corrected_c(data, time, event, predictors, B=B, seed=seed, ties=ties)
    return RiskModelReport(cox=fit.to_json(), events_per_predictor=fit.events / len(predictors),
                           auc=[asdict(a) for a in auc.times], calibration=cal, bootstrap=boot.to_json(), seed=seed,
                           warnings=warnings)
