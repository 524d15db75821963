"""The outcome section (the paper's Tables 1–3 with their figures) as report blocks, and the
``rushrater outcomes --out report.pdf|report.html`` document.

:func:`outcome_blocks` returns headings, paragraphs, tables and figures in the block model of
:mod:`rushrater.services.report`, so the reliability report can add the same section later
(``build_report`` appends ``outcome_blocks(run_outcomes(study))`` as its section 9). The figures (ROC curves,
forest plot of odds ratios, Love plot of balance before/after matching, ΔRUSH against each index
with the Spearman line) are plain matplotlib ``Figure`` objects (no pyplot state), drawn by the
same functions the console's Outcomes view shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from .outcomes import DELTA, GROUP, OutcomeReport, StratumResult, paper_tables, run_outcomes
from .report import Figure, Heading, Para, Report, Table, report_path, write_document
from .study import Study

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _figure(width: float, height: float, *, left: float = 0.14, bottom: float = 0.14):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure as MplFigure

    # Fixed margins, not constrained layout: the layout engine measures every label on each draw
    # and was most of the analysis' time on a 600-patient study.
    fig = MplFigure(figsize=(width, height), dpi=100)
    fig.subplots_adjust(left=left, bottom=bottom, right=0.97, top=0.88)
    return fig


def _roc_points(values: np.ndarray, y: np.ndarray, direction: str) -> tuple[np.ndarray, np.ndarray]:
    """(1 - specificity, sensitivity) over every threshold, in pROC's direction convention."""
    keep = ~(np.isnan(values) | np.isnan(y))
    x, yy = values[keep], y[keep]
    if direction == ">":  # lower values are cases: flip so "higher = case"
        x = -x
    order = np.argsort(-x, kind="mergesort")
    x, yy = x[order], yy[order]
    cases, controls = max(yy.sum(), 1), max((1 - yy).sum(), 1)
    distinct = np.r_[np.nonzero(np.diff(x))[0], len(x) - 1]
    tp = np.cumsum(yy)[distinct]
    fp = np.cumsum(1 - yy)[distinct]
    return np.r_[0.0, fp / controls], np.r_[0.0, tp / cases]


def roc_figure(stratum: StratumResult, labels: dict[str, str]):
    fig = _figure(4.6, 4.2)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="#999999", lw=0.8, ls="--")
    if stratum.roc is not None and stratum.data is not None:
        y = stratum.data[GROUP].to_numpy(dtype=float)
        for k, row in enumerate(stratum.roc.markers.to_dict("records")):
            fpr, tpr = _roc_points(stratum.data[row["marker"]].to_numpy(dtype=float), y, row["direction"])
            colour = COLOURS[k % len(COLOURS)]
            ax.plot(fpr, tpr, color=colour, lw=1.4,
                    label=f"{labels.get(row['marker'], row['marker'])}  AUC {row['auc']:.3f}")
            ax.plot([1 - row["specificity"]], [row["sensitivity"]], "o", color=colour, ms=4)
    ax.set_xlabel("1 − specificity")
    ax.set_ylabel("sensitivity")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_title(f"ROC curves, slow healing — {stratum.name}", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    return fig


def forest_figure(stratum: StratumResult, labels: dict[str, str], indices: list[str] | None = None):
    """Odds ratios of the indices (univariable and adjusted); the covariates' are in the tables."""
    rows = []
    for kind, fits in (("univariable", stratum.univariable), ("adjusted", stratum.adjusted)):
        for fit in fits:
            if indices is not None and fit.predictors[0] not in indices:
                continue
            term = fit.terms.iloc[1] if len(fit.terms) > 1 else None
            if term is not None and np.isfinite(term["or"]):
                name = fit.predictors[0]
                rows.append((f"{labels.get(name, name)} ({kind})", term["or"], term["ci_low"], term["ci_high"], kind))
    height = max(2.2, 0.28 * len(rows) + 1.0)
    fig = _figure(5.2, height, left=0.42, bottom=0.55 / height)
    ax = fig.add_subplot()
    for k, (name, estimate, low, high, kind) in enumerate(reversed(rows)):
        colour = COLOURS[0] if kind == "univariable" else COLOURS[1]
        ax.plot([low, high], [k, k], color=colour, lw=1.2)
        ax.plot([estimate], [k], "s", color=colour, ms=4)
    ax.axvline(1.0, color="#666666", lw=0.8, ls="--")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r[0] for r in reversed(rows)], fontsize=7)
    if rows:
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

        ax.set_xscale("log")
        low = min(r[2] for r in rows)
        high = max(r[3] for r in rows)
        ticks = [t for t in (0.01, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 100.0) if low / 2 <= t <= high * 2] or [1.0]
        if len(ticks) > 5:  # keep the labels apart on a narrow axis
            ticks = ticks[ticks.index(1.0) % 2::2] if 1.0 in ticks else ticks[::2]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("OR of slow healing (95% CI, log scale)")
    ax.set_title(f"Odds ratios — {stratum.name}", fontsize=9)
    return fig


def love_figure(stratum: StratumResult, labels: dict[str, str]):
    balance = stratum.matching.balance if stratum.matching is not None else pd.DataFrame(columns=["variable", "smd_before", "smd_after"])
    height = max(2.2, 0.3 * len(balance) + 1.0)
    fig = _figure(4.6, height, left=0.3, bottom=0.55 / height)
    ax = fig.add_subplot()
    names = [labels.get(v.split("[")[0], v) for v in balance["variable"]]
    ticks = np.arange(len(balance))[::-1]
    ax.plot(np.abs(balance["smd_before"]), ticks, "o", mfc="none", color=COLOURS[1], label="before matching")
    ax.plot(np.abs(balance["smd_after"]), ticks, "o", color=COLOURS[0], label="after matching")
    ax.axvline(0.1, color="#666666", lw=0.8, ls="--")
    ax.set_yticks(ticks)
    ax.set_yticklabels(names, fontsize=7)
    ax.set_xlabel("absolute standardized mean difference")
    ax.set_title(f"Covariate balance — {stratum.name}", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    return fig


def scatter_figure(stratum: StratumResult, labels: dict[str, str], indices: list[str]):
    fig = _figure(2.3 * max(len(indices), 1), 2.6, left=0.08, bottom=0.2)
    fig.subplots_adjust(top=0.8, wspace=0.3)
    data = stratum.data if stratum.data is not None else pd.DataFrame()
    corr = stratum.correlation.rows.set_index("y") if stratum.correlation is not None else pd.DataFrame()
    for k, index in enumerate(indices):
        ax = fig.add_subplot(1, len(indices), k + 1)
        if DELTA in data.columns and index in data.columns:
            pair = data[[index, DELTA]].dropna()
            ax.scatter(pair[index], pair[DELTA], s=8, color=COLOURS[k % len(COLOURS)], alpha=0.7)
            if len(pair) >= 3 and pair[index].nunique() > 1:
                # A least-squares line shows the direction; the coefficient in the title is Spearman's.
                slope, intercept = np.polyfit(pair[index], pair[DELTA], 1)
                xs = np.linspace(pair[index].min(), pair[index].max(), 50)
                ax.plot(xs, intercept + slope * xs, color="#333333", lw=1)
        if index in corr.index:
            c = corr.loc[index]
            ax.set_title(f"{labels.get(index, index)}\nr = {c['r']:.3f}, p = {c['p']:.3g}", fontsize=8)
        ax.set_xlabel(labels.get(index, index), fontsize=7)
        if k == 0:
            ax.set_ylabel("ΔRUSH", fontsize=8)
        ax.tick_params(labelsize=7)
    return fig


def figures(stratum: StratumResult, report: OutcomeReport) -> dict[str, Any]:
    labels = report.table.labels
    return {"roc": roc_figure(stratum, labels), "forest": forest_figure(stratum, labels, report.table.indices),
            "love": love_figure(stratum, labels), "scatter": scatter_figure(stratum, labels, report.table.indices)}


def _table(frame: pd.DataFrame, caption: str) -> Table:
    return Table([str(c) for c in frame.columns],
                 [["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in row]
                  for row in frame.itertuples(index=False)], caption=caption)


def outcome_blocks(report: OutcomeReport, *, with_figures: bool = True, heading: str = "Outcome analysis") -> list:
    """The outcome section as report blocks (see the module docstring)."""
    t = report.table
    group = f"slow healing = RUSH below {t.cutoff:g} at {t.timepoint}"
    delta = f"ΔRUSH = {t.delta[1]} − {t.delta[0]}" if t.delta else "no ΔRUSH (one time point)"
    blocks: list = [
        Heading(heading),
        Para(f"Healing groups: {group}. RUSH per time point is the saved consensus of all raters where there is "
             f"one, otherwise the mean of the raters' current first reads. {delta}. Propensity scores from "
             "logistic regression on the covariates; greedy nearest-neighbour 1:1 matching without replacement "
             f"(MatchIt method = \"nearest\", largest distance first), caliper {report.caliper} on the propensity-"
             "score scale. Continuous variables: mean ± SD and Student's t when both groups pass Shapiro–Wilk, "
             "otherwise median (Q1–Q3, SPSS quantiles) and Mann–Whitney U; categorical: n (%) with Pearson χ² "
             "(Fisher's exact test when an expected count is below 5). Odds ratios with Wald 95% CIs; the adjusted "
             "model has the index and every covariate. Spearman's r with the t-approximation p; ROC AUC with "
             "DeLong CI and the Youden-optimal cut-off."),
    ]
    for stratum in report.strata:
        title = stratum.name if report.by else "All patients"
        blocks.append(Heading(f"{title} (n = {stratum.n}: {stratum.n_slow} slow, {stratum.n_normal} normal healing)", 2))
        tables = paper_tables(stratum, t, _value_labels(report))
        m = stratum.matching
        matched = (f"{m.n_pairs} matched pair(s) of {m.n_treated} slow and {m.n_control} normal healers"
                   if m is not None else "no matching")
        blocks.append(_table(tables["table1"], f"Table 1. Baseline characteristics by healing group, before and after "
                                               f"propensity-score matching ({matched})."))
        blocks.append(_table(tables["table2"], "Table 2. Body-composition indices by healing group (before and after "
                                               "matching) and odds ratios of slow healing per unit (univariable and "
                                               "adjusted for the covariates)."))
        blocks.append(_table(tables["table3"], "Table 3. Spearman correlation of ΔRUSH with each index; ROC analysis "
                                               "of each index for slow healing (Youden cut-off)."))
        for note in stratum.notes:
            blocks.append(Para(note, "note"))
        if with_figures:
            figs = figures(stratum, report)
            blocks += [Figure(figs["roc"], f"ROC curves — {title}"), Figure(figs["forest"], f"Odds ratios — {title}"),
                       Figure(figs["love"], f"Balance before/after matching — {title}"),
                       Figure(figs["scatter"], f"ΔRUSH against each index — {title}")]
    return blocks


def _value_labels(report: OutcomeReport) -> dict[str, dict[str, str]]:
    return report.value_labels


def write_outcome_report(study: Study, out: str | Path, *, force: bool = False, report: OutcomeReport | None = None,
                         **options) -> Path:
    """Write the outcome section alone as a PDF or HTML document, atomically."""
    out = report_path(out, force)
    report = report or run_outcomes(study, **options)
    doc = Report(f"{study.title}: outcome analysis", f"RUSH Rater {__version__}", outcome_blocks(report))
    return write_document(doc, out)


__all__ = ["figures", "forest_figure", "love_figure", "outcome_blocks", "roc_figure", "scatter_figure",
           "write_outcome_report"]
