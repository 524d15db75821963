"""Clinical data in the study: a codebook and per-patient covariates from a hospital's sheet.

``import_clinical(study, sheet, key_file=…, id_column=…)`` (or ``code_column=…``) reads a CSV of
per-patient covariates as hospitals keep them (one row per patient). Rows keyed by a hospital
identifier are mapped to patient codes through the key file and the identifier column is dropped:
no identifier enters the study, and the blinding check runs on the uncommitted transaction (every
text column of every table, so the clinical tables too) before anything is committed.

The codebook (``--codebook CODEBOOK.csv``, columns ``variable,label,type,unit,min,max,levels``
with ``levels`` written ``0=No;1=Yes``) gives each variable's label, type (continuous, binary,
categorical), levels with value labels, unit and allowed range. Without one the types are
inferred and *nothing is stored*: the inference is returned (the CLI prints it) so the user can
confirm it (``accept_inferred=True``, ``--accept-inferred``) or write it to a file
(``write_codebook``, ``--write-codebook``), edit it and pass it back with ``--codebook``. We chose
"confirm or edit" over silently storing guesses because a wrong type (ASA grade read as
continuous) changes every analysis downstream.

Both tables are append-only with versions (triggers in revision 0012): re-importing a corrected
sheet writes a new version of each value that changed, returns the list of changes and records
them in the audit trail. Bad input (identifier not in the key file, code not in the study, value
outside the levels or range, non-numeric continuous value, a patient twice) is reported with its
line, all at once, and nothing is stored.
"""

from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..domain.codes import random_code
from ..domain.errors import InputFileError, RowProblem, ValidationError
from ..storage import models, queries
from . import audit
from .blinding import BlindingError, PendingKeyFile, check_key_file_path, hits_message, read_key_file, scan
from .csv_input import read_csv_table
from .study import Study
from .unit_of_work import unit_of_work

KINDS = ("continuous", "binary", "categorical")
CODEBOOK_COLUMNS = ("variable", "label", "type", "unit", "min", "max", "levels")
#: written for an empty cell by the usual tools (SPSS "." system-missing, R "NA")
MISSING_TOKENS = {"", "na", "n/a", ".", "nan", "missing"}
#: a text column with more distinct values than this is free text (which may identify a patient)
MAX_INFERRED_LEVELS = 12
#: a column of integers with at most this many distinct values is inferred as categorical (ASA, grade)
MAX_INTEGER_LEVELS = 6


@dataclass
class Variable:
    name: str
    label: str
    kind: str
    unit: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    levels: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    source: str = "codebook"

    def levels_text(self) -> str:
        return ";".join(f"{v}={lab}" for v, lab in self.levels)

    def describe(self) -> str:
        if self.kind == "continuous":
            unit = f" {self.unit}" if self.unit else ""
            bounds = "" if self.min_value is None and self.max_value is None else (
                f", allowed {'' if self.min_value is None else f'{self.min_value:g}'}–"
                f"{'' if self.max_value is None else f'{self.max_value:g}'}")
            return f"{self.name}: continuous{unit}{bounds}"
        return f"{self.name}: {self.kind} ({self.levels_text()})"

    def same_as(self, row: models.ClinicalVariable) -> bool:
        return (self.label, self.kind, self.unit, self.min_value, self.max_value, self._levels_json()) == (
            row.label, row.kind, row.unit, row.min_value, row.max_value, row.levels or None)

    def _levels_json(self) -> list | None:
        return [{"value": v, "label": lab} for v, lab in self.levels] or None

    @classmethod
    def from_row(cls, row: models.ClinicalVariable) -> Variable:
        return cls(row.name, row.label, row.kind, row.unit, row.min_value, row.max_value,
                   [(lv["value"], lv["label"]) for lv in row.levels or []], row.source)

    def parse(self, text: str) -> tuple[str | None, float | None, str | None]:
        """(canonical value, number, problem) for one cell."""
        text = text.strip()
        if text.lower() in MISSING_TOKENS:
            return None, None, None
        if self.kind == "continuous":
            number: float | None
            try:
                number = float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
            except ValueError:
                return None, None, f"{self.name} {text!r} is not a number"
            if not math.isfinite(number):
                return None, None, f"{self.name} {text!r} is not a number"
            assert number is not None
            if (self.min_value is not None and number < self.min_value) or (self.max_value is not None and number > self.max_value):
                return None, None, (f"{self.name} {text} is outside the allowed range "
                                    f"{'' if self.min_value is None else f'{self.min_value:g}'}–{'' if self.max_value is None else f'{self.max_value:g}'}")
            return f"{number:.15g}", number, None
        for value, label in self.levels:
            if text.lower() in (value.lower(), label.lower()) or _same_number(text, value):
                number = _number_or_none(value)
                return value, number, None
        return None, None, f"{self.name} {text!r} is not one of its levels ({self.levels_text()})"


def _number_or_none(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _same_number(a: str, b: str) -> bool:
    x, y = _number_or_none(a), _number_or_none(b)
    return x is not None and y is not None and x == y


def normalise_name(text: str) -> str:
    return "_".join(text.strip().lower().split())


# --- the codebook --------------------------------------------------------------------------


def read_codebook(path: str | Path) -> dict[str, Variable]:
    """A codebook CSV, checked line by line (all problems at once)."""
    path = Path(path)
    header, rows = read_csv_table(path)
    names = [normalise_name(h) for h in header]
    missing = [c for c in ("variable", "type") if c not in names]
    if missing:
        raise InputFileError(str(path), [RowProblem(1, "missing column(s): " + ", ".join(missing))],
                             fix="the header must be: " + ",".join(CODEBOOK_COLUMNS))
    out: dict[str, Variable] = {}
    problems: list[RowProblem] = []
    for line, values in rows:
        cell = dict(zip(names, values))
        name = normalise_name(cell.get("variable", ""))
        kind = cell.get("type", "").strip().lower()
        if not name:
            problems.append(RowProblem(line, "no variable name"))
            continue
        if name in out:
            problems.append(RowProblem(line, f"variable {name} is described twice"))
            continue
        if kind not in KINDS:
            problems.append(RowProblem(line, f"type {kind!r} of {name} is not one of {', '.join(KINDS)}"))
            continue
        bounds = []
        for key in ("min", "max"):
            text = cell.get(key, "").strip()
            bound = _number_or_none(text) if text else None
            if text and bound is None:
                problems.append(RowProblem(line, f"{key} {text!r} of {name} is not a number"))
            bounds.append(bound)
        levels: list[tuple[str, str]] = []
        for part in filter(None, (p.strip() for p in cell.get("levels", "").split(";"))):
            value, _, label = part.partition("=")
            levels.append((value.strip(), (label or value).strip()))
        if kind == "binary" and len(levels) != 2:
            problems.append(RowProblem(line, f"binary variable {name} needs exactly two levels (e.g. 0=No;1=Yes)"))
        if kind == "categorical" and len(levels) < 2:
            problems.append(RowProblem(line, f"categorical variable {name} needs its levels (e.g. 1=ASA I;2=ASA II;3=ASA III)"))
        if kind != "continuous" and len({v.lower() for v, _ in levels}) != len(levels):
            problems.append(RowProblem(line, f"variable {name} has a level twice"))
        if None not in bounds and bounds[0] > bounds[1]:  # type: ignore[operator]
            problems.append(RowProblem(line, f"min is above max for {name}"))
        out[name] = Variable(name, cell.get("label", "").strip() or name, kind, cell.get("unit", "").strip() or None,
                             bounds[0], bounds[1], levels if kind != "continuous" else [])
    if problems:
        raise InputFileError(str(path), problems, fix="correct the codebook rows listed above")
    return out


def write_codebook(path: str | Path, variables: dict[str, Variable]) -> Path:
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CODEBOOK_COLUMNS)
        for v in variables.values():
            writer.writerow([v.name, v.label, v.kind, v.unit or "", "" if v.min_value is None else f"{v.min_value:g}",
                             "" if v.max_value is None else f"{v.max_value:g}", v.levels_text()])
    return path


def infer_variable(name: str, cells: list[str]) -> tuple[Variable | None, str | None]:
    """A guessed codebook entry for one column, or a reason it cannot be guessed."""
    present = [c.strip() for c in cells if c.strip().lower() not in MISSING_TOKENS]
    distinct = sorted(set(present), key=lambda s: (_number_or_none(s) is None, _number_or_none(s) or 0, s.lower()))
    if not present:
        return None, f"column {name} is empty: give it in the codebook or leave it out of the sheet"
    numbers = [_number_or_none(c) for c in present]
    if all(n is not None for n in numbers):
        values = sorted({float(n) for n in numbers if n is not None})
        if set(values) <= {0.0, 1.0} and len(values) == 2:
            return Variable(name, name, "binary", levels=[("0", "0"), ("1", "1")], source="inferred"), None
        if all(v.is_integer() for v in values) and len(values) <= MAX_INTEGER_LEVELS:
            return Variable(name, name, "categorical", levels=[(f"{v:g}", f"{v:g}") for v in values], source="inferred"), None
        return Variable(name, name, "continuous", source="inferred"), None
    by_lower: dict[str, str] = {}
    for c in distinct:
        by_lower.setdefault(c.lower(), c)
    if len(by_lower) > MAX_INFERRED_LEVELS:
        return None, (f"column {name} looks like free text ({len(by_lower)} different values), which may identify "
                      "patients: leave it out of the sheet, or give its levels in the codebook")
    kind = "binary" if len(by_lower) == 2 else "categorical"
    if len(by_lower) < 2:
        kind = "categorical"
    return Variable(name, name, kind, levels=[(c, c) for c in by_lower.values()], source="inferred"), None


# --- reading the sheet -----------------------------------------------------------------------


@dataclass
class Change:
    patient: str
    variable: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        return f"{self.patient} {self.variable}: {self.before if self.before is not None else 'missing'} → " \
               f"{self.after if self.after is not None else 'missing'}"


@dataclass
class ClinicalImport:
    """What an import did (or, with ``stored`` False, what it would do once the codebook is confirmed)."""

    sheet: str
    stored: bool
    variables: dict[str, Variable]
    inferred: bool
    patients: int = 0
    new_patients: list[str] = field(default_factory=list)
    values_added: int = 0
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    codebook_versions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "sheet": self.sheet, "stored": self.stored, "inferred": self.inferred, "patients": self.patients,
            "new_patients": len(self.new_patients), "values_added": self.values_added, "unchanged": self.unchanged,
            "changes": [c.__dict__ for c in self.changes], "codebook_versions": self.codebook_versions,
            "variables": [{"variable": v.name, "label": v.label, "type": v.kind, "unit": v.unit, "min": v.min_value,
                           "max": v.max_value, "levels": [{"value": a, "label": b} for a, b in v.levels],
                           "source": v.source} for v in self.variables.values()],
        }


def import_clinical(
    study: Study,
    sheet: str | Path,
    *,
    key_file: str | Path | None = None,
    id_column: str | None = None,
    code_column: str | None = None,
    codebook: str | Path | dict[str, Variable] | None = None,
    accept_inferred: bool = False,
    add_patients: bool = False,
    actor: str | None = None,
) -> ClinicalImport:
    """Import a clinical sheet: all rows or none (see the module docstring)."""
    if (id_column is None) == (code_column is None):
        raise ValidationError("give either --id-column (with --key-file) or --code-column",
                              fix="--key-file KEY --id-column MRN maps hospital identifiers; --code-column patient uses study codes")
    if id_column is not None and key_file is None:
        raise ValidationError("--id-column needs the key file that maps identifiers to patient codes", fix="add --key-file KEY")
    if add_patients and id_column is None:
        raise ValidationError("--add-patients needs --key-file and --id-column",
                              fix="new patients get a code in the key file; with --code-column every code must be in the study")
    actor = actor or audit.coordinator_actor()
    path = Path(sheet)
    header, rows = read_csv_table(path)
    names = [normalise_name(h) for h in header]
    key_col = normalise_name(id_column or code_column or "")
    problems: list[RowProblem] = []
    if key_col not in names:
        raise InputFileError(str(path), [RowProblem(1, f"no column {id_column or code_column!r} (the columns are: {', '.join(header)})")],
                             fix="give the name of the column that identifies the patient")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputFileError(str(path), [RowProblem(1, "column(s) given twice: " + ", ".join(dupes))], fix="rename or drop the duplicated columns")
    data_columns = [n for n in names if n != key_col]
    if not data_columns:
        raise InputFileError(str(path), [RowProblem(1, "no clinical columns besides the patient column")], fix="add the covariates")

    key_path = check_key_file_path(study.root, Path(key_file)) if key_file is not None else None
    key_rows = read_key_file(key_path) if key_path is not None else []
    if key_path is not None and id_column is not None and not key_path.is_file() and not add_patients:
        raise ValidationError("key file not found", where=str(key_path), fix="give the key file the image import wrote")

    # --- the codebook: given, or inferred (stored only when confirmed)
    inferred = codebook is None
    if isinstance(codebook, dict):
        variables = codebook
    elif codebook is not None:
        variables = read_codebook(codebook)
    else:
        variables = {}
        for column in data_columns:
            column_cells = [values[names.index(column)] if len(values) == len(names) else "" for _, values in rows]
            variable, problem = infer_variable(column, column_cells)
            if problem:
                problems.append(RowProblem(1, problem))
            elif variable is not None:
                variables[column] = variable
    if not inferred:
        unknown = [c for c in data_columns if c not in variables]
        if unknown:
            problems.append(RowProblem(1, "column(s) not in the codebook: " + ", ".join(unknown)
                                       + " (add them to the codebook, or drop them from the sheet)"))
    if problems:
        raise InputFileError(str(path), problems, fix="correct the columns listed above")
    result = ClinicalImport(sheet=str(path), stored=False, variables={c: variables[c] for c in data_columns}, inferred=inferred)
    if inferred and not accept_inferred:
        return result

    # --- rows -> patient codes and parsed values
    code_for: dict[str, str] = {}
    for row in key_rows:
        if row.get("patient_id") and row.get("patient_code"):
            code_for.setdefault(row["patient_id"].strip(), row["patient_code"].strip())
    with study.db.read() as session:
        study_codes = queries.patient_codes(session)
    taken = set(study_codes) | set(code_for.values())
    new_key_rows: list[dict[str, str]] = []
    parsed: dict[str, dict[str, tuple[str | None, float | None]]] = {}
    line_of: dict[str, int] = {}
    for line, values in rows:
        if len(values) != len(names):
            problems.append(RowProblem(line, f"has {len(values)} fields, the header has {len(names)}"))
            continue
        cells = dict(zip(names, values))
        ident = cells[key_col].strip()
        if not ident:
            problems.append(RowProblem(line, "no patient identifier"))
            continue
        if id_column is not None:
            code = code_for.get(ident)
            if code is None:
                if not add_patients:
                    problems.append(RowProblem(line, f"identifier in column {id_column} is not in the key file "
                                                     "(import the patient's images first, or use --add-patients)"))
                    continue
                code = random_code("P", taken=taken)
                code_for[ident] = code
                new_key_rows.append({"patient_code": code, "patient_id": ident, "placed_as": "clinical sheet",
                                     "imported_at": audit.now().strftime("%Y-%m-%dT%H:%M:%SZ")})
        else:
            code = ident
            if code not in study_codes:
                problems.append(RowProblem(line, f"patient {code} is not in the study"))
                continue
        if code in line_of:
            problems.append(RowProblem(line, f"patient {code if code_column else '(identifier)'} is also on line {line_of[code]}"))
            continue
        line_of[code] = line
        values_of: dict[str, tuple[str | None, float | None]] = {}
        for column in data_columns:
            value, number, problem = variables[column].parse(cells[column])
            if problem:
                problems.append(RowProblem(line, problem))
            values_of[column] = (value, number)
        parsed[code] = values_of
    if problems:
        raise InputFileError(str(path), problems)

    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    pending_key = None
    try:
        with unit_of_work(study, actor) as uow:
            session = uow.session
            for name, variable in result.variables.items():
                last = queries.latest_clinical_variable(session, name)
                if last is not None and variable.same_as(last):
                    continue
                session.add(models.ClinicalVariable(
                    name=name, version=1 if last is None else last.version + 1, supersedes_id=None if last is None else last.id,
                    label=variable.label, kind=variable.kind, unit=variable.unit, min_value=variable.min_value,
                    max_value=variable.max_value, levels=variable._levels_json(), source=variable.source,
                    recorded_by=actor, recorded_at=audit.now(),
                    change_reason=None if last is None else f"codebook changed with {path.name}",
                ))
                result.codebook_versions.append(name)
            patients = {p.code: p for p in queries.patients(session)}
            current = queries.latest_clinical_values(session)
            had_data = {patient_id for patient_id, _ in current}
            for code, values_of in parsed.items():
                patient = patients.get(code)
                if patient is None:  # enters the study through the clinical sheet
                    patient = models.Patient(code=code)
                    session.add(patient)
                    session.flush()
                    result.new_patients.append(code)
                for column, (value, number) in values_of.items():
                    stored = current.get((patient.id, column))
                    if stored is None:
                        if value is None:
                            continue
                        session.add(models.ClinicalValue(
                            patient_id=patient.id, variable=column, version=1, value=value, number=number,
                            source_sha256=sha, recorded_by=actor, recorded_at=audit.now()))
                        result.values_added += 1
                        if patient.id in had_data:  # a value filled in on a corrected sheet
                            result.changes.append(Change(code, column, None, value))
                    elif stored.value == value:
                        result.unchanged += 1
                    else:
                        session.add(models.ClinicalValue(
                            patient_id=patient.id, variable=column, version=stored.version + 1, supersedes_id=stored.id,
                            value=value, number=number, source_sha256=sha, recorded_by=actor, recorded_at=audit.now(),
                            change_reason=f"corrected by re-import of {path.name}"))
                        result.changes.append(Change(code, column, stored.value, value))
            result.patients = len(parsed)
            uow.record("clinical.import", "clinical_value", None, after={
                "sheet_sha256": sha, "patients": result.patients, "new_patients": len(result.new_patients),
                "values_added": result.values_added, "unchanged": result.unchanged,
                "changes": [c.__dict__ for c in result.changes], "codebook_versions": result.codebook_versions,
                "codebook": "inferred" if inferred else "given",
            })
            session.flush()
            # Like the image import: search the uncommitted study for every identifier the key
            # file knows (the new patients' too); a hit rolls everything back.
            blinding = scan(study, key_rows + [_full_key_row(r) for r in new_key_rows], session=session, image_keys=[])
            if not blinding.clean:
                raise BlindingError(
                    f"identifiers found in the clinical sheet's values; nothing was stored:\n  {hits_message(blinding)}",
                    where=str(path), fix="remove identifying columns (names, dates of birth, numbers) from the sheet",
                )
            if key_path is not None and new_key_rows:
                pending_key = PendingKeyFile(key_path, key_rows + [_full_key_row(r) for r in new_key_rows])
        if pending_key is not None:
            pending_key.commit()
    except BaseException:
        if pending_key is not None:
            pending_key.discard()
        raise
    result.stored = True
    return result


def _full_key_row(row: dict[str, str]) -> dict[str, str]:
    from .blinding import KEY_COLUMNS

    return {k: row.get(k, "") for k in KEY_COLUMNS}


# --- reading it back -------------------------------------------------------------------------


def codebook(study: Study) -> dict[str, Variable]:
    """The current version of every codebook entry, in the order they were first recorded."""
    with study.db.read() as session:
        return {row.name: Variable.from_row(row) for row in queries.current_clinical_variables(session)}


def clinical_table(study: Study, *, labels: bool = False) -> pd.DataFrame:
    """One row per patient with clinical data: ``patient`` and one column per variable.

    Continuous variables are floats; binary and categorical ones their level values (numbers where
    every level is a number, so they can be modelled), or with ``labels=True`` their value labels.
    """
    variables = codebook(study)
    with study.db.read() as session:
        codes = {p.id: p.code for p in queries.patients(session)}
        current = queries.latest_clinical_values(session)
    records: dict[str, dict] = {}
    for (patient_id, name), row in current.items():
        variable = variables.get(name)
        if variable is None:
            continue
        cell: object
        if row.value is None:
            cell = None
        elif variable.kind == "continuous":
            cell = row.number
        elif labels:
            cell = dict(variable.levels).get(row.value, row.value)
        else:
            numeric = all(_number_or_none(v) is not None for v, _ in variable.levels)
            cell = _number_or_none(row.value) if numeric else row.value
        records.setdefault(codes[patient_id], {"patient": codes[patient_id]})[name] = cell
    table = pd.DataFrame(list(records.values()), columns=["patient", *variables])
    return table.sort_values("patient", kind="stable").reset_index(drop=True)


__all__ = [
    "Change", "ClinicalImport", "Variable", "clinical_table", "codebook", "import_clinical", "infer_variable",
    "read_codebook", "write_codebook",
]
