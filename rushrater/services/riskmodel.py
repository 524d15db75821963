"""A prognostic Cox model of a study's follow-up events on its per-patient analysis table (issue 15).

:func:`riskmodel_data` joins the outcome analysis table (RUSH per time point, ΔRUSH, healing group,
body-composition indices, clinical variables: :func:`rushrater.services.outcomes.analysis_table`)
with one event type's time (in months by default, counted from surgery) and status
(:mod:`rushrater.services.followup`). Patients without a record of the event or with a missing
predictor are left out (complete cases) and counted.

:func:`run_riskmodel` fits and assesses the model with the statistics of :mod:`rushrater.stats`
(each checked against R there): ``cox_fit`` (coxph, Efron ties; cox.zph), ``td_auc`` of the
linear predictor (riskRegression::Score), ``calibrate`` at each time (rms::calibrate, KM,
bootstrap with a recorded seed), ``optimism_corrected_c`` (rms::validate), ``cox_nomogram``
(rms::nomogram) and, with ``train_where``/``validate_where``, ``external_validation``. It is the
same composition as :func:`rushrater.stats.survival_validation.risk_model`, done here step by step
because the report and the console need the fitted objects (figures, the nomogram calculator),
not only their JSON. The model is fitted on the training rows (all rows without a split).

The report section (TRIPOD items: source of data, outcome, predictors, sample size and events per
variable, model specification, discrimination, calibration, validation) is in
:mod:`rushrater.services.riskmodel_report`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from ..domain.errors import ValidationError
from ..stats._surv import json_safe
from ..stats.calibration import CalibrationResult, calibrate
from ..stats.cox import CoxResult, cox_fit
from ..stats.nomogram import Nomogram, cox_nomogram
from ..stats.survival_validation import (DEFAULT_SEED, OptimismResult, ValidationResult, external_validation,
                                         optimism_corrected_c, subset)
from ..stats.tdroc import TdRocResult, td_auc
from .followup import UNIT_DAYS, event_times
from .outcomes import DELTA, GROUP, analysis_table
from .study import Study

TIME, STATUS = "time", "status"
#: TRIPOD: fewer events per predictor than this makes an overfitted model likely
MIN_EVENTS_PER_PREDICTOR = 10


@dataclass
class RiskModelData:
    data: pd.DataFrame  # patient, time, status, predictors (+ every other analysis column): complete cases
    event: str
    unit: str
    predictors: list[str]
    labels: dict[str, str]
    with_record: int  # patients in the analysis table with a record of the event
    without_record: int  # patients in the analysis table without one
    incomplete: list[str]  # patient codes left out for a missing predictor
    records_outside: int  # event records of patients not in the analysis table


def riskmodel_data(study: Study, event: str, predictors: list[str], *, unit: str = "months",
                   timepoint: str | None = None, cutoff: float | None = None) -> RiskModelData:
    """The analysis table joined with one event type's time and status (see the module docstring)."""
    if not predictors:
        raise ValidationError("give at least one predictor", fix="e.g. --predictors age,smi,rush_month1")
    table = analysis_table(study, timepoint=timepoint, cutoff=cutoff)
    events = event_times(study, event, unit=unit)
    frame = table.data
    known = [c for c in frame.columns if c != "patient" and not c.startswith("rush_source_")]
    unknown = [p for p in predictors if p not in known]
    if unknown:
        raise ValidationError(f"no predictor {', '.join(map(repr, unknown))} in the analysis table",
                              fix="choose from: " + ", ".join(known))
    if len(set(predictors)) != len(predictors):
        raise ValidationError("a predictor is given twice", fix="list each predictor once")
    for p in predictors:
        if table.kinds.get(p) == "categorical":
            values = pd.to_numeric(frame[p], errors="coerce")
            if values.notna().sum() < frame[p].notna().sum():
                raise ValidationError(f"{p} is categorical with non-numeric levels and cannot enter a Cox model as is",
                                      fix=f"recode {p} as numbers (or 0/1 indicators) in the clinical sheet")
    merged = frame.merge(events, on="patient", how="inner")
    complete = merged[predictors].apply(pd.to_numeric, errors="coerce").notna().all(axis=1)
    labels = dict(table.labels)
    labels.setdefault(DELTA, "ΔRUSH")
    labels.setdefault(GROUP, f"slow healing (RUSH < {table.cutoff:g} at {table.timepoint})")
    from ..storage import queries

    with study.db.read() as session:
        tp_labels = {tp.key: tp.label or tp.key for tp in queries.timepoints(session)}
    for tp in table.timepoints:
        labels.setdefault(f"rush_{tp}", f"RUSH at {tp_labels.get(tp, tp)}")
    data = merged[complete].reset_index(drop=True)
    data[predictors] = data[predictors].apply(pd.to_numeric, errors="coerce")
    return RiskModelData(
        data=data, event=event, unit=unit, predictors=list(predictors), labels={p: labels.get(p, p) for p in predictors},
        with_record=len(merged), without_record=len(frame) - len(merged),
        incomplete=merged.loc[~complete, "patient"].tolist(),
        records_outside=int((~events["patient"].isin(frame["patient"])).sum()))


@dataclass
class RiskModel:
    source: RiskModelData
    times: list[float]
    fit: CoxResult
    train_n: int
    tdroc: TdRocResult
    calibrations: list[CalibrationResult]
    optimism: OptimismResult
    nomogram: Nomogram | None
    validation: ValidationResult | None
    train_where: str | None
    validate_where: str | None
    B: int
    seed: int | None
    m: int = 50  # patients per calibration group
    warnings: list[str] = field(default_factory=list)

    @property
    def events_per_predictor(self) -> float:
        return self.fit.events / len(self.source.predictors)

    def to_json(self) -> dict[str, Any]:
        s = self.source
        return json_safe({
            "event": s.event, "time_unit": s.unit, "predictors": s.predictors, "labels": s.labels, "times": self.times,
            "patients": {"with_record": s.with_record, "without_record": s.without_record,
                         "left_out_missing_predictor": len(s.incomplete), "records_not_in_table": s.records_outside,
                         "analysed": len(s.data), "training": self.train_n},
            "train_where": self.train_where, "validate_where": self.validate_where,
            "events_per_predictor": self.events_per_predictor,
            "cox": self.fit.to_json(),
            "auc": [asdict(a) for a in self.tdroc.times],
            "calibration": [c.to_json() for c in self.calibrations],
            "bootstrap": self.optimism.to_json(),
            "validation": None if self.validation is None else self.validation.to_json(),
            "nomogram": None if self.nomogram is None else self.nomogram.to_json(),
            "B": self.B, "seed": self.seed, "calibration_group_size": self.m, "warnings": self.warnings,
        })




def run_riskmodel(study: Study | None = None, event: str | None = None, predictors: list[str] | None = None, *,
                  source: RiskModelData | None = None, times: list[float] | tuple[float, ...] = (1.0, 3.0, 6.0), unit: str = "months",
                  train_where: str | None = None, validate_where: str | None = None, B: int = 200,
                  seed: int | None = DEFAULT_SEED, m: int | None = None, ties: str = "efron") -> RiskModel:
    """Fit and assess the Cox model (see the module docstring).

    Data that cannot give a model (no events, a constant or collinear predictor, …) raises
    :class:`ValidationError` with the reason; fewer than 10 events per predictor is a warning.
    ``m``: patients per calibration group (default: a fifth of the training rows, at least 10).
    """
    if source is None:
        if study is None or event is None or predictors is None:
            raise TypeError("give a study, an event type and predictors, or a RiskModelData")
        source = riskmodel_data(study, event, predictors, unit=unit)
    if unit not in UNIT_DAYS:
        raise ValidationError(f"unknown time unit {unit!r}", fix="use one of: " + ", ".join(UNIT_DAYS))
    times = [float(t) for t in times]
    if not times or any(not math.isfinite(t) or t <= 0 for t in times):
        raise ValidationError("--at needs positive times", fix="e.g. --at 1,3,6 (in the time unit)")
    if bool(train_where) != bool(validate_where):
        raise ValidationError("give both --train-where and --validate-where", fix='e.g. --train-where "institution == 1" '
                              '--validate-where "institution == 2"')
    data, preds = source.data, source.predictors
    if data.empty:
        raise ValidationError(f"no patient has a {source.event} record and every predictor",
                              fix="import the follow-up events (rushrater clinical events) and check the predictors")
    try:
        train = subset(data, train_where, "--train-where") if train_where else data
        fit = cox_fit(train, TIME, STATUS, preds, ties=ties)
        warnings = list(source_warnings(source)) + list(fit.warnings)
        lp = (train[preds].to_numpy(float) - fit.means) @ fit.coef
        scored = pd.DataFrame({TIME: train[TIME].to_numpy(float), STATUS: train[STATUS].to_numpy(int), "lp": lp})
        roc = td_auc(scored, TIME, STATUS, "lp", times)
        warnings += roc.warnings
        m = m or default_group_size(len(train))
        cals = []
        last = float(train[TIME].max())
        for u in times:
            if u > last:
                warnings.append(f"calibration at {u:g} {unit} skipped: beyond the last follow-up ({last:.3g} {unit})")
                continue
            cal = calibrate(train, TIME, STATUS, preds, u, m=m, B=B, seed=seed, ties=ties)
            warnings += cal.warnings
            cals.append(cal)
        optimism = optimism_corrected_c(train, TIME, STATUS, preds, B=B, seed=seed, ties=ties)
        validation = (external_validation(data, TIME, STATUS, preds, times, train_where=train_where,
                                          validate_where=validate_where, m=m)
                      if train_where and validate_where else None)
        if validation is not None:
            warnings += [w for w in validation.warnings if w not in warnings]
    except ValueError as exc:
        raise ValidationError(str(exc), where=f"risk model of {source.event}",
                              fix="check the predictors and the follow-up records") from exc
    try:
        nom: Nomogram | None = cox_nomogram(fit, train, times)
    except ValueError as exc:
        nom = None
        warnings.append(f"no nomogram: {exc}")
    return RiskModel(source=source, times=times, fit=fit, train_n=len(train), tdroc=roc, calibrations=cals,
                     optimism=optimism, nomogram=nom, validation=validation, train_where=train_where,
                     validate_where=validate_where, B=B, seed=seed, m=m, warnings=list(dict.fromkeys(warnings)))


@dataclass
class RiskRequest:
    """The coordinator's chosen model (``--risk-event TYPE --risk-predictors A,B``) for the report
    and the R export, with `rushrater riskmodel`'s defaults."""

    event: str
    predictors: list[str]
    times: tuple[float, ...] = (1.0, 3.0, 6.0)
    unit: str = "months"
    train_where: str | None = None
    validate_where: str | None = None
    B: int = 200
    seed: int | None = DEFAULT_SEED

    def source(self, study: Study) -> RiskModelData:
        return riskmodel_data(study, self.event, list(self.predictors), unit=self.unit)

    def run(self, study: Study) -> RiskModel:
        return run_riskmodel(source=self.source(study), times=self.times, unit=self.unit, train_where=self.train_where,
                             validate_where=self.validate_where, B=self.B, seed=self.seed)


def riskmodel_missing(study: Study) -> str | None:
    """One line saying the study has no follow-up events, or None."""
    from .followup import events_table

    if events_table(study).empty:
        return "no follow-up events (rushrater clinical events)"
    return None


def default_group_size(n_train: int) -> int:
    """Patients per calibration group: rms' m = 50 gives a single group below 100 patients, so
    five groups by default instead (at least 10 patients each)."""
    return max(10, n_train // 5)


def source_warnings(source: RiskModelData) -> list[str]:
    out = []
    if source.incomplete:
        out.append(f"{len(source.incomplete)} patient(s) with a {source.event} record left out for a missing predictor: "
                   + ", ".join(source.incomplete[:20]) + (" …" if len(source.incomplete) > 20 else ""))
    if source.records_outside:
        out.append(f"{source.records_outside} {source.event} record(s) of patients without RUSH scores or CT data "
                   "(not in the analysis table) left out")
    return out


__all__ = ["MIN_EVENTS_PER_PREDICTOR", "RiskModel", "RiskModelData", "RiskRequest", "default_group_size", "riskmodel_data",
           "riskmodel_missing", "run_riskmodel"]
