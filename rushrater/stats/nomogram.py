"""Nomograms of a fitted Cox (or logistic) model, as ``rms::nomogram`` builds them.

Each predictor gets an axis over its values: the distinct values when it has at most 10 (as
``datadist`` keeps them), otherwise R's ``pretty(range(x), 10)`` ticks. Its points are
beta * (x - the smallest beta * x over its ticks) scaled so that the predictor with the widest
range of beta * x spans 100 points (``maxscale = 100``). A patient's total points map back to
the linear predictor lp = total / scale + sum of the minima, and from it to the predicted
survival S(t) = S0(t) ^ exp(lp - centre) at each chosen time (Cox) or the probability
1 / (1 + exp(-(intercept + lp))) (logistic).

R: ``dd <- datadist(d); options(datadist = "dd"); f <- cph(Surv(time, event) ~ a + b, d, surv = TRUE);
s <- Survival(f); nomogram(f, fun = list(function(x) s(3, x)), funlabel = "S(3)")``.
No Python package draws nomograms; this is matplotlib.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._surv import FloatArray
from .cox import CoxResult

MAX_POINTS = 100.0


def r_pretty(lo: float, up: float, n: int = 10) -> FloatArray:
    """R's ``pretty(c(lo, up), n)`` (R_pretty with its default biases, R >= 4.2)."""
    min_n = n // 3
    h, h5 = 1.5, 0.5 + 1.5 * 1.5
    eps = sys.float_info.epsilon
    dx = up - lo
    if dx == 0 and up == 0:
        cell, small = 1.0, True
    else:
        cell = max(abs(lo), abs(up))
        u = 1 + (1 / (1 + h) if h5 >= 1.5 * h + 0.5 else 1.5 / (1 + h5))
        u *= max(1, n) * eps
        small = dx < cell * u * 3
    if small:
        if cell > 10:
            cell = 9 + cell / 10
        cell *= 0.75
        if min_n > 1:
            cell /= min_n
    else:
        cell = dx
        if n > 1:
            cell /= n
    base = 10.0 ** math.floor(math.log10(cell))
    unit = base
    if 2 * base - cell < h * (cell - unit):
        unit = 2 * base
        if 5 * base - cell < h5 * (cell - unit):
            unit = 5 * base
            if 10 * base - cell < h * (cell - unit):
                unit = 10 * base
    ns = math.floor(lo / unit + 1e-7)
    nu = math.ceil(up / unit - 1e-7)
    while ns * unit > lo + 1e-10 * unit:
        ns -= 1
    while nu * unit < up - 1e-10 * unit:
        nu += 1
    k = int(0.5 + nu - ns)
    if k < min_n:
        k = min_n - k
        if ns >= 0:
            nu += k // 2
            ns -= k // 2 + k % 2
        else:
            ns -= k // 2
            nu += k // 2 + k % 2
    return np.asarray(np.arange(ns, nu + 1) * unit, dtype=float)


@dataclass
class NomogramAxis:
    predictor: str
    coef: float
    values: FloatArray
    points: FloatArray
    min_xbeta: float


@dataclass
class Nomogram:
    """Points scales, the total-points -> outcome table, and a calculator."""

    axes: list[NomogramAxis]
    scale: float  # points per unit of linear predictor
    offset: float  # sum of the minima of beta * x
    kind: str  # "cox" or "logistic"
    times: list[float] = field(default_factory=list)
    _outcome: Any = None  # lp (uncentred) -> array of outcomes (one per time, or one probability)

    def points_table(self) -> pd.DataFrame:
        rows = [(a.predictor, float(v), float(p)) for a in self.axes for v, p in zip(a.values, a.points)]
        return pd.DataFrame(rows, columns=["predictor", "value", "points"])

    def points(self, patient: dict[str, float]) -> dict[str, float]:
        """Points of each predictor for one patient's values (the GUI calculator's core)."""
        out = {}
        for a in self.axes:
            if a.predictor not in patient:
                raise ValueError(f"give a value for {a.predictor!r}")
            out[a.predictor] = (a.coef * float(patient[a.predictor]) - a.min_xbeta) * self.scale
        return out

    def lp_from_total(self, total: FloatArray | float) -> FloatArray:
        return np.asarray(np.asarray(total, dtype=float) / self.scale + self.offset, dtype=float)

    def predict(self, patient: dict[str, float]) -> dict[str, Any]:
        pts = self.points(patient)
        total = sum(pts.values())
        outcome = self._outcome(self.lp_from_total(total))[0]
        return {"points": pts, "total_points": total, **{k: float(v) for k, v in zip(self.labels, outcome)}}

    @property
    def labels(self) -> list[str]:
        return [f"S({t:g})" for t in self.times] if self.kind == "cox" else ["probability"]

    def total_points_table(self, step: float = 10.0) -> pd.DataFrame:
        """Total points (0 .. the maximum, in ``step``s) -> linear predictor and outcome(s)."""
        top = sum(float(a.points.max()) for a in self.axes)
        total = np.arange(0.0, top + step, step)
        lp = self.lp_from_total(total)
        frame = pd.DataFrame({"total_points": total, "lp": lp})
        outcome = self._outcome(lp)  # len(total) x outcomes
        for i, label in enumerate(self.labels):
            frame[label] = outcome[:, i]
        return frame

    def total_points_for(self, outcome_value: float, time_index: int = 0) -> float:
        """Total points at which the outcome (survival at times[i], or probability) equals a value."""
        grid = np.linspace(0, sum(float(a.points.max()) for a in self.axes) * 1.5, 20001)
        v = self._outcome(self.lp_from_total(grid))[:, time_index]
        order = np.argsort(v)
        return float(np.interp(outcome_value, v[order], grid[order]))

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "scale": self.scale, "times": self.times,
                "axes": [{"predictor": a.predictor, "coef": a.coef, "values": a.values.tolist(),
                          "points": a.points.tolist()} for a in self.axes],
                "total_points": self.total_points_table().to_dict(orient="records")}


def _axis_values(x: FloatArray) -> FloatArray:
    uniq = np.unique(x[np.isfinite(x)])
    if uniq.size <= 10:  # datadist keeps the values of a variable with few distinct ones
        return uniq
    return r_pretty(float(uniq[0]), float(uniq[-1]), 10)


def _axes(coef: dict[str, float], data: pd.DataFrame) -> tuple[list[NomogramAxis], float, float]:
    raw = []
    for name, b in coef.items():
        values = _axis_values(pd.to_numeric(data[name], errors="coerce").to_numpy(float))
        xb = b * values
        raw.append((name, b, values, xb))
    widest = max(float(np.ptp(xb)) for *_, xb in raw)
    if widest == 0:
        raise ValueError("every coefficient is zero: there is no points scale to draw")
    scale = MAX_POINTS / widest
    axes = [NomogramAxis(name, b, values, (xb - xb.min()) * scale, float(xb.min())) for name, b, values, xb in raw]
    return axes, scale, sum(a.min_xbeta for a in axes)


def cox_nomogram(fit: CoxResult, data: pd.DataFrame, times: list[float]) -> Nomogram:
    """Nomogram of a fitted Cox model (no strata) with predicted survival at ``times``."""
    if fit.strata:
        raise ValueError("a nomogram of a stratified Cox model needs one survival scale per stratum; fit without strata")
    if any(math.isnan(c) for c in fit.coef):
        raise ValueError("the model has undefined coefficients; see its warnings")
    coef = dict(zip(fit.predictors, map(float, fit.coef)))
    axes, scale, offset = _axes(coef, data)
    centre = float(fit.means @ fit.coef)
    base = fit.baseline
    h = np.concatenate([[0.0], base["cumhaz"].to_numpy(float)])[
        np.searchsorted(base["time"].to_numpy(float), np.asarray(times, dtype=float), side="right")]

    def survival(lp: FloatArray) -> FloatArray:
        lp = np.atleast_1d(np.asarray(lp, dtype=float))
        return np.asarray(np.exp(-np.exp(lp - centre)[:, None] * h[None, :]), dtype=float)

    return Nomogram(axes, scale, offset, "cox", [float(t) for t in times], survival)


def logistic_nomogram(data: pd.DataFrame, outcome: str, predictors: list[str]) -> Nomogram:
    """Nomogram of ``glm(outcome ~ predictors, binomial)`` (statsmodels Logit) -> probability."""
    import statsmodels.api as sm

    frame = data[[outcome, *predictors]].apply(pd.to_numeric, errors="coerce").dropna()
    model = sm.Logit(frame[outcome].to_numpy(float), sm.add_constant(frame[predictors].to_numpy(float))).fit(disp=0)
    intercept = float(model.params[0])
    coef = dict(zip(predictors, map(float, model.params[1:])))
    axes, scale, offset = _axes(coef, frame)

    def probability(lp: FloatArray) -> FloatArray:
        lp = np.atleast_1d(np.asarray(lp, dtype=float))
        return np.asarray(1.0 / (1.0 + np.exp(-(intercept + lp))), dtype=float)[:, None]

    return Nomogram(axes, scale, offset, "logistic", [], probability)


def nomogram_figure(nom: Nomogram, *, title: str = "") -> Any:
    """The publication figure: a Points ruler, one axis per predictor, Total points and outcomes."""
    from matplotlib.figure import Figure

    rows = ["Points", *[a.predictor for a in nom.axes], "Total points"]
    labels = nom.labels
    rows += labels
    fig = Figure(figsize=(8.0, 0.55 * len(rows) + 0.8), layout="constrained")
    ax = fig.subplots()
    ax.set_xlim(-2, 102)
    ax.set_ylim(len(rows) - 0.5, -0.8)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)

    def ruler(y: int, positions: FloatArray, texts: list[str]) -> None:
        ax.plot([positions.min(), positions.max()], [y, y], color="black", linewidth=1)
        for pos, text in zip(positions, texts):
            ax.plot([pos, pos], [y, y - 0.12], color="black", linewidth=1)
            ax.text(pos, y - 0.18, text, ha="center", va="bottom", fontsize=7)

    ruler(0, np.arange(0, 101, 10.0), [f"{v:g}" for v in range(0, 101, 10)])
    for i, a in enumerate(nom.axes, start=1):
        ruler(i, a.points, [f"{v:g}" for v in a.values])
    top = sum(float(a.points.max()) for a in nom.axes)
    total_ticks = r_pretty(0.0, top, 10)
    total_ticks = total_ticks[total_ticks <= top + 1e-9]
    to_axis = 100.0 / max(top, 1e-12)
    y = len(nom.axes) + 1
    ruler(y, total_ticks * to_axis, [f"{v:g}" for v in total_ticks])
    for j, label in enumerate(labels):
        targets = [v for v in np.round(np.arange(0.05, 1.0, 0.05), 2)]
        pos, texts = [], []
        for v in targets:
            tp = nom.total_points_for(float(v), j)
            if 0 <= tp <= top:
                pos.append(tp * to_axis)
                texts.append(f"{v:g}")
        if pos:
            ruler(y + 1 + j, np.asarray(pos), texts)
    if title:
        ax.set_title(title)
    return fig
