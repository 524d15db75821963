"""The risk-model section (TRIPOD items) as report blocks, and ``rushrater riskmodel --out report.pdf|html``.

:func:`riskmodel_blocks` returns headings, paragraphs, tables and figures in the block model of
:mod:`rushrater.services.report`, so the reliability report can include the same section
(``build_report`` appends ``riskmodel_blocks(run_riskmodel(study, …))`` as its section 10). The items follow
TRIPOD (Collins et al., BMJ 2015; 350: g7594): source of data and participants (4–5, 13), outcome
(6), predictors (7), sample size with events per predictor (8, 10), the model (10b, 15: the full
coefficient table), discrimination and calibration (10d, 16) and validation (10c, 10e). The
figures are the stats core's own: nomogram (rms::nomogram), calibration (rms::calibrate),
time-dependent ROC (riskRegression::Score) and scaled Schoenfeld residuals (plot(cox.zph)).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..stats.calibration import calibration_figure
from ..stats.cox import schoenfeld_figure
from ..stats.nomogram import nomogram_figure
from ..stats.tdroc import roc_figure
from .report import Figure, Heading, Para, Report, Table, report_path, write_document
from .riskmodel import MIN_EVENTS_PER_PREDICTOR, RiskModel
from .study import Study


def _f(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{float(value):.{digits}f}"


def _p(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def term_rows(model: RiskModel) -> list[list[str]]:
    labels = model.source.labels
    return [[labels.get(t.term, t.term), _f(t.coef, 4), _f(t.hr), f"{_f(t.ci_low)}–{_f(t.ci_high)}", _f(t.se, 4),
             _f(t.z, 2), _p(t.p)] for t in model.fit.terms]


TERM_HEADER = ["Predictor", "coef", "HR", "95% CI", "SE", "z", "p"]


def ph_rows(model: RiskModel) -> list[list[str]]:
    ph = model.fit.ph
    if ph is None:
        return []
    labels = model.source.labels
    return [[labels.get(r.term, r.term), _f(r.chisq), str(r.df), _p(r.p)] for r in ph.table] + [
        ["Global", _f(ph.global_chisq), str(ph.global_df), _p(ph.global_p)]]


def auc_rows(model: RiskModel) -> list[list[str]]:
    unit = model.source.unit
    return [[f"{a.t:g} {unit}", _f(a.auc), f"{_f(a.ci_low)}–{_f(a.ci_high)}", str(a.cases), str(a.controls),
             str(a.censored_before)] for a in model.tdroc.times]


def calibration_rows(model: RiskModel) -> list[list[str]]:
    unit = model.source.unit
    return [[f"{c.u:g} {unit}", _f(c.summary.get("slope")), _f(c.summary.get("calibration_in_the_large")), _f(c.summary.get("ici")),
             _f(c.summary.get("e90")), str(len(c.groups))] for c in model.calibrations]


def riskmodel_blocks(model: RiskModel, *, with_figures: bool = True, heading: str | None = None) -> list:
    """The TRIPOD-style risk-model section as report blocks (see the module docstring)."""
    s, fit, unit = model.source, model.fit, model.source.unit
    names = ", ".join(s.labels[p] for p in s.predictors)
    epv = model.events_per_predictor
    split = (f"The model was fitted on the rows where {model.train_where} ({model.train_n} patients) and validated "
             f"on the rows where {model.validate_where}." if model.train_where else
             "The model was fitted on all analysed patients; its optimism was estimated by bootstrap (internal validation).")
    blocks: list = [
        Heading(heading or f"Risk model: {s.event}"),
        Para(f"Outcome: time from surgery to {s.event.replace('_', ' ')} in {unit} (follow-up records of the study; "
             "patients without the event are censored at their last follow-up). "
             f"Participants: {s.with_record} patient(s) of the analysis table have a {s.event} record "
             f"({s.without_record} have none); {len(s.incomplete)} left out for a missing predictor (complete-case "
             f"analysis); {len(s.data)} analysed. {split}"),
        Para(f"Predictors: {names}. Model: Cox proportional-hazards regression (Efron ties; survival::coxph), "
             f"{fit.n} patients with {fit.events} event(s): {epv:.1f} events per predictor"
             + (f" — below {MIN_EVENTS_PER_PREDICTOR}, so the model is likely overfitted (TRIPOD item 8)."
                if epv < MIN_EVENTS_PER_PREDICTOR else ".")),
        Table(TERM_HEADER, term_rows(model), caption="Table R1. The full model: coefficients, hazard ratios with Wald "
              "95% CIs (TRIPOD item 15a); the baseline survival is in the nomogram's total-points table."),
    ]
    ph = ph_rows(model)
    if ph:
        blocks.append(Table(["Term", "χ²", "df", "p"], ph, caption="Table R2. Proportional-hazards test "
                            "(cox.zph score test, Kaplan–Meier time transform)."))
    c = fit.concordance
    o = model.optimism
    blocks.append(Para(
        f"Discrimination: Harrell's C = {_f(c.concordance)} (SE {_f(c.se)}); optimism-corrected by bootstrap "
        f"(rms::validate, B = {o.B_used} of {o.B}, seed {o.seed}): {_f(o.c_corrected)} (optimism {_f(o.optimism)})."))
    blocks.append(Table(["t", "AUC(t)", "95% CI", "cases", "controls", "censored before t"], auc_rows(model),
                        caption="Table R3. Cumulative/dynamic time-dependent AUC of the linear predictor with IPCW "
                        "(riskRegression::Score, Kaplan–Meier censoring model)."))
    if model.calibrations:
        blocks.append(Table(["t", "slope", "calibration-in-the-large", "ICI", "E90", "groups"], calibration_rows(model),
                            caption=f"Table R4. Calibration at each time (rms::calibrate, KM, B = {model.B}, seed "
                            f"{model.seed}): slope (1 ideal), calibration-in-the-large (0 ideal), ICI and E90."))
    v = model.validation
    if v is not None:
        rows = [[f"{a['t']:g} {unit}", _f(a["auc"]), f"{_f(a['ci_low'])}–{_f(a['ci_high'])}"] for a in v.auc]
        blocks.append(Para(f"External validation on {v.validate_n} patients ({v.validate_events} events): C = "
                           f"{_f(v.c_validate)} (SE {_f(v.c_validate_se)}), against {_f(v.c_train)} on the training set."))
        blocks.append(Table(["t", "AUC(t)", "95% CI"], rows, caption="Table R5. Time-dependent AUC on the validation set."))
        cal_rows = [[f"{x['t']:g} {unit}", _f(x.get("slope")), _f(x.get("calibration_in_the_large")), _f(x.get("ici"))] for x in v.calibration]
        if cal_rows:
            blocks.append(Table(["t", "slope", "calibration-in-the-large", "ICI"], cal_rows,
                                caption="Table R6. Calibration on the validation set."))
    for warning in model.warnings:
        blocks.append(Para(warning, "note"))
    if with_figures:
        for caption, fig in figures(model).items():
            blocks.append(Figure(fig, caption))
    return blocks


def figures(model: RiskModel) -> dict[str, Any]:
    """Caption -> matplotlib Figure: nomogram, calibration, td-ROC, Schoenfeld residuals."""
    unit = model.source.unit
    out: dict[str, Any] = {}
    if model.nomogram is not None:
        # the axes named by their labels (a copy: the calculator keeps the column names)
        labels = model.source.labels
        named = replace(model.nomogram, axes=[replace(a, predictor=labels.get(a.predictor, a.predictor))
                                              for a in model.nomogram.axes])
        out[f"Nomogram of {model.source.event}: points per predictor, total points → predicted survival"] = (
            nomogram_figure(named, title=model.source.event.replace("_", " ")))
    if model.calibrations:
        out["Calibration: observed (Kaplan–Meier) against predicted survival"] = calibration_figure(model.calibrations, unit=unit)
    out["Time-dependent ROC curves of the linear predictor"] = roc_figure(model.tdroc)
    if model.fit.ph is not None:
        out["Scaled Schoenfeld residuals with the smooth (±2 SE)"] = schoenfeld_figure(model.fit.ph)
    return out


def write_riskmodel_report(study: Study, out: str | Path, model: RiskModel, *, force: bool = False) -> Path:
    """Write the risk-model section alone as a PDF or HTML document, atomically."""
    out = report_path(out, force)
    doc = Report(f"{study.title}: risk model of {model.source.event}", f"RUSH Rater {__version__}", riskmodel_blocks(model))
    return write_document(doc, out)


__all__ = ["figures", "riskmodel_blocks", "write_riskmodel_report"]
