"""Propensity-score matching: greedy nearest neighbour 1:k without replacement, as R's MatchIt.

``match`` fits the propensity score by logistic regression (the same model as R's
``glm(family = binomial)``) and matches as ``MatchIt::matchit(method = "nearest",
distance = "glm", replace = FALSE)``:

* units are sorted by distance (``order()``, ties in data order); treated units are taken in
  ``m.order`` (``"largest"`` / ``"smallest"``: by distance, ties in data order; ``"data"``: row
  order; ``"random"``: a permutation from ``numpy.random.default_rng(seed)`` — R's RNG cannot be
  reproduced, so the same seed gives the same order here, not the order R's ``set.seed`` gives);
* for each treated unit the nearest still-unmatched control below and above it in that sort are
  found; a control farther than the caliper ends the search on that side; the lower one wins when
  both are equally near (MatchIt's ``<=``);
* with ``ratio = k`` the treated units are visited k times in the same order, each round adding one
  control; a treated unit without a control in one round gets none in later rounds.

The greedy matcher is written here because no maintained Python package reproduces MatchIt's
order and tie-breaking; it follows ``src/nn_matchC_vec.cpp`` of MatchIt 4.5.4 (the version that
fixed issue #163: in 4.5.1 ``abs()`` on doubles resolved to the integer ``abs``, which ignores the
caliper and, for propensity scores, always picks the lower neighbour; 4.5.1 also skips, for
ratio > 1, the control that follows a unit's earlier match in data order).

The caliper is in units of the distance: ``caliper_scale="ps"`` matches on the propensity score
with a caliper in PS units (``std.caliper = FALSE``); ``"logit-sd"`` matches on the logit of the
propensity score with a caliper in standard deviations of that logit (Austin 2011's 0.2 SD:
``link = "linear.logit", std.caliper = TRUE``; the SD is ``sd()`` over all units).

Balance is reported as MatchIt's ``summary()`` for the ATT: standardized mean difference
(mean treated - mean control) / SD of the treated in the full sample (``sd()``; for a 0/1
variable sqrt(p(1 - p))), before and after matching (after: controls weighted by the matching
weights); a difference below sqrt(machine epsilon) is reported raw, as MatchIt does.

References
----------
Ho DE, Imai K, King G, Stuart EA (2011). MatchIt: nonparametric preprocessing for parametric causal
inference. J Stat Softw 42(8). doi:10.18637/jss.v042.i08
Austin PC (2011). Optimal caliper widths for propensity-score matching when estimating differences
in means and differences in proportions in observational studies. Pharm Stat 10:150-161.
Stuart EA (2010). Matching methods for causal inference: a review and a look forward. Stat Sci 25:1-21.

R equivalent (MatchIt >= 4.5.4)::

    m <- MatchIt::matchit(t ~ a + b, data = d, method = "nearest", distance = "glm",
                          m.order = "largest", caliper = 0.05, std.caliper = FALSE, ratio = 1)
    m$match.matrix; summary(m)$sum.all[, "Std. Mean Diff."]; summary(m)$sum.matched[, "Std. Mean Diff."]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._outcome import BinaryCoding, FloatArray, MissingReport, binary, check_frame, complete_rows, json_object
from .logistic import design_matrix, fit_logit

ORDERS = ("largest", "smallest", "random", "data")
CALIPER_SCALES = ("ps", "logit-sd")
DEFAULT_CALIPER = {"ps": 0.05, "logit-sd": 0.2}
IntArray = npt.NDArray[np.int64]


def greedy_nearest(distance: FloatArray, treated: npt.NDArray[np.bool_], order: IntArray, *,
                   caliper: float | None = None, ratio: int = 1) -> IntArray:
    """MatchIt's greedy nearest-neighbour matching without replacement on a distance vector.

    Parameters
    ----------
    distance : array of float
        One value per unit (propensity score or its logit).
    treated : array of bool
    order : array of int
        Positions (0-based, among the treated units in data order) in the order they are matched.
    caliper : float or None
        Largest allowed |distance difference| (same units as ``distance``); ``None`` for none.
    ratio : int
        Controls per treated unit.

    Returns
    -------
    array of int, shape (n_treated, ratio)
        Row i: the data indices of the controls matched to the i-th treated unit (data order),
        -1 where none was found.
    """
    n = len(distance)
    by_distance = np.argsort(distance, kind="stable")  # R's order(): ties keep data order
    rank = np.empty(n, dtype=np.int64)
    rank[by_distance] = np.arange(n)
    control_idx = np.nonzero(~treated)[0]
    control_idx = control_idx[np.argsort(rank[control_idx], kind="stable")]  # controls in sorted order
    control_rank = rank[control_idx]
    control_dist = distance[control_idx].tolist()
    treated_idx = np.nonzero(treated)[0]
    n0, n1 = len(control_idx), len(treated_idx)
    result = np.full((n1, ratio), -1, dtype=np.int64)
    # Nearest available control on each side in O(alpha(n)): "left[j]" points at the nearest
    # available control at or below sorted position j (path-halving union-find), "right" above.
    left = list(range(n0 + 1))  # shifted by one: 0 means "none to the left"
    right = list(range(n0 + 1))  # n0 means "none to the right"

    def find(parent: list[int], j: int) -> int:
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    # Position of each treated unit among the controls: controls sorted before it are "left".
    split = np.searchsorted(control_rank, rank[treated_idx]).tolist()
    treated_dist = distance[treated_idx].tolist()
    active = np.ones(n1, dtype=bool)
    available = n0
    limit = np.inf if caliper is None else caliper
    for r in range(ratio):
        for t in order.tolist():
            if available == 0:
                return result
            if not active[t]:
                continue
            d = treated_dist[t]
            lo = find(left, split[t]) - 1  # index into controls, -1 if none
            hi = find(right, split[t])
            if lo >= 0 and abs(d - control_dist[lo]) > limit:
                lo = -1
            if hi < n0 and abs(d - control_dist[hi]) > limit:
                hi = n0
            if lo >= 0 and hi < n0:
                k = lo if abs(control_dist[lo] - d) <= abs(control_dist[hi] - d) else hi
            elif lo >= 0:
                k = lo
            elif hi < n0:
                k = hi
            else:
                active[t] = False
                continue
            result[t, r] = control_idx[k]
            left[k + 1] = k  # control k is used: skip it on both sides from now on
            right[k] = k + 1
            available -= 1
    return result


def match_order(distance: FloatArray, order: str, seed: int | None) -> IntArray:
    """Treated units' visiting order (0-based positions among the treated, data order)."""
    n1 = len(distance)
    if order == "largest":
        return np.argsort(-distance, kind="stable").astype(np.int64)
    if order == "smallest":
        return np.argsort(distance, kind="stable").astype(np.int64)
    if order == "data":
        return np.arange(n1, dtype=np.int64)
    if order == "random":
        return np.random.default_rng(seed).permutation(n1).astype(np.int64)
    raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")


def _balance_sd(x: FloatArray, binary_variable: bool) -> float:
    """MatchIt's SD of one group: sd() for a continuous variable, sqrt(p(1-p)) for a 0/1 one."""
    if binary_variable:
        p = float(x.mean())
        return float(np.sqrt(p * (1 - p)))
    return float(np.std(x, ddof=1)) if len(x) > 1 else float("nan")


def _pooled_sd(x: FloatArray, t: npt.NDArray[np.bool_], binary_variable: bool) -> float:
    """MatchIt's fallback denominator (pooled_sd, proportional contribution), unweighted."""
    if binary_variable:
        n = len(x)
        v = sum(s * (1 - s / k) / n for s, k in ((x[g].sum(), g.sum()) for g in (t, ~t)))
        return float(np.sqrt(v))
    centred = np.where(t, x - x[t].mean(), x - x[~t].mean())
    return float(np.sqrt((centred**2).sum() / (len(x) - 2)))


def smd_att(x: FloatArray, treated: npt.NDArray[np.bool_], weights: FloatArray | None = None) -> float:
    """MatchIt's standardized mean difference for the ATT (``summary.matchit``'s ``bal1var``).

    ``weights`` are matching weights (0 for unmatched units); the denominator is always the SD
    of all treated units of the sample, as MatchIt's (it uses the sampling weights, not the
    matching weights, for it).
    """
    w = np.ones(len(x)) if weights is None else weights
    xt, xc, wt, wc = x[treated], x[~treated], w[treated], w[~treated]
    if wt.sum() == 0 or wc.sum() == 0:
        return float("nan")
    diff = float(np.average(xt, weights=wt) - np.average(xc, weights=wc))
    if abs(diff) <= np.sqrt(np.finfo(float).eps):
        return diff
    binary_variable = bool(np.all((x == 0) | (x == 1)))  # MatchIt decides on all units, not the treated
    sd = _balance_sd(xt, binary_variable)
    if not np.isfinite(sd) or sd < np.sqrt(np.finfo(float).eps):
        sd = _pooled_sd(x, treated, binary_variable)
    return diff / sd


@dataclass
class MatchResult:
    """Matched pairs (treated id, control id), propensity scores and balance before/after."""

    n_treated: int
    n_control: int
    n_pairs: int
    pairs: list[tuple[Any, Any]]
    balance: pd.DataFrame  # variable, smd_before, smd_after
    propensity: pd.Series  # per used row, indexed like the input
    matched: pd.Series  # per used row: True when in the matched sample
    treatment: BinaryCoding
    caliper: float | None  # in units of the matching distance
    caliper_scale: str
    order: str
    seed: int | None
    ratio: int
    unmatched_treated: list[Any]
    missing: MissingReport
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return json_object({
            "n_treated": self.n_treated, "n_control": self.n_control, "n_pairs": self.n_pairs,
            "pairs": [list(p) for p in self.pairs],
            "balance": self.balance.to_dict("records"),
            "treatment": self.treatment.to_dict(), "caliper": self.caliper, "caliper_scale": self.caliper_scale,
            "order": self.order, "seed": self.seed, "ratio": self.ratio,
            "unmatched_treated": self.unmatched_treated, "missing": self.missing.to_dict(),
            "warnings": self.warnings,
        })


def match(data: pd.DataFrame, treatment: str, covariates: Sequence[str], *, caliper: float | None = 0.05,
          caliper_scale: str = "ps", order: str = "largest", ratio: int = 1, seed: int | None = None,
          id_column: str | None = None) -> MatchResult:
    """Propensity-score matching, greedy nearest neighbour without replacement (MatchIt).

    Parameters
    ----------
    data : DataFrame
        One row per patient.
    treatment : str
        Binary column; the value coded 1 (see :func:`._outcome.binary`) is "treated".
    covariates : sequence of str
        Propensity-model terms; numeric columns enter as they are, others as treatment-coded
        dummies (first level in sorted order is the reference, as R's factor coding).
    caliper : float or None
        Width in the units of ``caliper_scale``; ``None`` for no caliper.
    caliper_scale : {"ps", "logit-sd"}
    order : {"largest", "smallest", "random", "data"}
        MatchIt's ``m.order``.
    ratio : int
        Controls per treated unit (1:k).
    seed : int or None
        Seed of the ``"random"`` order.
    id_column : str or None
        Column whose values name the units in ``pairs`` (default: the row index).

    Returns
    -------
    MatchResult
        Rows with a missing treatment or covariate are left out and counted in ``missing``.
        A caliper that matches nobody gives ``n_pairs == 0`` and a warning, not an error.
    """
    if caliper_scale not in CALIPER_SCALES:
        raise ValueError(f"caliper_scale must be one of {', '.join(CALIPER_SCALES)}, not {caliper_scale!r}")
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    if int(ratio) != ratio or ratio < 1:
        raise ValueError(f"ratio must be a whole number of controls per treated unit (1, 2, …), not {ratio!r}")
    if caliper is not None and not caliper > 0:
        raise ValueError(f"caliper must be positive (or None for no caliper), not {caliper!r}")
    if treatment in covariates:
        raise ValueError(f"{treatment!r} is the treatment; it cannot also be a covariate")
    check_frame(data, [treatment, *covariates, *([id_column] if id_column else [])])
    if id_column and data[id_column].duplicated().any():
        first = data[id_column][data[id_column].duplicated()].iloc[0]
        raise ValueError(f"{id_column!r} must name each patient once, but {first!r} appears more than once")
    t_all, coding = binary(data, treatment)
    design = design_matrix(data, covariates)
    keep, report = complete_rows({treatment: t_all, **design.missing_columns})
    warnings = [note] if (note := report.note()) else []
    x = design.matrix[keep]
    t = t_all[keep] == 1
    if t.sum() == 0 or (~t).sum() == 0:
        raise ValueError(f"after leaving out missing values, {int(t.sum())} treated and {int((~t).sum())} "
                         "control rows remain; matching needs both")
    fit = fit_logit(x, t.astype(float), design.names)
    if fit.problem:
        raise ValueError(f"the propensity model cannot be estimated: {fit.problem}")
    ps = fit.fitted
    distance = ps if caliper_scale == "ps" else fit.linear
    width = caliper
    if caliper is not None and caliper_scale == "logit-sd":
        width = caliper * float(np.std(distance, ddof=1))
    ids = (data[id_column] if id_column else pd.Series(data.index, index=data.index))[keep].to_numpy()
    order_idx = match_order(distance[t], order, seed)
    mm = greedy_nearest(distance, t, order_idx, caliper=width, ratio=int(ratio))
    treated_rows = np.nonzero(t)[0]
    pairs = [(ids[treated_rows[i]], ids[c]) for i in range(len(treated_rows)) for c in mm[i] if c >= 0]
    n_matched_treated = int((mm >= 0).any(axis=1).sum())
    unmatched = [ids[treated_rows[i]] for i in range(len(treated_rows)) if not (mm[i] >= 0).any()]
    if n_matched_treated == 0:
        warnings.append(f"no treated unit has a control within the caliper ({caliper} on the {caliper_scale} "
                        "scale); widen the caliper or match without one")
    elif unmatched:
        warnings.append(f"{len(unmatched)} of {int(t.sum())} treated units have no control within the caliper")
    # Matching weights (MatchIt's weights.matrix): treated 1, each control 1/k of its treated unit.
    weights = np.zeros(len(t))
    for i, row in enumerate(mm):
        found = row[row >= 0]
        if len(found):
            weights[treated_rows[i]] = 1.0
            weights[found] += 1.0 / len(found)
    in_sample = weights > 0
    balance = []
    bal_x = design.balance_matrix[keep]
    columns = [("distance", distance), *((name, bal_x[:, j]) for j, name in enumerate(design.balance_names))]
    for name, values in columns:
        before = smd_att(values, t)
        after = smd_att(values, t, weights) if n_matched_treated else float("nan")
        balance.append({"variable": name, "smd_before": before, "smd_after": after})
    index = data.index[keep]
    return MatchResult(
        n_treated=int(t.sum()), n_control=int((~t).sum()), n_pairs=len(pairs),
        pairs=pairs, balance=pd.DataFrame(balance, columns=["variable", "smd_before", "smd_after"]),
        propensity=pd.Series(ps, index=index, name="propensity"),
        matched=pd.Series(in_sample, index=index, name="matched"),
        treatment=coding, caliper=width, caliper_scale=caliper_scale, order=order, seed=seed, ratio=int(ratio),
        unmatched_treated=unmatched, missing=report, warnings=warnings,
    )
