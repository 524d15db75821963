"""REML variance components of the crossed two-way random-effects model.

Model (what R ``psych::ICC(x, lmer = TRUE)`` fits with
``lme4::lmer(values ~ 1 + (1 | id) + (1 | items))``)::

    y_ij = mu + t_i + r_j + e_ij,   t ~ N(0, s2_t), r ~ N(0, s2_r), e ~ N(0, s2_e)

fitted to every available rating, so targets with missing ratings still count.

Why our own REML rather than statsmodels ``MixedLM``?  Crossed effects in
MixedLM need one all-encompassing group with variance components for target
and rater (``vc_formula``); MixedLM then works with a dense N x (targets +
raters) design matrix per iteration, which for a 619-patient study is slow, and
it warns or stalls when a component sits on the zero boundary, which is common
for the rater component.  The profiled REML criterion of lme4 (Bates et al.
2015, eq. 42) is short to write down, and because every rating belongs to one
target the target block of the penalised normal equations is diagonal: it is
eliminated analytically, leaving a (raters + 1)-square Cholesky per evaluation,
O(N) in the number of ratings.  The relative standard deviations
``theta = (s_t/s_e, s_r/s_e)`` are optimised with bounds ``theta >= 0`` as lme4
does, so boundary estimates come out as exact zeros.  The tests check the
criterion and the estimates against lme4 (run live) and statsmodels MixedLM.

References
----------
Bates D, Maechler M, Bolker B, Walker S (2015). Fitting linear mixed-effects
models using lme4. Journal of Statistical Software 67(1):1-48.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize


@dataclass(frozen=True)
class CrossedVarianceComponents:
    """REML estimates of the target, rater and residual variances."""

    target: float
    rater: float
    residual: float
    deviance: float
    converged: bool
    message: str


class _Criterion:
    """Profiled REML deviance as a function of ``theta``, from sufficient statistics."""

    def __init__(self, y: np.ndarray, targets: np.ndarray, raters: np.ndarray, n_targets: int, n_raters: int):
        self.n_obs = y.size
        self.per_target = np.bincount(targets, minlength=n_targets).astype(float)
        self.per_rater = np.bincount(raters, minlength=n_raters).astype(float)
        self.counts = np.zeros((n_targets, n_raters))
        np.add.at(self.counts, (targets, raters), 1.0)
        self.sum_target = np.bincount(targets, weights=y, minlength=n_targets)
        self.sum_rater = np.bincount(raters, weights=y, minlength=n_raters)
        self.sum_y = float(y.sum())
        self.sum_yy = float(y @ y)
        self.n_raters = n_raters

    def __call__(self, theta: np.ndarray) -> tuple[float, float]:
        """Return (REML deviance, residual variance) at ``theta``."""
        tt, tr = float(theta[0]), float(theta[1])
        nr = self.n_raters
        # Penalised normal equations [[L'Z'ZL + I, L'Z'X], [X'ZL, X'X]] with the
        # diagonal target block d eliminated (Schur complement on raters + mu).
        d = tt * tt * self.per_target + 1.0
        g = np.zeros((nr + 1, nr + 1))
        g[np.arange(nr), np.arange(nr)] = tr * tr * self.per_rater + 1.0
        g[:nr, nr] = g[nr, :nr] = tr * self.per_rater
        g[nr, nr] = self.n_obs
        b = np.empty((d.size, nr + 1))
        b[:, :nr] = tt * tr * self.counts
        b[:, nr] = tt * self.per_target
        schur = g - b.T @ (b / d[:, None])
        try:
            chol = linalg.cholesky(schur, lower=True)
        except linalg.LinAlgError:
            return np.inf, np.nan
        c_target = tt * self.sum_target
        c_rest = np.append(tr * self.sum_rater, self.sum_y)
        z = linalg.solve_triangular(chol, c_rest - b.T @ (c_target / d), lower=True)
        # Penalised residual sum of squares at the conditional optimum.
        r2 = self.sum_yy - float(c_target @ (c_target / d)) - float(z @ z)
        dof = self.n_obs - 1
        if not r2 > 0:
            return np.inf, np.nan
        log_det = float(np.log(d).sum() + 2.0 * np.log(np.diag(chol)).sum())
        return log_det + dof * (1.0 + np.log(2.0 * np.pi * r2 / dof)), r2 / dof


def fit_crossed_reml(
    y: np.ndarray, targets: np.ndarray, raters: np.ndarray, n_targets: int, n_raters: int
) -> CrossedVarianceComponents:
    """Fit the crossed random-effects model by REML.

    Parameters
    ----------
    y : ndarray, shape (N,)
        Available ratings (no NaN).
    targets, raters : ndarray of int, shape (N,)
        Codes ``0..n_targets-1`` and ``0..n_raters-1`` of each rating.
    n_targets, n_raters : int

    Returns
    -------
    CrossedVarianceComponents
        Variances on the scale of ``y``; ``deviance`` is lme4's ``REMLcrit``.
    """
    location = float(np.mean(y))
    scale = float(np.std(y))
    if not scale > 0:
        raise ValueError("all ratings are equal: variance components are undefined")
    # REML is invariant to location; rescaling only improves conditioning.
    z = (y - location) / scale
    criterion = _Criterion(z, targets, raters, n_targets, n_raters)

    def objective(theta: np.ndarray) -> float:
        return criterion(theta)[0]

    # A coarse grid first: the criterion can be flat or bimodal along theta_r
    # when there are few raters, and L-BFGS-B only finds the nearest minimum.
    grid = np.array([0.0, 0.1, 0.3, 0.6, 1.0, 2.0, 4.0])
    starts = [(a, b) for a in grid for b in grid]
    start = min(starts, key=lambda th: objective(np.asarray(th)))
    result = optimize.minimize(
        objective,
        x0=np.asarray(start, dtype=float),
        method="L-BFGS-B",
        jac="3-point",
        bounds=[(0.0, None), (0.0, None)],
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000},
    )
    theta = np.asarray(result.x, dtype=float)
    deviance, residual = criterion(theta)
    # Exact zeros on the boundary, as lme4 reports them, when that is no worse.
    for i in range(2):
        if 0 < theta[i] < 1e-4:
            trial = theta.copy()
            trial[i] = 0.0
            trial_deviance, trial_residual = criterion(trial)
            if trial_deviance <= deviance + 1e-10:
                theta, deviance, residual = trial, trial_deviance, trial_residual
    converged = bool(result.success) and np.isfinite(deviance)
    s2 = scale * scale
    return CrossedVarianceComponents(
        target=float(theta[0] ** 2 * residual * s2),
        rater=float(theta[1] ** 2 * residual * s2),
        residual=float(residual * s2),
        # The deviance of the unscaled data differs by (N - 1) * log(s2).
        deviance=float(deviance + (y.size - 1) * np.log(s2)),
        converged=converged,
        message=str(result.message),
    )
