"""The analysis dataset: the study's ratings, wide layout, consensus, ICC table and per-patient
table as tidy, labelled DataFrames (:class:`ExportTables`), with the codebook of every column.

Every export format writes these same tables (see :mod:`.formats`); nothing here knows a file format
except :func:`stata_name`, the name a Stata file gives a column, which the codebook lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...storage import queries
from ..agreement import TOTAL
from ..study import Study
from .output import ExportError

#: Healing status codes (total below the study's slow-healing cut-off).
HEALED, SLOW = 0, 1


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
                    "variable": (stata_name(v.name, labelled=bool(v.values) and v.type != "text") if kind == "dta"
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
    from ..bodycomp import bodycomp_table
    from ..clinical import clinical_table
    from ..clinical import codebook as clinical_codebook
    from ..followup import events_table

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
    from ..outcome_r import outcome_data, r_script
    from ..outcomes import OutcomeRequest, analysis_table, outcomes_missing
    from ..riskmodel_r import riskmodel_files

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
    from ..bodycomp import INDICES as BODY_INDICES
    from ..clinical import codebook as clinical_codebook
    from ..outcomes import DELTA, GROUP

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
    from ..agreement import agreement_report

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
    "icc_all_available": ("number", ("ICC from every available rating (REML, as R psych::ICC lmer = TRUE); "
                                     "only where cases were dropped")),
    "ci_low_all_available": ("number", "Lower confidence limit of the all-available ICC (psych's approximation)"),
    "ci_high_all_available": ("number", "Upper confidence limit of the all-available ICC (psych's approximation)"),
    "n_targets_all_available": ("integer", "Cases with at least one rating in the all-available ICC"),
    "n_ratings_all_available": ("integer", "Ratings in the all-available ICC"),
    "note": ("text", "Why a value is missing, raters absent, cases dropped"),
}


def stata_name(name: str, *, labelled: bool = False) -> str:
    """Stata: letters, digits and _, not starting with a digit, at most 32 characters; 28 for a
    variable with value labels, as readstat names its label set variable + column number (at most
    32 characters too) before _name_value_label_sets renames it after the variable."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not clean or clean[0].isdigit():
        clean = "v" + clean
    return clean[:28 if labelled else 32]

