"""Binary logistic regression reported as SPSS and R report it: odds ratios with Wald and
profile-likelihood 95% CIs, n, events, Nagelkerke R² and the Hosmer–Lemeshow test.

The model is fitted by statsmodels (GLM, binomial family, logit link: the same IRLS maximum
likelihood as R's ``glm(family = binomial)``).  Before fitting, (quasi-)complete separation is
detected exactly with the linear program of Konis (2007) (R's ``detectseparation``): when a
predictor separates the outcome no finite maximum-likelihood estimate exists, so the model is
reported as not estimable with the separating terms named — never as a huge odds ratio.

* Wald: exp(b ± z·SE), p from z = b / SE (SPSS's ``Exp(B)``, its ``95% C.I.`` and ``Sig.``; the
  Wald χ² of SPSS is z²).
* Profile likelihood (statsmodels has none for GLMs): the signed root z(b) of the deviance
  difference of the model with that coefficient fixed at b (an offset).  By default the limits
  are computed as R's ``confint()`` on a glm does (MASS ``profile.glm`` + ``confint.profile.glm``):
  z on a grid b0 ± k·δ·SE (δ = z_max/5, z_max = Φ⁻¹(1 - (1 - level)/8), k = 1…9 until |z| ≥ z_max),
  an FMM cubic spline through it evaluated at 3 × (grid size) points, and linear interpolation of
  that inverse at ±Φ⁻¹(0.975) — so the numbers are R's, including its interpolation error of
  up to ~1e-4 on the log scale.  ``profile="exact"`` finds the roots z(b) = ±Φ⁻¹(0.975) instead.
* Nagelkerke R² = (1 - exp(2(ℓ0 - ℓ)/n)) / (1 - exp(2ℓ0/n)) (Nagelkerke 1991), with Cox & Snell's
  numerator.
* Hosmer–Lemeshow as ``ResourceSelection::hoslem.test(y, fitted, g = 10)``: groups cut at the
  deciles of the fitted probabilities (``quantile`` type 7, duplicate breaks merged, intervals
  closed on the right, the lowest included), χ² summed over events and non-events, df = g - 2.
  (SPSS forms its ~10 groups from sorted cases keeping ties together, so its χ² can differ.)

References
----------
Hosmer DW, Lemeshow S, Sturdivant RX (2013). Applied Logistic Regression, 3rd ed. Wiley.
Nagelkerke NJD (1991). A note on a general definition of the coefficient of determination.
Biometrika 78:691-692.
Venzon DJ, Moolgavkar SH (1988). A method for computing profile-likelihood-based confidence
intervals. Appl Stat 37:87-94.
Konis K (2007). Linear programming algorithms for detecting separated data in binary logistic
regression models. DPhil thesis, University of Oxford.

R equivalent::

    fit <- glm(y ~ a + b, data = d, family = binomial)
    exp(cbind(coef(fit), confint.default(fit), confint(fit)))  # Wald, then profile
    summary(fit)$coefficients[, 4]                              # Wald p
    ResourceSelection::hoslem.test(fit$y, fitted(fit), g = 10)
"""

from __future__ import annotations

import warnings as _warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, stats as sps

from ._outcome import BinaryCoding, FloatArray, MissingReport, binary, check_frame, complete_rows, json_object, numeric

INTERCEPT = "(Intercept)"
TERM_COLUMNS = ("term", "b", "se", "z", "or", "ci_low", "ci_high", "p", "profile_ci_low", "profile_ci_high")


@dataclass
class Design:
    """Model matrix (no intercept) of the named predictors, with the columns' missing values."""

    matrix: FloatArray
    names: list[str]
    balance_matrix: FloatArray  # every level of a categorical predictor (for balance tables)
    balance_names: list[str]
    missing_columns: dict[str, FloatArray]  # per predictor: NaN where missing, else 0


def _is_categorical(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def design_matrix(data: pd.DataFrame, predictors: Sequence[str]) -> Design:
    """Numeric predictors as they are; others as treatment-coded dummies (R's factor coding:
    levels sorted, the first is the reference, named ``var[level]``)."""
    columns, names, bal_cols, bal_names, missing = [], [], [], [], {}
    for name in predictors:
        series = data[name]
        if _is_categorical(series):
            present = series.notna().to_numpy()
            levels = sorted(pd.unique(series.dropna()).tolist(), key=str)
            if len(levels) < 2:
                raise ValueError(f"{name!r} has {len(levels)} level(s); a predictor needs at least two")
            for i, level in enumerate(levels):
                dummy = np.where(present, (series == level).to_numpy(dtype=np.float64), np.nan)
                bal_cols.append(dummy)
                bal_names.append(f"{name}[{level}]")
                if i:
                    columns.append(dummy)
                    names.append(f"{name}[{level}]")
            missing[name] = np.where(present, 0.0, np.nan)
        else:
            values = numeric(data, name)
            if np.isnan(values).all():
                raise ValueError(f"{name!r} is missing for every row")
            columns.append(values)
            names.append(name)
            bal_cols.append(values)
            bal_names.append(name)
            missing[name] = np.where(np.isnan(values), np.nan, 0.0)
    n = len(data)

    def as_matrix(cols: list[FloatArray]) -> FloatArray:
        return np.column_stack(cols) if cols else np.empty((n, 0))

    return Design(as_matrix(columns), names, as_matrix(bal_cols), bal_names, missing)


def separating_terms(x: FloatArray, y: FloatArray, names: Sequence[str]) -> list[str] | None:
    """Terms that (quasi-)completely separate ``y``, or ``None`` when the MLE exists.

    Konis's LP: maximise sum_i s_i x_i'b subject to s_i x_i'b >= 0 and -1 <= b <= 1 (s_i = ±1 for
    y = 1/0, x with an intercept and standardized columns).  A positive optimum means some
    direction b never makes a wrong prediction: the likelihood keeps rising along it.
    """
    sd = x.std(axis=0)
    z = np.column_stack([np.ones(len(y)), (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)])
    signed = z * np.where(y == 1, 1.0, -1.0)[:, None]
    res = optimize.linprog(-signed.sum(axis=0), A_ub=-signed, b_ub=np.zeros(len(y)),
                           bounds=[(-1, 1)] * z.shape[1], method="highs")
    if res.status != 0 or res.fun is None or res.x is None or -res.fun <= 1e-7 * len(y):
        return None
    beta = res.x[1:]
    found = [names[int(j)] for j in np.nonzero(np.abs(beta) > 1e-6)[0]]
    return found or ["(Intercept): every patient has the same outcome"]


@dataclass
class LogitFit:
    params: FloatArray
    bse: FloatArray
    llf: float
    llnull: float
    fitted: FloatArray
    linear: FloatArray
    converged: bool
    problem: str | None  # separation / non-convergence / rank deficiency, for the user


def _glm(y: FloatArray, x: FloatArray, offset: FloatArray | None = None) -> Any:
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")  # convergence is checked and reported below
        return sm.GLM(y, x, family=sm.families.Binomial(), offset=offset).fit(tol=1e-10, maxiter=100)


def fit_logit(x: FloatArray, y: FloatArray, names: Sequence[str]) -> LogitFit:
    """Maximum-likelihood logistic fit with an intercept; problems stated in ``problem``."""
    n, k = x.shape
    design = np.column_stack([np.ones(n), x])
    nan = np.full(k + 1, np.nan)
    empty = np.full(n, np.nan)
    if y.min() == y.max():
        return LogitFit(nan, nan, np.nan, np.nan, empty, empty, False,
                        "every patient has the same outcome; there is nothing to model")
    constant = [names[j] for j in range(k) if np.ptp(x[:, j]) == 0]
    if constant:
        return LogitFit(nan, nan, np.nan, np.nan, empty, empty, False,
                        f"{', '.join(constant)} is the same for every patient used; leave it out")
    if np.linalg.matrix_rank(design) < k + 1:
        return LogitFit(nan, nan, np.nan, np.nan, empty, empty, False,
                        "the predictors are linearly dependent (collinear); leave one out")
    if k + 1 >= n:
        return LogitFit(nan, nan, np.nan, np.nan, empty, empty, False,
                        f"{n} patients cannot estimate {k + 1} coefficients")
    separated = separating_terms(x, y, names)
    if separated is not None:
        return LogitFit(nan, nan, np.nan, np.nan, empty, empty, False,
                        f"(quasi-)complete separation by {', '.join(separated)}: the outcome is perfectly "
                        "predicted, so no finite odds ratio exists (use Firth's penalized regression, "
                        "merge categories or leave the term out)")
    res = _glm(y, design)
    converged = bool(res.converged)
    params = np.asarray(res.params, dtype=np.float64)
    fitted = np.asarray(res.fittedvalues, dtype=np.float64)
    # SEs from the information matrix at the final estimate (statsmodels' IRLS reports the weights
    # of the previous iteration, ~1e-7 off; R's summary.glm uses the final ones too).
    information = design.T @ (design * (fitted * (1 - fitted))[:, None])
    bse = np.sqrt(np.diag(np.linalg.inv(information)))
    p = y.mean()
    llnull = float(n * (p * np.log(p) + (1 - p) * np.log(1 - p)))
    return LogitFit(params, bse, float(res.llf), llnull, fitted, design @ params, converged,
                    None if converged else "the maximum-likelihood fit did not converge in 100 iterations")


def profile_ci_exact(x: FloatArray, y: FloatArray, fit: LogitFit, j: int, confidence: float = 0.95) -> tuple[float, float]:
    """Profile-likelihood CI of coefficient ``j`` (0 = intercept) of the model with intercept."""
    design = np.column_stack([np.ones(len(y)), x])
    rest = np.delete(design, j, axis=1)
    z = sps.norm.ppf(0.5 + confidence / 2)
    b_hat, se = fit.params[j], fit.bse[j]
    deviance_hat = -2 * fit.llf

    def signed_root(b: float) -> float:
        llf = _offset_llf(y, rest, b * design[:, j])
        return float(np.sign(b - b_hat) * np.sqrt(max(-2 * llf - deviance_hat, 0.0)))

    bounds = []
    for side in (-1, 1):
        step = se
        for _ in range(60):
            edge = b_hat + side * step
            if abs(signed_root(edge)) > z:
                break
            step *= 2
        else:
            bounds.append(side * np.inf)
            continue
        bounds.append(optimize.brentq(lambda b, side=side: signed_root(b) - side * z, b_hat, edge, xtol=1e-12))
    return float(bounds[0]), float(bounds[1])


def fmm_spline(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Coefficients b, c, d of R's ``spline(method = "fmm")`` (Forsythe, Malcolm & Moler 1977):
    on [x_i, x_i+1] the spline is y_i + t(b_i + t(c_i + t d_i)), t = u - x_i.  The end conditions
    match the third derivative of the cubic through the four points at each end.  Written out
    because scipy's CubicSpline has no FMM end condition (R: src/library/stats/src/splines.c)."""
    n = len(x)
    b, c, d = np.zeros(n), np.zeros(n), np.zeros(n)
    if n < 3:
        b[:] = (y[1] - y[0]) / (x[1] - x[0])
        return b, c, d
    d[0] = x[1] - x[0]
    c[1] = (y[1] - y[0]) / d[0]
    for i in range(1, n - 1):
        d[i] = x[i + 1] - x[i]
        b[i] = 2.0 * (d[i - 1] + d[i])
        c[i + 1] = (y[i + 1] - y[i]) / d[i]
        c[i] = c[i + 1] - c[i]
    b[0], b[n - 1] = -d[0], -d[n - 2]
    c[0] = c[n - 1] = 0.0
    if n > 3:
        c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        c[n - 1] = c[n - 2] / (x[n - 1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
        c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
        c[n - 1] = -c[n - 1] * d[n - 2] * d[n - 2] / (x[n - 1] - x[n - 4])
    for i in range(1, n):
        t = d[i - 1] / b[i - 1]
        b[i] = b[i] - t * d[i - 1]
        c[i] = c[i] - t * c[i - 1]
    c[n - 1] = c[n - 1] / b[n - 1]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[n - 1] = (y[n - 1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[n - 1])
    for i in range(n - 1):
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
        d[i] = (c[i + 1] - c[i]) / d[i]
        c[i] = 3.0 * c[i]
    c[n - 1] = 3.0 * c[n - 1]
    d[n - 1] = d[n - 2]
    return b, c, d


def r_spline(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """R's ``spline(x, y)``: the FMM spline at ``3 * length(x)`` equally spaced points."""
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    b, c, d = fmm_spline(x, y)
    u = np.linspace(x[0], x[-1], 3 * len(x))
    i = np.clip(np.searchsorted(x, u, side="right") - 1, 0, len(x) - 1)
    t = u - x[i]
    return u, y[i] + t * (b[i] + t * (c[i] + t * d[i]))


def profile_ci_mass(x: FloatArray, y: FloatArray, fit: LogitFit, j: int,
                    confidence: float = 0.95) -> tuple[float, float]:
    """Profile-likelihood CI of coefficient ``j`` exactly as R's ``confint(glm)`` (MASS)."""
    design = np.column_stack([np.ones(len(y)), x])
    rest = np.delete(design, j, axis=1)
    alpha = (1 - confidence) / 4  # confint.glm profiles with alpha = (1 - level) / 4
    zmax = float(np.sqrt(sps.chi2.ppf(1 - alpha, 1)))
    step_size = zmax / 5 * fit.bse[j]
    deviance_hat = -2 * fit.llf
    grid_b, grid_z = [fit.params[j]], [0.0]
    for sign in (-1, 1):
        step, z = 0, 0.0
        while (step := step + 1) < 10 and abs(z) < zmax:
            b = fit.params[j] + sign * step * step_size
            llf = _offset_llf(y, rest, b * design[:, j])
            zz = -2 * llf - deviance_hat
            z = sign * float(np.sqrt(max(zz, 0.0)))
            grid_b.append(b)
            grid_z.append(z)
    zs = np.asarray(grid_z)
    order = np.argsort(zs, kind="stable")
    u, v = r_spline(np.asarray(grid_b)[order], zs[order])
    cutoff = sps.norm.ppf([(1 - confidence) / 2, (1 + confidence) / 2])
    by_z = np.argsort(v, kind="stable")
    vz, uz = v[by_z], u[by_z]
    limits = np.asarray(np.interp(cutoff, vz, uz), dtype=np.float64)
    outside = (cutoff < vz[0]) | (cutoff > vz[-1])  # approx(rule = 1) gives NA outside
    limits[outside] = np.nan
    return float(limits[0]), float(limits[1])


def _offset_llf(y: FloatArray, rest: FloatArray, offset: FloatArray) -> float:
    if rest.shape[1]:
        return float(_glm(y, rest, offset).llf)
    return float(np.sum(y * offset - np.logaddexp(0, offset)))


def hosmer_lemeshow(y: FloatArray, fitted: FloatArray, groups: int = 10) -> dict[str, float]:
    """Hosmer–Lemeshow χ² as ``ResourceSelection::hoslem.test(y, fitted, g)`` (see module notes)."""
    breaks = np.unique(np.quantile(fitted, np.linspace(0, 1, groups + 1)))
    group = np.clip(np.searchsorted(breaks, fitted, side="left") - 1, 0, len(breaks) - 2)
    chi2 = 0.0
    for g in np.unique(group):
        in_g = group == g
        for observed, expected in ((y[in_g].sum(), fitted[in_g].sum()),
                                   ((1 - y[in_g]).sum(), (1 - fitted[in_g]).sum())):
            chi2 += (observed - expected) ** 2 / expected
    df = groups - 2
    return {"chi2": float(chi2), "df": float(df), "p": float(sps.chi2.sf(chi2, df)), "groups": float(len(breaks) - 1)}


PROFILE_METHODS = {"mass": profile_ci_mass, "exact": profile_ci_exact}


@dataclass
class LogisticResult:
    """One logistic model: ``terms`` (:data:`TERM_COLUMNS`) and model-level figures."""

    outcome: BinaryCoding
    predictors: list[str]
    n: int
    events: int
    terms: pd.DataFrame
    nagelkerke_r2: float
    cox_snell_r2: float
    hosmer_lemeshow: dict[str, float]
    converged: bool
    problem: str | None
    missing: MissingReport
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return json_object({
            "predictors": self.predictors, "n": self.n, "events": self.events,
            "terms": self.terms.to_dict("records"), "nagelkerke_r2": self.nagelkerke_r2,
            "cox_snell_r2": self.cox_snell_r2, "hosmer_lemeshow": self.hosmer_lemeshow,
            "converged": self.converged, "problem": self.problem, "outcome": self.outcome.to_dict(),
            "missing": self.missing.to_dict(), "warnings": self.warnings,
        })


def logistic(data: pd.DataFrame, outcome: str, predictors: Sequence[str], *, confidence: float = 0.95,
             profile: str | None = "mass") -> LogisticResult:
    """Multivariable logistic regression of a binary outcome on ``predictors``.

    Parameters
    ----------
    data : DataFrame
        One row per patient.
    outcome : str
        Binary column (0/1 or two values; the second in sorted order is the event).
    predictors : sequence of str
        Numeric columns enter as they are; others as dummies (first sorted level = reference).
    confidence : float
        Level of both CIs.
    profile : {"mass", "exact", None}
        Profile-likelihood CIs as R's ``confint()`` (``"mass"``, default), by exact root finding
        (``"exact"``), or none (``None``, faster).

    Returns
    -------
    LogisticResult
        Rows with a missing outcome or predictor are left out (listwise, as SPSS and R) and counted
        in ``missing``.  When the model cannot be estimated (separation, a constant predictor,
        collinearity) ``problem`` says why and the estimates are NaN; when the fit does not
        converge ``converged`` is False and ``problem`` says so.

    Examples
    --------
    >>> d = pd.DataFrame({"slow": [0, 0, 1, 1, 0, 1, 0, 1], "smi": [52, 47, 44, 46, 50, 49, 45, 40]})
    >>> res = logistic(d, "slow", ["smi"])
    >>> res.n, res.events, round(float(res.terms.loc[1, "or"]), 4)
    (8, 4, 0.6672)
    """
    if outcome in predictors:
        raise ValueError(f"{outcome!r} is the outcome; it cannot also be a predictor")
    if profile is not None and profile not in PROFILE_METHODS:
        raise ValueError(f"profile must be one of {', '.join(PROFILE_METHODS)} or None, not {profile!r}")
    check_frame(data, [outcome, *predictors])
    y_all, coding = binary(data, outcome)
    design = design_matrix(data, predictors)
    keep, report = complete_rows({outcome: y_all, **design.missing_columns})
    notes = [note] if (note := report.note()) else []
    x, y = design.matrix[keep], y_all[keep]
    n, events = int(keep.sum()), int(y.sum())
    if n == 0:
        raise ValueError(f"no row has {outcome!r} and every predictor present")
    fit = fit_logit(x, y, design.names)
    names = [INTERCEPT, *design.names]
    zq = sps.norm.ppf(0.5 + confidence / 2)
    rows = []
    for j, term in enumerate(names):
        b, se = fit.params[j], fit.bse[j]
        if profile is not None and fit.problem is None:
            lo, hi = PROFILE_METHODS[profile](x, y, fit, j, confidence)
        else:
            lo, hi = np.nan, np.nan
        rows.append({
            "term": term, "b": b, "se": se, "z": b / se, "or": np.exp(b),
            "ci_low": np.exp(b - zq * se), "ci_high": np.exp(b + zq * se),
            "p": 2 * sps.norm.sf(abs(b / se)), "profile_ci_low": np.exp(lo), "profile_ci_high": np.exp(hi),
        })
    if fit.problem is None:
        cox_snell = 1 - np.exp(2 * (fit.llnull - fit.llf) / n)
        nagelkerke = cox_snell / (1 - np.exp(2 * fit.llnull / n))
        hl = hosmer_lemeshow(y, fit.fitted)
    else:
        cox_snell = nagelkerke = np.nan
        hl = {"chi2": np.nan, "df": np.nan, "p": np.nan, "groups": np.nan}
        notes.append(fit.problem)
    return LogisticResult(
        outcome=coding, predictors=list(predictors), n=n, events=events,
        terms=pd.DataFrame(rows, columns=list(TERM_COLUMNS)), nagelkerke_r2=float(nagelkerke),
        cox_snell_r2=float(cox_snell), hosmer_lemeshow=hl, converged=fit.converged, problem=fit.problem,
        missing=report, warnings=notes,
    )


def univariable(data: pd.DataFrame, outcome: str, predictors: Sequence[str], *, confidence: float = 0.95,
                profile: str | None = "mass") -> list[LogisticResult]:
    """One model per predictor (each on the rows where that predictor is present)."""
    return [logistic(data, outcome, [p], confidence=confidence, profile=profile) for p in predictors]
