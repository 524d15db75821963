"""Baseline table (Table 1): two groups compared per variable, as SPSS and R report it.

Continuous variables: n, mean ± SD, median (IQR) with quartiles as SPSS computes them (R
``quantile(type = 6)``, numpy ``method="weibull"``), min and max; Shapiro–Wilk per group (scipy:
Royston's algorithm, as R ``shapiro.test``); Student's and Welch's t tests; the Mann–Whitney U
test with the normal approximation, tie correction and no continuity correction (SPSS's
asymptotic p; R ``wilcox.test(exact = FALSE, correct = FALSE)``).  Both tests are always
returned; ``test`` names the one to report: Student's t when Shapiro–Wilk does not reject
normality (p > alpha) in either group, otherwise Mann–Whitney.  A group with fewer than 3 values
has no Shapiro–Wilk test and counts as not normal.

Categorical and binary variables: n (%) per level (percent of the group's non-missing values);
Pearson's χ² without continuity correction; when any expected count is below 5 Fisher's exact
test is reported; both p values are returned.  Fisher's p is exact (R ``fisher.test``): for a
levels × 2 table every table with the observed margins is enumerated (:func:`fisher_exact_r_by_2`;
scipy's ``fisher_exact`` is exact only for 2×2 and estimates r×c p values by Monte Carlo).

Standardized mean difference (second group minus first, groups in sorted order):
continuous (m2 - m1) / sqrt((s1² + s2²) / 2); binary (p2 - p1) / sqrt((p1 q1 + p2 q2) / 2);
a categorical variable with more levels gets Yang & Dalton's multivariate SMD (R ``tableone``).

References
----------
Yang D, Dalton JE (2012). A unified approach to measuring the effect size between two groups using
SAS. SAS Global Forum paper 335-2012.
Hyndman RJ, Fan Y (1996). Sample quantiles in statistical packages. Am Stat 50:361-365.
Royston P (1995). Remark AS R94. Appl Stat 44:547-551.

R equivalent::

    quantile(x, c(.25, .5, .75), type = 6); shapiro.test(x[g == a])
    t.test(x ~ g, var.equal = TRUE); t.test(x ~ g); wilcox.test(x ~ g, exact = FALSE, correct = FALSE)
    chisq.test(table(v, g), correct = FALSE); fisher.test(table(v, g))
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from ._outcome import FloatArray, check_frame, json_object, numeric

KINDS = ("continuous", "binary", "categorical")


def spss_quartiles(x: FloatArray) -> tuple[float, float, float]:
    """25th, 50th and 75th percentiles as SPSS's default (HAVERAGE; R ``quantile(type = 6)``)."""
    if len(x) == 0:
        return float("nan"), float("nan"), float("nan")
    q = np.quantile(x, [0.25, 0.5, 0.75], method="weibull")
    return float(q[0]), float(q[1]), float(q[2])


def infer_kind(series: pd.Series) -> str:
    """``continuous`` for numbers with more than two distinct values, ``binary`` for two values,
    ``categorical`` otherwise."""
    distinct = series.dropna().nunique()
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series) and distinct > 2:
        return "continuous"
    return "binary" if distinct == 2 else "categorical"


def _continuous_summary(x: FloatArray, n_missing: int) -> dict[str, Any]:
    q1, median, q3 = spss_quartiles(x)
    w = p = float("nan")
    if len(x) >= 3 and np.ptp(x) > 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # n > 5000: approximate p (R refuses); noted by the caller
            shapiro = sps.shapiro(x)
        w, p = float(shapiro.statistic), float(shapiro.pvalue)
    return {
        "n": len(x), "missing": n_missing,
        "mean": float(x.mean()) if len(x) else float("nan"),
        "sd": float(x.std(ddof=1)) if len(x) > 1 else float("nan"),
        "median": median, "q1": q1, "q3": q3,
        "min": float(x.min()) if len(x) else float("nan"), "max": float(x.max()) if len(x) else float("nan"),
        "shapiro_w": float(w), "shapiro_p": float(p),
    }


def _continuous_row(name: str, x: FloatArray, g: np.ndarray, levels: list[Any], alpha: float) -> dict[str, Any]:
    present = ~np.isnan(x)
    parts = [x[(g == level) & present] for level in levels]
    groups = {level: _continuous_summary(part, int(((g == level) & ~present).sum()))
              for level, part in zip(levels, parts)}
    a, b = parts
    row: dict[str, Any] = {"variable": name, "kind": "continuous", "groups": groups}
    notes = []
    if len(a) >= 2 and len(b) >= 2 and (np.ptp(a) > 0 or np.ptp(b) > 0):
        t = sps.ttest_ind(a, b, equal_var=True)
        welch = sps.ttest_ind(a, b, equal_var=False)
        row.update(t=float(t.statistic), t_p=float(t.pvalue), welch_t=float(welch.statistic),
                   welch_df=float(welch.df), welch_p=float(welch.pvalue))
    else:
        row.update(t=np.nan, t_p=np.nan, welch_t=np.nan, welch_df=np.nan, welch_p=np.nan)
        notes.append("t tests need at least 2 values per group and some variation")
    if len(a) and len(b) and np.ptp(np.concatenate([a, b])) > 0:
        mw = sps.mannwhitneyu(a, b, use_continuity=False, alternative="two-sided", method="asymptotic")
        row.update(mw_u=float(mw.statistic), mw_p=float(mw.pvalue))
    else:
        row.update(mw_u=np.nan, mw_p=np.nan)
        notes.append("Mann-Whitney needs values in both groups that are not all equal")
    normal = all(s["shapiro_p"] > alpha for s in groups.values())
    row["test"] = "student_t" if normal else "mann_whitney"
    row["statistic"], row["p"] = (row["t"], row["t_p"]) if normal else (row["mw_u"], row["mw_p"])
    sa, sb = (groups[level]["sd"] for level in levels)
    denominator = np.sqrt((sa**2 + sb**2) / 2) if len(a) > 1 and len(b) > 1 else np.nan
    diff = groups[levels[1]]["mean"] - groups[levels[0]]["mean"]
    row["smd"] = float(diff / denominator) if denominator > 0 else (0.0 if diff == 0 else np.nan)
    if np.ptp(x[present]) == 0 if present.any() else True:
        notes.append("the variable is constant or all missing")
    if any(len(part) > 5000 for part in parts):
        notes.append("Shapiro-Wilk p is approximate above 5000 values per group (R's shapiro.test refuses)")
    row["notes"] = notes
    return row


#: Most tables :func:`fisher_exact_r_by_2` enumerates before it refuses (memory ~ 16 bytes each).
FISHER_MAX_TABLES = 20_000_000


def fisher_exact_r_by_2(table: np.ndarray) -> float:
    """Exact two-sided p of Fisher's test for an r × 2 table, as R's ``fisher.test``.

    The p value sums the hypergeometric probabilities of all tables with the observed margins
    that are no more probable than the observed one (relative tolerance 1e-7, as R).  Tables are
    enumerated row by row with pruning; NaN (and the caller says so) beyond
    :data:`FISHER_MAX_TABLES` partial tables.
    """
    from scipy.special import gammaln

    counts = np.asarray(table, dtype=np.int64)
    rows = counts.sum(axis=1)
    c1, total = int(counts[:, 0].sum()), int(counts.sum())

    def log_choose(n: np.ndarray | int, k: np.ndarray) -> np.ndarray:
        return np.asarray(gammaln(np.asarray(n) + 1) - gammaln(k + 1) - gammaln(np.asarray(n) - k + 1))

    observed = float(log_choose(rows, counts[:, 0]).sum())
    sums = np.zeros(1, dtype=np.int64)
    logs = np.zeros(1)
    capacity_left = int(rows.sum())
    for r in rows[:-1]:
        capacity_left -= int(r)
        x = np.arange(0, min(int(r), c1) + 1)
        sums = (sums[:, None] + x[None, :]).ravel()
        logs = (logs[:, None] + log_choose(int(r), x)[None, :]).ravel()
        feasible = (sums <= c1) & (sums >= c1 - capacity_left)
        sums, logs = sums[feasible], logs[feasible]
        if len(sums) > FISHER_MAX_TABLES:
            return float("nan")
    logs = logs + log_choose(int(rows[-1]), c1 - sums)
    denominator = float(log_choose(total, np.array(c1)))
    keep = logs <= observed + np.log1p(1e-7)
    return float(min(1.0, np.exp(logs[keep] - denominator).sum()))


def _categorical_smd(table: np.ndarray) -> float:
    """Yang & Dalton's SMD from a levels × 2 count table (binary: the usual proportion SMD)."""
    props = table / table.sum(axis=0, keepdims=True)
    p1, p2 = props[1:, 0], props[1:, 1]  # drop the first level: proportions sum to one
    s1 = np.diag(p1) - np.outer(p1, p1)
    s2 = np.diag(p2) - np.outer(p2, p2)
    s = (s1 + s2) / 2
    d = p2 - p1
    if not d.any():
        return 0.0
    value = float(d @ np.linalg.pinv(s) @ d)
    smd = np.sqrt(value) if value >= 0 else np.nan
    return float(smd * np.sign(d[0])) if len(d) == 1 else float(smd)


def _categorical_row(name: str, kind: str, values: pd.Series, g: np.ndarray, levels: list[Any]) -> dict[str, Any]:
    present = values.notna().to_numpy()
    var_levels = sorted(pd.unique(values.dropna()).tolist(), key=str)
    table = np.array([[int(((values == v).to_numpy() & (g == level)).sum()) for level in levels]
                      for v in var_levels], dtype=float).reshape(len(var_levels), len(levels))
    groups = {}
    for j, level in enumerate(levels):
        total = table[:, j].sum()
        groups[level] = {
            "n": int(total), "missing": int(((g == level) & ~present).sum()),
            "levels": {str(v): {"n": int(table[i, j]), "percent": float(100 * table[i, j] / total) if total else np.nan}
                       for i, v in enumerate(var_levels)},
        }
    row: dict[str, Any] = {"variable": name, "kind": kind, "groups": groups, "levels": [str(v) for v in var_levels]}
    notes = []
    if len(var_levels) >= 2 and (table.sum(axis=0) > 0).all():
        chi2 = sps.chi2_contingency(table, correction=False)
        expected_min = float(chi2.expected_freq.min())
        fisher_p = fisher_exact_r_by_2(table)
        if not np.isfinite(fisher_p):
            notes.append("the table is too large to enumerate for Fisher's exact test; use the chi-square p")
        row.update(chi2=float(chi2.statistic), chi2_df=int(chi2.dof), chi2_p=float(chi2.pvalue),
                   fisher_p=fisher_p, expected_min=expected_min)
        use_fisher = expected_min < 5 and np.isfinite(fisher_p)
        row["test"] = "fisher" if use_fisher else "chi2"
        row["statistic"] = np.nan if use_fisher else row["chi2"]
        row["p"] = row["fisher_p"] if use_fisher else row["chi2_p"]
        row["smd"] = _categorical_smd(table)
    else:
        row.update(chi2=np.nan, chi2_df=np.nan, chi2_p=np.nan, fisher_p=np.nan, expected_min=np.nan,
                   test=None, statistic=np.nan, p=np.nan, smd=np.nan)
        notes.append("no test: the variable needs at least two levels, and values in both groups")
    row["notes"] = notes
    return row


@dataclass
class CompareResult:
    """``rows``: one dict per variable (JSON schema of ``rushrater stats compare``)."""

    group: str
    levels: list[Any]
    rows: list[dict[str, Any]]
    group_missing: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return json_object({"group": self.group, "levels": self.levels, "group_missing": self.group_missing,
                         "rows": self.rows, "warnings": self.warnings})

    def table(self) -> pd.DataFrame:
        """Tidy long table: one row per variable × group (× level for categorical variables)."""
        out = []
        for row in self.rows:
            for level, summary in row["groups"].items():
                base = {"variable": row["variable"], "kind": row["kind"], "group": level, "test": row["test"],
                        "p": row["p"], "smd": row["smd"]}
                if row["kind"] == "continuous":
                    out.append({**base, **{k: summary[k] for k in ("n", "missing", "mean", "sd", "median", "q1", "q3")}})
                else:
                    for value, count in summary["levels"].items():
                        out.append({**base, "level": value, "n": count["n"], "percent": count["percent"],
                                    "missing": summary["missing"]})
        return pd.DataFrame(out)


def compare(data: pd.DataFrame, group: str, variables: Sequence[str], *, kinds: Mapping[str, str] | None = None,
            alpha: float = 0.05) -> CompareResult:
    """Compare two groups on each variable (a baseline table).

    Parameters
    ----------
    data : DataFrame
        One row per patient.
    group : str
        Column with exactly two groups (missing group: the row is left out and counted).
    variables : sequence of str
        Columns to summarise; kind inferred by :func:`infer_kind` unless given in ``kinds``.
    kinds : mapping, optional
        ``{"asa": "categorical", …}`` to override the inference.
    alpha : float
        Shapiro–Wilk level deciding the reported test.

    Returns
    -------
    CompareResult
        Each variable reports its missing values per group; a constant or all-missing variable
        gets NaN tests with a note, not an error.
    """
    if group in variables:
        raise ValueError(f"{group!r} is the grouping column; it cannot also be compared")
    check_frame(data, [group, *variables])
    g_series = data[group]
    levels = sorted(pd.unique(g_series.dropna()).tolist(), key=lambda v: (isinstance(v, str), v))
    if len(levels) != 2:
        raise ValueError(f"{group!r} must have exactly two groups to compare, but has {len(levels)}"
                         f"{': ' + ', '.join(map(repr, levels[:6])) if levels else ' (all missing)'}")
    in_group = g_series.notna().to_numpy()
    sub = data[in_group]
    g = sub[group].to_numpy()
    rows, notes = [], []
    if (~in_group).sum():
        notes.append(f"{int((~in_group).sum())} row(s) without {group!r} left out")
    for name in variables:
        kind = (kinds or {}).get(name) or infer_kind(sub[name])
        if kind not in KINDS:
            raise ValueError(f"kind of {name!r} must be one of {', '.join(KINDS)}, not {kind!r}")
        if kind == "continuous":
            row = _continuous_row(name, numeric(sub, name), g, levels, alpha)
        else:
            row = _categorical_row(name, kind, sub[name], g, levels)
        missing = sum(s["missing"] for s in row["groups"].values())
        if missing:
            notes.append(f"{name}: {missing} missing value(s); n used per group: "
                            + ", ".join(f"{level} {s['n']}" for level, s in row["groups"].items()))
        rows.append(row)
    return CompareResult(group=group, levels=levels, rows=rows, group_missing=int((~in_group).sum()),
                         warnings=notes)
