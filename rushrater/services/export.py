"""Exports for statisticians: CSV, SPSS, Stata, Excel and R, each with a codebook.

``export_study(study, fmt, out, force=False)`` writes one of :data:`FORMATS`:

* ``csv``: long, one row per rating *version* (``version`` and ``current`` say which is in the
  analysis; ``source`` says how it was obtained), beside it ``<stem>_consensus.csv`` (every recorded
  consensus version) and ``<stem>_codebook.csv``;
* ``csv-wide``: one row per case with each rater's total (current first reads), the layout SPSS
  RELIABILITY needs, plus its codebook;
* ``sav`` / ``dta``: the long table with variable labels and value labels (item anchors, rater
  groups, time points, healing status), measurement levels, integer formats and real datetimes,
  written with pyreadstat (.dta release 118); consensus and ``<stem>_sav_codebook.csv`` /
  ``<stem>_dta_codebook.csv`` beside it, so both can share a folder and a stem;
* ``xlsx``: one sheet per table plus a codebook sheet (openpyxl);
* ``r``: a folder with the CSVs, the codebook and ``analysis.R`` that reproduces the study's ICC
  table (time point x rater group x score, all six forms) with ``psych::ICC``; with body
  composition and clinical data also ``outcome_data.csv`` + ``outcomes.R`` (services.outcome_r) and,
  for a chosen risk model, ``riskmodel_data.csv`` + ``riskmodel.R`` (services.riskmodel_r);
* ``spss``: a folder with the .sav files and ``analysis.sps`` running RELIABILITY /ICC per cell;
* ``stata``: a folder with the .dta files and ``analysis.do`` running ``icc`` per cell.

With body composition, clinical data or follow-up events, every format adds the per-patient table
(RUSH per time point, body composition, the clinical variables labelled from their codebook, each
event type's day and status).

Every codebook describes exactly the columns of its own export's files (a ``file`` column names
the file). Scripts name their data files relative to their folder, so it can be moved.

Nothing half-written is ever left at the output path: every file is first written to a temporary
name in the same folder and renamed into place only when all of them are complete.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..domain.errors import RushRaterError, ValidationError
from ..storage import queries
from .agreement import ALL, TOTAL, study_ratings
from .files import describe_write_failure, library_write_errors
from .study import Study

FORMATS = ("csv", "csv-wide", "sav", "dta", "xlsx", "r", "spss", "stata")
#: Formats written as a folder (everything else is one main file plus siblings).
FOLDER_FORMATS = ("r", "spss", "stata")
SUFFIX = {"csv": ".csv", "csv-wide": ".csv", "sav": ".sav", "dta": ".dta", "xlsx": ".xlsx"}

#: Healing status codes (total below the study's slow-healing cut-off).
HEALED, SLOW = 0, 1


class ExportError(RushRaterError):
    """The export cannot be written (the path exists, the folder is not writable, no ratings)."""


#: SPSS measurement level of each codebook type (items and the time point are ordinal, set per variable).
MEASURE = {"text": "nominal", "categorical": "nominal", "ordinal": "ordinal", "integer": "scale",
           "number": "scale", "datetime": "scale"}


@dataclass
class Variable:
    """One codebook entry."""

    table: str
    name: str
    type: str
    label: str
    values: dict = field(default_factory=dict)
    units: str = ""
    #: SPSS measurement level; by default from ``type`` (see :data:`MEASURE`).
    measure: str = ""

    def __post_init__(self) -> None:
        self.measure = self.measure or MEASURE[self.type]


@dataclass
class ExportTables:
    """Everything an export writes, as DataFrames with plain, labelled columns."""

    study: str
    long: pd.DataFrame
    wide: pd.DataFrame
    wide_scores: pd.DataFrame
    consensus: pd.DataFrame
    icc: pd.DataFrame
    codebook: list[Variable]
    timepoints: list[str]
    groups: list[str]
    raters: dict[str, str]
    items: list[str]
    subtotals: list[str]
    cutoff: float
    #: One row per patient: RUSH per time point joined with CT body composition (only when the study
    #: has body-composition measurements).
    patients: pd.DataFrame | None = None
    #: R export only: the outcome analysis table and the risk-model data (file, table, frame, kind)
    #: with the scripts that read them (outcomes.R, riskmodel.R)
    analysis_files: list = field(default_factory=list)
    analysis_scripts: dict[str, str] = field(default_factory=dict)
    #: what the export left out and why (printed by the CLI)
    notes: list[str] = field(default_factory=list)

    @property
    def scores(self) -> list[str]:
        return [TOTAL, *self.subtotals, *self.items]

    def variables(self, table: str) -> dict[str, Variable]:
        return {v.name: v for v in self.codebook if v.table == table}

    def codebook_frame(self, files: list[tuple[str, str, pd.DataFrame, str]]) -> pd.DataFrame:
        """The codebook of exactly the data files written: ``files`` lists (file name, table,
        frame, kind) and each column of each frame gets one row, under the name the file gives it
        (Stata names for .dta), in file order. A column without a codebook entry is a bug."""
        rows = []
        for file, table, frame, kind in files:
            variables = self.variables(table)
            for column in frame.columns:
                v = variables.get(str(column))
                if v is None:
                    raise KeyError(f"column {column!r} of the {table} table has no codebook entry")
                rows.append({
                    "file": file,
                    "table": table,
                    "variable": (_stata_name(v.name, labelled=bool(v.values) and v.type != "text") if kind == "dta"
                                 else v.name),
                    "type": v.type,
                    "measure": v.measure,
                    "label": v.label,
                    "values": "; ".join(f"{k} = {t}" for k, t in v.values.items()),
                    "units": v.units,
                })
        return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


CODEBOOK_COLUMNS = ["file", "table", "variable", "type", "measure", "label", "values", "units"]


# --- the tables -------------------------------------------------------------------------------------


def _timestamp(values) -> pd.Series:
    """ISO 8601 UTC text (``2026-03-01T09:30:00.000000+00:00``), empty when unknown: what every
    package reads back identically. Stored times without a zone are UTC (services/audit.now)."""
    stamps = pd.to_datetime(pd.Series(list(values), dtype=object), utc=True, format="mixed")
    return stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00").fillna("").astype(object)


def export_tables(study: Study, *, with_icc: bool = True) -> ExportTables:
    """Collect the study's ratings (every version), wide tables, consensus and (``with_icc``) the
    study's ICC table; formats that do not carry the ICC table skip computing it."""
    rubric = study.rubric
    items = list(rubric.item_keys)
    subtotals = [c.key for c in rubric.components]
    cutoff = float(study.settings.slow_healing_cutoff)
    with study.db.read() as session:
        rows, score_rows = queries.all_rating_rows(session)
        consensus_rows = queries.consensus_export_rows(session)
        timepoint_rows = [(tp.key, tp.label, tp.nominal_day) for tp in queries.timepoints(session)]
        rater_rows = [(r.code, r.group.name) for r in queries.raters(session)]
    if not rows:
        raise ExportError(
            "the study has no ratings yet: there is nothing to export",
            where=str(study.root),
            fix="score cases first (rushrater read, or rushrater ratings import)",
        )
    timepoints = [key for key, _, _ in timepoint_rows]
    groups = sorted({g for _, g in rater_rows})
    raters = dict(rater_rows)

    columns = ["rating_id", "rater", "group", "case", "patient", "timepoint", "read", "version", "total_db",
               "unreadable_reason", "started_at", "submitted_at", "active_seconds", "source"]
    frame = pd.DataFrame(rows, columns=columns)
    item_of = study.item_keys_by_id
    scores = pd.DataFrame(score_rows, columns=["rating_id", "item_id", "value"])
    wide_items = scores.pivot(index="rating_id", columns="item_id", values="value").rename(columns=item_of)
    values = wide_items.reindex(index=frame["rating_id"].to_numpy(), columns=items).to_numpy(dtype=float)
    newest = frame.groupby(["rater", "case", "read"])["version"].transform("max")

    long = pd.DataFrame({
        "study": study.title,
        "case": frame["case"],
        "patient": frame["patient"],
        "timepoint": frame["timepoint"],
        "rater": frame["rater"],
        "group": frame["group"],
        "read": frame["read"].astype(np.int64),
        "source": frame["source"],
    })
    for j, key in enumerate(items):
        long[key] = values[:, j]
    for component in subtotals:
        members = [j for j, it in enumerate(rubric.items) if it.component == component]
        long[component] = values[:, members].sum(axis=1)
    long[TOTAL] = values.sum(axis=1)
    unreadable = frame["unreadable_reason"].notna()
    long["healing_status"] = np.where(unreadable, np.nan, np.where(long[TOTAL] < cutoff, SLOW, HEALED))
    long["unreadable"] = unreadable.astype(np.int64)
    long["unreadable_reason"] = frame["unreadable_reason"].fillna("")
    long["started_at"] = _timestamp(frame["started_at"])
    long["submitted_at"] = _timestamp(frame["submitted_at"])
    long["active_seconds"] = frame["active_seconds"].astype(float)
    for key in [*items, *subtotals, TOTAL, "healing_status"]:
        long[key] = long[key].astype("Int64")
    long["version"] = frame["version"].astype(np.int64)
    long["current"] = (frame["version"] == newest).astype(np.int64)

    # Wide: current, scored first reads; one row per case, one column per rater and score.
    analysed = long[(long["current"] == 1) & (long["read"] == 1) & (long["unreadable"] == 0)]
    order = {tp: i for i, tp in enumerate(timepoints)}
    cases = (long[["case", "patient", "timepoint"]].drop_duplicates("case")
             .assign(_tp=lambda d: d["timepoint"].map(order))
             .sort_values(["_tp", "patient"]).drop(columns="_tp").reset_index(drop=True))
    rater_codes = list(raters)
    wide_scores = cases.copy()
    for score in [TOTAL, *subtotals, *items]:
        table = analysed.pivot(index="case", columns="rater", values=score).reindex(columns=rater_codes)
        for code in rater_codes:
            wide_scores[f"{score}_{code}"] = pd.array(table[code].reindex(cases["case"]).astype("Int64").to_list(),
                                                      dtype="Int64")
    wide = wide_scores[["case", "patient", "timepoint", *[f"{TOTAL}_{c}" for c in rater_codes]]].copy()

    consensus = pd.DataFrame(
        consensus_rows,
        columns=["case", "patient", "timepoint", "scope", "method", "version", "total", "slow_healing",
                 "decided_by", "decided_at", "note"],
    )
    latest = consensus.groupby(["case", "scope"])["version"].transform("max") if len(consensus) else pd.Series(dtype=int)
    consensus["current"] = (consensus["version"] == latest).astype(np.int64)
    consensus["slow_healing"] = consensus["slow_healing"].map({True: SLOW, False: HEALED}).astype("Int64")
    consensus["decided_at"] = _timestamp(consensus["decided_at"])
    consensus["note"] = consensus["note"].fillna("")
    consensus["total"] = consensus["total"].astype(float)
    consensus["version"] = consensus["version"].astype(np.int64)

    report = _icc_table(study) if with_icc else pd.DataFrame()
    codebook = _codebook(study, timepoint_rows, groups, rater_codes, items, subtotals, cutoff)
    joined = _patients_table(study, analysed, consensus, timepoint_rows, cutoff)
    patients = None
    if joined is not None:
        patients, patient_variables = joined
        codebook += patient_variables
    return ExportTables(
        study=study.title, long=long, wide=wide, wide_scores=wide_scores, consensus=consensus, icc=report,
        codebook=codebook, timepoints=timepoints, groups=groups, raters=raters, items=items,
        subtotals=subtotals, cutoff=cutoff, patients=patients,
    )


#: Body-composition columns carried into the per-patient table (bodycomp_table names).
BODYCOMP_COLUMNS = {
    "height_m": ("number", "Height", "m"),
    "sex": ("text", "Sex (F/M) used for the reference cut-off", ""),
    "muscle_cm2": ("number", "Skeletal muscle area at mid-T12", "cm2"),
    "visceral_fat_cm2": ("number", "Visceral fat area at mid-T12", "cm2"),
    "subcutaneous_fat_cm2": ("number", "Subcutaneous fat area at mid-T12", "cm2"),
    "muscle_mean_hu": ("number", "Mean muscle attenuation", "HU"),
    "smi": ("number", "Skeletal muscle index (muscle area / height squared)", "cm2/m2"),
    "vfi": ("number", "Visceral fat index", "cm2/m2"),
    "sfi": ("number", "Subcutaneous fat index", "cm2/m2"),
    "vsr": ("number", "Visceral-to-subcutaneous fat area ratio", ""),
    "slice_position_mm": ("number", "Position of the measured slice", "mm"),
    "muscle_hu_range": ("text", "Muscle HU thresholds used", "HU"),
    "visceral_fat_hu_range": ("text", "Visceral fat HU thresholds used", "HU"),
    "subcutaneous_fat_hu_range": ("text", "Subcutaneous fat HU thresholds used", "HU"),
    "status": ("text", "Body-composition measurement status (measured, reviewed, locked)", ""),
    "flags": ("text", "Flags against the reference cut-offs", ""),
    "reference_version": ("text", "Version of the reference cut-off table", ""),
}


def _patients_table(study: Study, analysed: pd.DataFrame, consensus: pd.DataFrame, timepoint_rows: list,
                    cutoff: float) -> tuple[pd.DataFrame, list[Variable]] | None:
    """RUSH per patient and time point (raters' mean, consensus, healing status) beside body
    composition, the clinical variables and each follow-up event type's day and status, with the
    codebook of exactly the columns present; None when the study has none of the three."""
    from .bodycomp import bodycomp_table
    from .clinical import clinical_table
    from .clinical import codebook as clinical_codebook
    from .followup import events_table

    body = bodycomp_table(study)
    clinical = clinical_table(study)
    book = {name: v for name, v in clinical_codebook(study).items() if name in clinical.columns}
    events = events_table(study)
    if body.empty and clinical.empty and events.empty:
        return None
    patients = set(analysed["patient"]) | set(body["patient"]) | set(clinical["patient"]) | set(events["patient"])
    out = pd.DataFrame({"patient": sorted(patients)})
    timepoints = [key for key, _label, _day in timepoint_rows]
    means = analysed.assign(total=analysed[TOTAL].astype(float)).groupby(["patient", "timepoint"])["total"].mean()
    agreed = consensus[(consensus["current"] == 1) & (consensus["scope"] == "all")]
    agreed = agreed.set_index(["patient", "timepoint"])
    for tp in timepoints:
        mean = out["patient"].map(lambda p, tp=tp: means.get((p, tp), np.nan)).astype(float)
        decided = out["patient"].map(lambda p, tp=tp: agreed["total"].get((p, tp), np.nan)).astype(float)
        out[f"rush_mean_{tp}"] = mean
        out[f"rush_consensus_{tp}"] = decided
        # Healing status from the consensus where there is one, else from the raters' mean total.
        basis = decided.where(decided.notna(), mean)
        out[f"slow_healing_{tp}"] = pd.array(np.where(basis.isna(), np.nan, (basis < cutoff).astype(float)),
                                             dtype="Int64")
    variables: list[Variable] = []
    if not body.empty:
        body = body.rename(columns={"status": "bodycomp_status", "flags": "bodycomp_flags"})
        keep = ["patient", *[("bodycomp_" + c if c in ("status", "flags") else c) for c in BODYCOMP_COLUMNS]]
        out = out.merge(body[keep], on="patient", how="left")
        for name, (kind, label, units) in BODYCOMP_COLUMNS.items():
            column = "bodycomp_" + name if name in ("status", "flags") else name
            variables.append(Variable("patients", column, kind, f"CT body composition: {label}", units=units))
    if book:
        # A clinical variable named like a body-composition column (sex, height_m) keeps both: the
        # clinical one gets the prefix, as the CT one already has its own meaning in earlier exports.
        taken = set(out.columns)
        renamed = {name: (f"clinical_{name}" if name in taken else name) for name in book}
        out = out.merge(clinical[["patient", *book]].rename(columns=renamed), on="patient", how="left")
        for name, v in book.items():
            variables.append(_clinical_variable(renamed[name], v))
            if v.kind != "continuous" and _integer_levels(v):
                out[renamed[name]] = pd.array([None if pd.isna(x) else int(float(x)) for x in out[renamed[name]]],
                                              dtype="Int64")
    for event_type, part in events.groupby("event_type", sort=True):
        day = part.set_index("patient")["day"]
        status = part.set_index("patient")["status"].astype(int)
        out[f"{event_type}_day"] = out["patient"].map(day).astype(float)
        out[f"{event_type}_status"] = pd.array(out["patient"].map(status).to_list(), dtype="Int64")
        words = str(event_type).replace("_", " ")
        variables += [
            Variable("patients", f"{event_type}_day", "number",
                     f"Follow-up: days from surgery to {words}, or to the end of follow-up without it", units="days"),
            Variable("patients", f"{event_type}_status", "categorical", f"Follow-up: {words} happened",
                     {0: "censored (no event by the end of follow-up)", 1: "event"}),
        ]
    return out, _patients_codebook_head(timepoint_rows, cutoff) + variables


def _integer_levels(v) -> bool:
    """Every level of a clinical variable is an integer (so SPSS/Stata can carry its value labels)."""
    try:
        return bool(v.levels) and all(float(value) == int(float(value)) for value, _ in v.levels)
    except ValueError:
        return False


def _clinical_variable(column: str, v, table: str = "patients") -> Variable:
    """A clinical codebook entry as an export variable: continuous = scale, binary/categorical =
    nominal with its value labels (text levels stay text, their labels listed in the codebook)."""
    label = f"Clinical: {v.label}"
    if v.kind == "continuous":
        bounds = ("" if v.min_value is None and v.max_value is None else
                  f" (allowed {'' if v.min_value is None else f'{v.min_value:g}'}–"
                  f"{'' if v.max_value is None else f'{v.max_value:g}'})")
        return Variable(table, column, "number", label + bounds, units=v.unit or "")
    if _integer_levels(v):
        return Variable(table, column, "categorical", label, {int(float(k)): t for k, t in v.levels},
                        units=v.unit or "")
    return Variable(table, column, "text", label, {k: t for k, t in v.levels}, units=v.unit or "",
                    measure="nominal")


def _patients_codebook_head(timepoint_rows, cutoff: float) -> list[Variable]:
    healing = {HEALED: f"healing (RUSH {cutoff:g} or more)", SLOW: f"slow healing (RUSH below {cutoff:g})"}
    out = [Variable("patients", "patient", "text", "Pseudonymous patient code")]
    for key, label, _day in timepoint_rows:
        out += [
            Variable("patients", f"rush_mean_{key}", "number", f"RUSH total at {label}: mean of the raters' current first reads", units="points"),
            Variable("patients", f"rush_consensus_{key}", "number", f"RUSH total at {label}: current consensus of all raters", units="points"),
            Variable("patients", f"slow_healing_{key}", "categorical", f"Healing status at {label} (consensus, else raters' mean)", healing),
        ]
    return out


def add_outcome_analysis(study: Study, tables: ExportTables, outcome=None, risk=None) -> None:
    """Add the outcome analysis (``outcome_data.csv`` + ``outcomes.R``, when the study has body
    composition and clinical data) and, when a model is asked for (``risk``, a RiskRequest), the
    risk model (``riskmodel_data.csv`` + ``riskmodel.R``) to an R export, with their codebook."""
    from .outcome_r import outcome_data, r_script
    from .outcomes import OutcomeRequest, analysis_table, outcomes_missing
    from .riskmodel_r import riskmodel_files

    missing = outcomes_missing(study)
    if missing:
        tables.notes.append(f"no outcome script (outcomes.R): the study has {missing}")
    else:
        report = (outcome or OutcomeRequest()).run(study)
        data = outcome_data(report)
        tables.codebook += _analysis_variables(study, "outcome", list(data.columns), report.table)
        tables.analysis_files.append(("outcome_data.csv", "outcome", data, "rcsv"))
        tables.analysis_scripts["outcomes.R"] = r_script(report, "outcome_data.csv")
    if risk is not None:
        source = risk.source(study)  # an event or predictor that is not there: the clear error, nothing written
        data, script = riskmodel_files(source, times=risk.times, train_where=risk.train_where,
                                       validate_where=risk.validate_where, seed=risk.seed, B=risk.B)
        tables.codebook += _analysis_variables(study, "riskmodel", list(data.columns), analysis_table(study),
                                               event=source.event, unit=source.unit)
        tables.analysis_files.append(("riskmodel_data.csv", "riskmodel", data, "rcsv"))
        tables.analysis_scripts["riskmodel.R"] = script


def _analysis_variables(study: Study, table: str, columns: list[str], analysis, *, event: str = "",
                        unit: str = "") -> list[Variable]:
    """Codebook entries of the outcome analysis table's columns (services.outcomes.analysis_table)
    and of the risk model's time/status/set."""
    from .bodycomp import INDICES as BODY_INDICES
    from .clinical import codebook as clinical_codebook
    from .outcomes import DELTA, GROUP

    book = clinical_codebook(study)
    cutoff = analysis.cutoff
    healing = {HEALED: f"healing (RUSH {cutoff:g} or more)", SLOW: f"slow healing (RUSH below {cutoff:g})"}
    rush = {f"rush_{tp}": tp for tp in analysis.timepoints}
    out = []
    for c in columns:
        if c == "patient":
            out.append(Variable(table, c, "text", "Pseudonymous patient code"))
        elif c in rush:
            out.append(Variable(table, c, "number", f"RUSH total at {rush[c]}: consensus of all raters where saved, "
                                                    "else the mean of the raters' current first reads", units="points"))
        elif c == DELTA and analysis.delta:
            out.append(Variable(table, c, "number", f"ΔRUSH: RUSH at {analysis.delta[1]} minus RUSH at {analysis.delta[0]}",
                                units="points"))
        elif c == GROUP:
            out.append(Variable(table, c, "categorical", f"Healing group at {analysis.timepoint}", healing))
        elif c in BODY_INDICES:
            kind, label, units = BODYCOMP_COLUMNS[c]
            out.append(Variable(table, c, kind, f"CT body composition: {label}", units=units))
        elif c in book:
            out.append(_clinical_variable(c, book[c], table))
        elif c == "time" and event:
            out.append(Variable(table, c, "number", f"Time from surgery to {event.replace('_', ' ')}, or to the end "
                                                    "of follow-up without it", units=unit))
        elif c == "status" and event:
            out.append(Variable(table, c, "categorical", f"{event.replace('_', ' ')} happened",
                                {0: "censored", 1: "event"}))
        elif c == "set":
            out.append(Variable(table, c, "text", "Training or validation set (--train-where / --validate-where)"))
        else:
            raise KeyError(f"column {c!r} of the {table} table has no codebook entry")
    return out


def _icc_table(study: Study) -> pd.DataFrame:
    from .agreement import agreement_report

    report = agreement_report(study)
    table = report.icc.copy()
    table["timepoint"] = table["timepoint"].astype(str)
    return table


def _codebook(study, timepoint_rows, groups, rater_codes, items, subtotals, cutoff) -> list[Variable]:
    rubric = study.rubric
    tp_values = {i + 1: f"{key} ({label})" for i, (key, label, _day) in enumerate(timepoint_rows)}
    group_values = {i + 1: g for i, g in enumerate(groups)}
    healing = {HEALED: f"healing (RUSH {cutoff:g} or more)", SLOW: f"slow healing (RUSH below {cutoff:g})"}
    text = "text"
    out = [
        Variable("ratings", "study", text, "Study title"),
        Variable("ratings", "case", text, "Reading case code (one patient at one time point)"),
        Variable("ratings", "patient", text, "Pseudonymous patient code"),
        Variable("ratings", "timepoint", "categorical", "Time point", tp_values, measure="ordinal"),
        Variable("ratings", "rater", text, "Rater code"),
        Variable("ratings", "group", "categorical", "Rater group", group_values),
        Variable("ratings", "read", "integer", "Read number (1 = first read, 2 = re-read after washout)"),
        Variable("ratings", "source", text, "How the rating was obtained: workstation, import (paper/legacy "
                                            "CSV), demo (simulated) or api"),
    ]
    for item in rubric.items:
        anchors = {lv.value: lv.anchor for lv in item.levels}
        out.append(Variable("ratings", item.key, "ordinal", f"RUSH item: {item.label}", anchors, "points"))
    for component in rubric.components:
        out.append(Variable("ratings", component.key, "integer", f"RUSH subtotal: {component.label}",
                            units="points"))
    out += [
        Variable("ratings", TOTAL, "integer", f"RUSH total ({rubric.min_total}-{rubric.max_total})", units="points"),
        Variable("ratings", "healing_status", "categorical", f"Healing status (total below {cutoff:g} = slow)", healing),
        Variable("ratings", "unreadable", "categorical", "Rater marked the images unreadable (no scores)",
                 {0: "scored", 1: "unreadable"}),
        Variable("ratings", "unreadable_reason", text, "Reason given for unreadable images"),
        Variable("ratings", "started_at", "datetime", "When the case was opened (UTC)"),
        Variable("ratings", "submitted_at", "datetime", "When the rating was submitted (UTC)"),
        Variable("ratings", "active_seconds", "number", "Active reading time on the case", units="seconds"),
        Variable("ratings", "version", "integer", "Version of the rating (a correction is a new version)"),
        Variable("ratings", "current", "categorical", "Newest version of this read (the one analysed)",
                 {0: "superseded", 1: "current"}),
    ]
    out += [
        Variable("wide", "case", text, "Reading case code"),
        Variable("wide", "patient", text, "Pseudonymous patient code"),
        Variable("wide", "timepoint", "categorical", "Time point", tp_values, measure="ordinal"),
    ]
    labels = {TOTAL: "RUSH total", **{c.key: c.label for c in rubric.components},
              **{it.key: it.label for it in rubric.items}}
    anchors = {it.key: {lv.value: lv.anchor for lv in it.levels} for it in rubric.items}
    for score in [TOTAL, *subtotals, *items]:
        for code in rater_codes:
            out.append(Variable("wide", f"{score}_{code}", "ordinal" if score in anchors else "integer",
                                f"{labels[score]}, rater {code} (current first read)", anchors.get(score, {}),
                                units="points"))
    out += [
        Variable("consensus", "case", text, "Reading case code"),
        Variable("consensus", "patient", text, "Pseudonymous patient code"),
        Variable("consensus", "timepoint", "categorical", "Time point", tp_values, measure="ordinal"),
        Variable("consensus", "scope", text, "Whose consensus: all raters or a rater group"),
        Variable("consensus", "method", text, "mean, median, adjudicated (one person) or panel (a meeting)"),
        Variable("consensus", "version", "integer", "Version of the consensus record"),
        Variable("consensus", "total", "number", "Consensus RUSH total", units="points"),
        Variable("consensus", "slow_healing", "categorical", "Consensus healing status", healing),
        Variable("consensus", "decided_by", text, "Who decided"),
        Variable("consensus", "decided_at", "datetime", "When (UTC)"),
        Variable("consensus", "note", text, "Note recorded with the decision"),
        Variable("consensus", "current", "categorical", "Latest version for the case and scope",
                 {0: "superseded", 1: "current"}),
    ]
    out += [Variable("icc", name, kind, label) for name, (kind, label) in ICC_VARIABLES.items()]
    return out


#: The ICC table's columns (services.agreement / stats.agreement_table), for the codebook.
ICC_VARIABLES = {
    "timepoint": ("text", "Time point key"),
    "group": ("text", "Rater set: all raters or one rater group"),
    "score": ("text", "Score analysed: total, a component subtotal or an item"),
    "form": ("text", "ICC form (Shrout & Fleiss)"),
    "model": ("text", "McGraw & Wong model: one-way or two-way, random or mixed"),
    "type": ("text", "McGraw & Wong type: absolute agreement or consistency"),
    "unit": ("text", "Single rater or average of the raters"),
    "icc": ("number", "ICC, complete cases (cases scored by every rater of the cell)"),
    "ci_low": ("number", "Lower confidence limit (F distribution)"),
    "ci_high": ("number", "Upper confidence limit (F distribution)"),
    "f": ("number", "F statistic against ICC = 0"),
    "df1": ("number", "Numerator degrees of freedom"),
    "df2": ("number", "Denominator degrees of freedom"),
    "p": ("number", "p value of the F test"),
    "n_targets": ("integer", "Cases in the complete-case ICC"),
    "n_raters": ("integer", "Raters in the cell with ratings"),
    "excluded_targets": ("integer", "Cases dropped from the complete-case ICC (not scored by every rater)"),
    "icc_all_available": ("number", "ICC from every available rating (REML, as R psych::ICC lmer = TRUE); "
                                    "only where cases were dropped"),
    "ci_low_all_available": ("number", "Lower confidence limit of the all-available ICC (psych's approximation)"),
    "ci_high_all_available": ("number", "Upper confidence limit of the all-available ICC (psych's approximation)"),
    "n_targets_all_available": ("integer", "Cases with at least one rating in the all-available ICC"),
    "n_ratings_all_available": ("integer", "Ratings in the all-available ICC"),
    "note": ("text", "Why a value is missing, raters absent, cases dropped"),
}


# --- labelled files (SPSS / Stata) ---------------------------------------------------------------


def _coded(frame: pd.DataFrame, tables: ExportTables) -> pd.DataFrame:
    """Time point and group as numeric codes (labels carry the names): Stata labels only numbers."""
    out = frame.copy()
    if "timepoint" in out:
        out["timepoint"] = out["timepoint"].map({tp: i + 1 for i, tp in enumerate(tables.timepoints)}).astype(float)
    if "group" in out:
        out["group"] = out["group"].map({g: i + 1 for i, g in enumerate(tables.groups)}).astype(float)
    return out


def _stata_name(name: str, *, labelled: bool = False) -> str:
    """Stata: letters, digits and _, not starting with a digit, at most 32 characters; 28 for a
    variable with value labels, as readstat names its label set variable + column number (at most
    32 characters too) before _name_value_label_sets renames it after the variable."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not clean or clean[0].isdigit():
        clean = "v" + clean
    return clean[:28 if labelled else 32]


def _integer_format(values: pd.Series) -> str:
    """SPSS print format wide enough for the column's largest integer (F1.0 for a RUSH item)."""
    finite = pd.to_numeric(values, errors="coerce").dropna().abs()
    digits = len(str(int(finite.max()))) if len(finite) else 1
    return f"F{digits + int((pd.to_numeric(values, errors='coerce') < 0).any())}.0"


def _datetimes(values: pd.Series) -> pd.Series:
    """ISO 8601 UTC text (as in the CSV) -> naive UTC datetimes: SPSS DATETIME / Stata %tc."""
    stamps = pd.to_datetime(values.replace("", None), utc=True, format="mixed")
    return stamps.dt.tz_localize(None)


def _labelled_frame(frame: pd.DataFrame, table: str, tables: ExportTables) -> pd.DataFrame:
    """Coded categories, datetimes as datetimes, integers as small integers where none is missing."""
    variables = tables.variables(table)
    data = _coded(frame, tables)
    for column in data.columns:
        kind = variables[column].type if column in variables else ""
        if kind == "datetime":
            data[column] = _datetimes(data[column])
        elif kind in ("integer", "ordinal", "categorical") and pd.api.types.is_numeric_dtype(data[column]):
            if data[column].isna().any():
                data[column] = data[column].astype(float)  # missing stays missing (SPSS sysmis, Stata .)
            else:
                data[column] = data[column].astype(np.int32)
        elif isinstance(data[column].dtype, pd.Int64Dtype):
            data[column] = data[column].astype(float)
    return data


def _write_labelled(frame: pd.DataFrame, table: str, tables: ExportTables, path: Path, kind: str) -> None:
    variables = tables.variables(table)
    data = _labelled_frame(frame, table, tables)
    labels = {c: variables[c].label for c in data.columns}
    # text-level clinical variables keep their labels in the codebook only: SPSS/Stata label numbers
    value_labels = {c: {int(k): v for k, v in variables[c].values.items()}
                    for c in data.columns if variables[c].values and variables[c].type != "text"}
    if kind == "sav":
        import pyreadstat

        formats = {c: _integer_format(data[c]) for c in data.columns
                   if variables[c].type in ("integer", "ordinal", "categorical")}
        formats.update({c: "DATETIME23.2" for c in data.columns if variables[c].type == "datetime"})
        pyreadstat.write_sav(
            data, str(path), column_labels=[labels[c] for c in data.columns],
            # pyreadstat wants label keys of the column's own type (int for int columns)
            variable_value_labels={c: {(float(k) if data[c].dtype.kind == "f" else k): v for k, v in vl.items()}
                                   for c, vl in value_labels.items()},
            variable_measure={c: variables[c].measure for c in data.columns},
            variable_format=formats,
            file_label=f"RUSH Rater {__version__}: {tables.study} ({table})"[:64],
        )
        return
    import pyreadstat

    names = {c: _stata_name(c, labelled=bool(variables[c].values) and variables[c].type != "text") for c in data.columns}
    if len(set(names.values())) != len(names):
        raise ValidationError(f"two variables of the {table} table have the same Stata name",
                              fix="give the rubric items shorter, distinct keys")
    data = data.rename(columns=names)
    # version 14 = release 118, which Stata 14 and later open (15 would be release 119, a format for
    # more than 32,767 variables that only Stata 15 MP reads). Labels are at most 80 characters.
    pyreadstat.write_dta(
        data, str(path), file_label=f"RUSH Rater: {tables.study}"[:80],
        column_labels=[labels[c][:80] for c in frame.columns],
        variable_value_labels={names[c]: {(float(k) if data[names[c]].dtype.kind == "f" else k): v
                                          for k, v in vl.items()} for c, vl in value_labels.items()},
        variable_format={names[c]: "%tc" for c in frame.columns if variables[c].type == "datetime"},
        version=14,
    )
    _name_value_label_sets(path)


def _name_value_label_sets(path: Path) -> None:
    """Name each value-label set of a release-118 .dta after its variable.

    pyreadstat (readstat) names them ``timepoint0``, ``group1`` ... (variable + column number),
    which is what a Stata user then sees in ``label list``; pandas' writer names them well but
    renames variables it takes for reserved words (``case`` -> ``_case``). The names are fixed
    129-byte fields (dta 118 format: <varnames>, <value_label_names> and each <lbl>), so renaming
    rewrites bytes in place and moves no offset.
    """
    raw = bytearray(path.read_bytes())
    width = 129

    def fields(tag: bytes) -> tuple[int, list[str]]:
        start = raw.index(b"<" + tag + b">") + len(tag) + 2
        end = raw.index(b"</" + tag + b">", start)
        chunk = raw[start:end]
        return start, [chunk[i:i + width].split(b"\0", 1)[0].decode("utf-8") for i in range(0, len(chunk), width)]

    _start, varnames = fields(b"varnames")
    label_start, label_names = fields(b"value_label_names")
    renamed = {old: var for var, old in zip(varnames, label_names) if old and old != var}
    if not renamed:
        return
    for i, (var, old) in enumerate(zip(varnames, label_names)):
        if old in renamed:
            raw[label_start + i * width: label_start + (i + 1) * width] = var.encode("utf-8").ljust(width, b"\0")
    position = raw.index(b"<value_labels>")
    while (position := raw.find(b"<lbl>", position)) != -1:
        name_at = position + len(b"<lbl>") + 4  # after the table's 4-byte length
        old = raw[name_at:name_at + width].split(b"\0", 1)[0].decode("utf-8")
        if old in renamed:
            raw[name_at:name_at + width] = renamed[old].encode("utf-8").ljust(width, b"\0")
        position = name_at + width
    path.write_bytes(bytes(raw))


# --- scripts ------------------------------------------------------------------------------------


def _cells(tables: ExportTables) -> list[tuple[str, str, list[str]]]:
    """(time point, rater group or "all", raters with a scored first read there) of every ICC table
    cell, in report order: an enrolled rater without ratings would only add an empty column."""
    codes = list(tables.raters)
    wide = tables.wide_scores
    cells = []
    for tp in tables.timepoints:
        at = wide[wide["timepoint"] == tp]
        rated = [c for c in codes if at[f"{TOTAL}_{c}"].notna().any()]
        cells.append((tp, ALL, rated))
        for g in tables.groups:
            cells.append((tp, g, [c for c in rated if tables.raters[c] == g]))
    return cells


R_SCRIPT = r'''# Reproduces the RUSH Rater ICC table of "{title}" with psych::ICC.
# Generated by RUSH Rater {version}. Run from this folder: Rscript analysis.R
# Data: ratings_long.csv (every rating version; only current first reads that were scored enter the
# ICC), codebook.csv. Each cell (time point x rater group x score) is a complete-case analysis, as in
# RUSH Rater: cases missing any of the cell's raters are left out. lmer = FALSE gives the ANOVA
# estimates with F-based confidence intervals (Shrout & Fleiss 1979).
suppressMessages(library(psych))
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args) >= 1) args[1] else "icc_table_R.csv"
long <- read.csv("ratings_long.csv", stringsAsFactors = FALSE)
ratings <- long[long$current == 1 & long$read == 1 & long$unreadable == 0, ]
timepoints <- c({timepoints})
groups <- c({groups})
scores <- c({scores})
forms <- c(Single_raters_absolute = "ICC(1,1)", Single_random_raters = "ICC(2,1)",
           Single_fixed_raters = "ICC(3,1)", Average_raters_absolute = "ICC(1,k)",
           Average_random_raters = "ICC(2,k)", Average_fixed_raters = "ICC(3,k)")
rows <- list()
for (tp in timepoints) {{
  for (g in c("all", groups)) {{
    cell <- ratings[ratings$timepoint == tp, ]
    if (g != "all") cell <- cell[cell$group == g, ]
    if (length(unique(cell$rater)) < 2) next
    for (s in scores) {{
      wide <- reshape(cell[, c("patient", "rater", s)], idvar = "patient", timevar = "rater",
                      direction = "wide")
      x <- wide[, -1, drop = FALSE]
      x <- x[, colSums(!is.na(x)) > 0, drop = FALSE]
      x <- x[complete.cases(x), , drop = FALSE]
      if (nrow(x) < 2 || ncol(x) < 2) next
      res <- tryCatch(psych::ICC(x, lmer = FALSE)$results, error = function(e) NULL)
      if (is.null(res)) next
      rows[[length(rows) + 1]] <- data.frame(
        timepoint = tp, group = g, score = s, form = forms[rownames(res)],
        icc = res$ICC, ci_low = res[["lower bound"]], ci_high = res[["upper bound"]],
        f = res$F, df1 = res$df1, df2 = res$df2, p = res$p, n_targets = nrow(x), n_raters = ncol(x),
        row.names = NULL)
    }}
  }}
}}
table <- do.call(rbind, rows)
write.csv(table, out_file, row.names = FALSE)
main <- table[table$score == "total" & table$form == "ICC(2,1)", ]
cat("ICC(2,1) of the RUSH total (two-way random, absolute agreement, single rater):\n")
print(data.frame(timepoint = main$timepoint, group = main$group, ICC = round(main$icc, 3),
                 CI = sprintf("%.3f-%.3f", main$ci_low, main$ci_high)), row.names = FALSE)
'''


def _r_script(tables: ExportTables) -> str:
    def quoted(values):
        return ", ".join(f'"{v}"' for v in values)

    return R_SCRIPT.format(title=tables.study.replace('"', "'"), version=__version__,
                           timepoints=quoted(tables.timepoints), groups=quoted(tables.groups),
                           scores=quoted(tables.scores))


def _wrap(words: list[str], indent: str = "    ", width: int = 90) -> str:
    lines, line = [], indent
    for word in words:
        if len(line) + len(word) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += word + " "
    lines.append(line.rstrip())
    return "\n".join(lines)


def _spss_syntax(tables: ExportTables) -> str:
    out = [
        f"* Reproduces the RUSH Rater ICC table of the study {tables.study!r} with SPSS RELIABILITY.",
        f"* Generated by RUSH Rater {__version__}.",
        "* The data files are named relative to this folder, so the folder can be moved or copied anywhere.",
        "* Run it so that this folder is the working directory, either:",
        "*   from any syntax window: INSERT FILE='/path/to/this/folder/analysis.sps' CD=YES.",
        "*   (CD=YES makes the folder of the inserted file the working directory), or",
        "*   from a terminal in this folder: pspp analysis.sps (PSPP) / stats analysis.sps (SPSS).",
        "* ratings_wide.sav: one row per case, one column per score and rater (current first reads).",
        "* Raters without a scored first read at a time point are left out of its blocks, as in R and Stata.",
        "* RELIABILITY drops cases missing any listed rater (complete-case), as RUSH Rater does.",
        "* MODEL(RANDOM) TYPE(ABSOLUTE) is ICC(2,1)/ICC(2,k); MODEL(MIXED) TYPE(CONSISTENCY) gives ICC(3,.).",
        "GET FILE='ratings_wide.sav'.",
        "DATASET NAME wide.",
    ]
    for tp, group, codes in _cells(tables):
        if len(codes) < 2:
            continue
        code = tables.timepoints.index(tp) + 1
        for score in tables.scores:
            names = [f"{score}_{c}" for c in codes]
            out += [
                "",
                "TITLE '{}'.".format(f"{tp} - {group} - {score}".replace("'", "''")),
                "TEMPORARY.",
                f"SELECT IF (timepoint = {code}).",
                "RELIABILITY",
                "  /VARIABLES=",
                _wrap(names),
                "  /SCALE('{}') ALL".format(f"{score} {tp} {group}".replace("'", "''")[:60]),
                "  /MODEL=ALPHA",
                "  /ICC=MODEL(RANDOM) TYPE(ABSOLUTE) CIN=95 TESTVAL=0.",
            ]
    return "\n".join(out) + "\n"


def _stata_do(tables: ExportTables) -> str:
    out = [
        f"* Reproduces the RUSH Rater ICC table of '{tables.study}' with Stata's icc.",
        f"* Generated by RUSH Rater {__version__}.",
        "* The data files are named relative to this folder, so the folder can be moved or copied anywhere.",
        "* Run it with this folder as the working directory: double-click analysis.do (Stata starts in",
        "* its folder), or in Stata: cd \"/path/to/this/folder\" then do analysis.do",
        "* ratings_long.dta: every rating version; the ICC uses current, scored first reads.",
        "* icc needs complete data for two-way models: each cell keeps the cases read by all of its raters,",
        "* as RUSH Rater does. icc y target rater, absolute = ICC(2,.); add mixed consistency for ICC(3,.).",
        "version 14",
        "use ratings_long.dta, clear",
        "keep if current == 1 & read == 1 & unreadable == 0",
        "encode patient, generate(patient_id)",
        "encode rater, generate(rater_id)",
        "tempfile base",
        "save `base'",
    ]
    for tp, group, codes in _cells(tables):
        if len(codes) < 2:
            continue
        tp_code = tables.timepoints.index(tp) + 1
        condition = f"timepoint == {tp_code}"
        if group != ALL:
            condition += f" & group == {tables.groups.index(group) + 1}"
        for score in tables.scores:
            name = _stata_name(score, labelled=score in tables.items)  # as the .dta names it
            out += [
                "",
                'display as text "{}"'.format(f"{tp} - {group} - {score}".replace('"', "'")),
                "use `base', clear",
                f"keep if {condition} & !missing({name})",
                "bysort patient_id: generate _n_raters = _N",
                "quietly levelsof rater_id, local(_raters)",
                "keep if _n_raters == `: word count `_raters''",
                f"icc {name} patient_id rater_id, absolute",
                f"icc {name} patient_id rater_id, mixed consistency",
            ]
    return "\n".join(out) + "\n"


# --- writing ------------------------------------------------------------------------------------


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


#: One data file of an export: (file name, codebook table, frame, kind: csv | sav | dta | sheet).
DataFile = tuple[str, str, pd.DataFrame, str]


def _sheet_frames(tables: ExportTables) -> list[DataFile]:
    return [
        ("ratings", "ratings", tables.long, "sheet"),
        ("wide", "wide", tables.wide_scores, "sheet"),
        ("consensus", "consensus", tables.consensus, "sheet"),
        ("icc", "icc", tables.icc, "sheet"),
        *([("patients", "patients", tables.patients, "sheet")] if tables.patients is not None else []),
    ]


def _write_xlsx(tables: ExportTables, path: Path) -> None:
    sheets = _sheet_frames(tables)
    frames = {name: frame for name, _table, frame, _kind in sheets}
    frames["codebook"] = tables.codebook_frame(sheets).rename(columns={"file": "sheet"})
    # Built in memory, then written in one go: a zip writer that fails on a full disk would
    # otherwise print a second traceback when it is collected at exit.
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
        book = writer.book
        for sheet in book.worksheets:  # widths from the first rows: enough to read, cheap on big sheets
            for column in sheet.iter_cols(max_row=min(sheet.max_row, 200)):
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    path.write_bytes(buffer.getvalue())


def _write(data_file: DataFile, tables: ExportTables) -> Callable[[Path], None]:
    _name, table, frame, kind = data_file
    if kind == "csv":
        return lambda p: _csv(frame, p)
    if kind == "rcsv":  # what the R scripts read: every digit, NA for missing (as outcome_r writes it)
        return lambda p: frame.to_csv(p, index=False, na_rep="NA", float_format="%.17g", lineterminator="\n")
    return lambda p: _write_labelled(frame, table, tables, p, kind)


def _data_files(fmt: str, tables: ExportTables, stem: str) -> list[DataFile]:
    """The data files of one format (single-file formats: the main file is ``stem`` + suffix)."""
    patients = tables.patients
    if fmt == "csv":
        files = [(f"{stem}.csv", "ratings", tables.long, "csv"), (f"{stem}_consensus.csv", "consensus", tables.consensus, "csv")]
        extra = f"{stem}_patients.csv"
    elif fmt == "csv-wide":
        files, extra = [(f"{stem}.csv", "wide", tables.wide, "csv")], f"{stem}_patients.csv"
    elif fmt in ("sav", "dta"):
        files = [(f"{stem}.{fmt}", "ratings", tables.long, fmt),
                 (f"{stem}_consensus.{fmt}", "consensus", tables.consensus, fmt)]
        extra = f"{stem}_patients.{fmt}"
    elif fmt == "r":
        files = [("ratings_long.csv", "ratings", tables.long, "csv"), ("ratings_wide.csv", "wide", tables.wide_scores, "csv"),
                 ("consensus.csv", "consensus", tables.consensus, "csv"), ("icc_table.csv", "icc", tables.icc, "csv")]
        extra = "patients.csv"
    elif fmt == "spss":
        files = [("ratings_long.sav", "ratings", tables.long, "sav"), ("ratings_wide.sav", "wide", tables.wide_scores, "sav"),
                 ("consensus.sav", "consensus", tables.consensus, "sav"), ("icc_table.csv", "icc", tables.icc, "csv")]
        extra = "patients.sav"
    elif fmt == "stata":
        files = [("ratings_long.dta", "ratings", tables.long, "dta"), ("consensus.dta", "consensus", tables.consensus, "dta"),
                 ("icc_table.csv", "icc", tables.icc, "csv")]
        extra = "patients.dta"
    else:
        raise ValidationError(f"unknown export format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    if patients is not None:
        files.append((extra, "patients", patients, {"sav": "sav", "dta": "dta", "spss": "sav", "stata": "dta"}.get(fmt, "csv")))
    return files + list(tables.analysis_files)


def codebook_name(fmt: str, stem: str) -> str:
    """The codebook's file name: one per export, so exports sharing a stem can share a folder
    (the csv and csv-wide main files are both STEM.csv, so they share a codebook name too)."""
    if fmt in FOLDER_FORMATS:
        return "codebook.csv"
    return f"{stem}_codebook.csv" if fmt in ("csv", "csv-wide") else f"{stem}_{fmt}_codebook.csv"


def _files(fmt: str, tables: ExportTables, stem: str) -> dict[str, Callable[[Path], None]]:
    """Relative file name -> writer, for one format: its data files, the codebook of exactly those
    files and (folder formats) the analysis script."""
    if fmt == "xlsx":
        return {f"{stem}.xlsx": lambda p: _write_xlsx(tables, p)}
    data_files = _data_files(fmt, tables, stem)
    files = {f[0]: _write(f, tables) for f in data_files}
    codebook = tables.codebook_frame(data_files)
    files[codebook_name(fmt, stem)] = lambda p: _csv(codebook, p)
    script = {"r": ("analysis.R", _r_script), "spss": ("analysis.sps", _spss_syntax),
              "stata": ("analysis.do", _stata_do)}.get(fmt)
    if script is not None:
        name, make = script
        files[name] = lambda p: p.write_text(make(tables), encoding="utf-8")
    for name, text in tables.analysis_scripts.items():
        files[name] = lambda p, text=text: p.write_text(text, encoding="utf-8")
    return files


def check_output(out: Path, force: bool, *, what: str = "export") -> Path:
    """Refuse an existing path (unless ``force``) and a folder we cannot write into, before any work."""
    out = Path(out).expanduser()
    parent = out.parent if str(out.parent) else Path(".")
    try:
        exists = out.exists()
        parent_ok = parent.is_dir()
    except OSError as exc:  # a folder on the way we may not enter
        raise ExportError(f"cannot reach the folder {parent}: {exc.strerror}", where=str(out),
                          fix="choose a folder you can write to") from exc
    if exists and not force:
        raise ExportError("it already exists; nothing was written", where=str(out),
                          fix=f"choose another path, or add --force to replace it with the new {what}")
    if out.is_dir() and what != "folder":
        raise ExportError("it is a folder; this export is a file", where=str(out), fix="give a file path")
    if not parent_ok:
        raise ExportError(f"the folder {parent} does not exist", where=str(out), fix="create it first, or choose another")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"the folder {parent} is not writable", where=str(out),
                          fix="choose a folder you can write to")
    return out


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _replace(tmp: Path, final: Path) -> None:
    """Move a finished temporary file or folder into place (replacing what --force allows)."""
    if final.is_dir() and not final.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
        os.replace(final, old / final.name)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)


def atomic_write(outputs: dict[Path, Callable[[Path], None]], force: bool) -> list[Path]:
    """Write every output to a temporary name beside it, then rename them all into place.

    If any writer fails, every temporary file is removed and nothing at the final paths changes.
    """
    for final in outputs:
        check_output(final, force)
    pending: list[tuple[Path, Path]] = []
    try:
        for final, write in outputs.items():
            handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
            os.close(handle)
            tmp = Path(name)
            pending.append((tmp, final))
            write(tmp)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the user's usual mode
        for tmp, final in pending:
            _replace(tmp, final)
    except (OSError, *library_write_errors()) as exc:
        raise ExportError(f"{describe_write_failure(exc, list(outputs))}; nothing was written",
                          fix="check the folder's free space and permissions") from exc
    finally:
        for tmp, _final in pending:
            if tmp.exists():
                tmp.unlink()
    return [final for _tmp, final in pending]


def export_study(study: Study, fmt: str, out: str | Path, *, force: bool = False, outcome=None, risk=None,
                 notes: list[str] | None = None) -> list[Path]:
    """Write the export ``fmt`` to ``out``; return the paths written (files, or the folder).

    The R export adds the outcome analysis (``outcome``: an OutcomeRequest, default choices when
    None) and, with ``risk`` (a RiskRequest), the risk model; what it leaves out and why is
    appended to ``notes``."""
    if fmt not in FORMATS:
        raise ValidationError(f"unknown export format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    out = Path(out).expanduser()
    if fmt in FOLDER_FORMATS:
        check_output(out, force, what="folder")
        tables = export_tables(study)
        if fmt == "r":
            add_outcome_analysis(study, tables, outcome, risk)
            if notes is not None:
                notes.extend(tables.notes)
        files = _files(fmt, tables, "")
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
        except OSError as exc:
            raise ExportError(f"cannot write in {out.parent}: {exc.strerror}", where=str(out),
                              fix="choose a folder you can write to") from exc
        try:
            for name, write in files.items():
                write(staging / name)
            os.chmod(staging, 0o777 & ~_umask())
            _replace(staging, out)
        except (OSError, *library_write_errors()) as exc:
            raise ExportError(f"{describe_write_failure(exc, [out])}; nothing was written", where=str(out),
                              fix="check the folder's free space and permissions") from exc
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return [out]
    suffix = SUFFIX[fmt]
    stem = out.name[: -len(suffix)] if out.name.lower().endswith(suffix) else out.name
    check_output(out.with_name(stem + suffix), force)
    tables = export_tables(study, with_icc=fmt == "xlsx")
    files = _files(fmt, tables, stem)
    return atomic_write({out.parent / name: write for name, write in files.items()}, force)
