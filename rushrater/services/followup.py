"""Follow-up events in the study (issue 15): per patient and event type, when it happened or when
follow-up ended without it.

``import_events(study, sheet, key_file=…, id_column=…)`` (or ``code_column=…``) reads a CSV with
one row per patient and event type, keyed like the clinical sheet (hospital identifiers mapped
through the key file and dropped, or study codes), with the columns

* ``event`` — the event type, a short name (``poor_rehabilitation``, ``subsequent_fracture``,
  ``union``, ``revision``; written with spaces or capitals it is normalised);
* ``status`` — 1 (the event happened: 1/yes/true/event) or 0 (censored: 0/no/false/censored);
* the time, either ``date`` and ``surgery_date`` (calendar dates, ISO ``2024-03-01`` or
  ``20240301``: the import keeps only the days between them) or ``day`` (days after surgery
  already; ``--time-unit weeks|months|years`` for a ``time`` column in other units).

Only the study-relative day (days after surgery, day 0; fractional when converted from months) and
the status are stored: calendar dates never enter the study, and the blinding check runs on the
uncommitted transaction with the sheet's dates and the key file's identifiers as needles before
anything is committed. With ``data_lock`` (a calendar date) no record may be dated after it.

Bad input is listed per row, all at once, and nothing is stored: an event or censoring before
surgery, a date after the data-lock date, two records of one event type for one patient, a
missing or unreadable time or status, an identifier not in the key file. The table is append-only
with versions (revision 0013): re-importing a corrected sheet writes a new version of each record
that changed and reports the changes; the import is recorded in the audit trail.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ..domain.errors import InputFileError, RowProblem, ValidationError
from ..storage import models, queries
from . import audit
from .blinding import BlindingError, check_key_file_path, hits_message, read_key_file, scan
from .clinical import MISSING_TOKENS, normalise_name
from .csv_input import read_csv_table
from .study import Study
from .unit_of_work import unit_of_work

#: days per unit of a ``time`` column (a month is 365.25 / 12 days, as survival analyses count)
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12, "years": 365.25}
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
STATUS_WORDS = {"1": 1, "yes": 1, "true": 1, "event": 1, "y": 1, "0": 0, "no": 0, "false": 0, "censored": 0, "n": 0}


def parse_date(text: str) -> date | None:
    """An ISO (2024-03-01, 2024/03/01) or DICOM-style (20240301) date, or None."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})", text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


@dataclass
class EventChange:
    patient: str
    event_type: str
    before: tuple[float, int] | None
    after: tuple[float, int]

    def __str__(self) -> str:
        def show(v):
            return "none" if v is None else f"day {v[0]:g}, {'event' if v[1] else 'censored'}"
        return f"{self.patient} {self.event_type}: {show(self.before)} → {show(self.after)}"


@dataclass
class EventImport:
    sheet: str
    records: int = 0
    patients: int = 0
    event_types: dict[str, int] = field(default_factory=dict)  # type -> events (status 1)
    added: int = 0
    changes: list[EventChange] = field(default_factory=list)
    unchanged: int = 0

    def to_dict(self) -> dict:
        return {"sheet": self.sheet, "records": self.records, "patients": self.patients,
                "event_types": self.event_types, "added": self.added, "unchanged": self.unchanged,
                "changes": [{"patient": c.patient, "event_type": c.event_type,
                             "before": None if c.before is None else {"day": c.before[0], "status": c.before[1]},
                             "after": {"day": c.after[0], "status": c.after[1]}} for c in self.changes]}


def import_events(
    study: Study,
    sheet: str | Path,
    *,
    key_file: str | Path | None = None,
    id_column: str | None = None,
    code_column: str | None = None,
    data_lock: str | date | None = None,
    time_unit: str = "days",
    actor: str | None = None,
) -> EventImport:
    """Import a follow-up sheet: all rows or none (see the module docstring)."""
    if (id_column is None) == (code_column is None):
        raise ValidationError("give either --id-column (with --key-file) or --code-column",
                              fix="--key-file KEY --id-column MRN maps hospital identifiers; --code-column patient uses study codes")
    if id_column is not None and key_file is None:
        raise ValidationError("--id-column needs the key file that maps identifiers to patient codes", fix="add --key-file KEY")
    if time_unit not in UNIT_DAYS:
        raise ValidationError(f"unknown time unit {time_unit!r}", fix="use one of: " + ", ".join(UNIT_DAYS))
    lock = data_lock if isinstance(data_lock, date) or data_lock is None else parse_date(data_lock)
    if data_lock is not None and lock is None:
        raise ValidationError(f"--data-lock {data_lock!r} is not a date", fix="write it as 2025-06-30")
    actor = actor or audit.coordinator_actor()
    path = Path(sheet)
    header, rows = read_csv_table(path)
    names = [normalise_name(h) for h in header]
    key_col = normalise_name(id_column or code_column or "")

    def need(*columns: str) -> None:
        missing = [c for c in columns if c not in names]
        if missing:
            raise InputFileError(str(path), [RowProblem(1, "missing column(s): " + ", ".join(missing)
                                                        + f" (the columns are: {', '.join(header)})")],
                                 fix="the sheet needs the patient column, event, status and either date + surgery_date or day")

    need(key_col, "event", "status")
    if "date" in names:
        need("surgery_date")
        mode = "dates"
    elif "day" in names or "time" in names:
        mode = "day" if "day" in names else "time"
    else:
        need("date", "surgery_date")  # raises, naming what is missing
    if lock is not None and "surgery_date" not in names:
        raise ValidationError("--data-lock needs calendar dates (date and surgery_date columns) to check against",
                              where=str(path), fix="add the surgery_date column, or leave out --data-lock")
    time_col = {"dates": "date", "day": "day", "time": "time"}[mode]
    unit_days = 1.0 if mode == "day" else UNIT_DAYS[time_unit]

    key_path = check_key_file_path(study.root, Path(key_file)) if key_file is not None else None
    key_rows = read_key_file(key_path) if key_path is not None else []
    if key_path is not None and not key_path.is_file():
        raise ValidationError("key file not found", where=str(key_path), fix="give the key file the image import wrote")
    code_for: dict[str, str] = {}
    for row in key_rows:
        if row.get("patient_id") and row.get("patient_code"):
            code_for.setdefault(row["patient_id"].strip(), row["patient_code"].strip())
    with study.db.read() as session:
        study_codes = set(queries.patient_codes(session))

    problems: list[RowProblem] = []
    parsed: dict[tuple[str, str], tuple[float, int]] = {}
    line_of: dict[tuple[str, str], int] = {}
    sheet_dates: dict[str, set[str]] = {}  # patient code -> the sheet's dates (needles for the blinding check)
    for line, values in rows:
        if len(values) != len(names):
            problems.append(RowProblem(line, f"has {len(values)} fields, the header has {len(names)}"))
            continue
        cells = {n: v.strip() for n, v in zip(names, values)}
        ident = cells[key_col]
        if not ident:
            problems.append(RowProblem(line, "no patient identifier"))
            continue
        if id_column is not None:
            code = code_for.get(ident)
            if code is None:
                problems.append(RowProblem(line, f"identifier in column {id_column} is not in the key file "
                                                 "(import the patient's images or clinical sheet first)"))
                continue
        else:
            code = ident
            if code not in study_codes:
                problems.append(RowProblem(line, f"patient {code} is not in the study"))
                continue
        event_type = normalise_name(cells["event"])
        if not event_type:
            problems.append(RowProblem(line, "no event type"))
            continue
        if not EVENT_TYPE.match(event_type):
            problems.append(RowProblem(line, f"event type {cells['event']!r} is not a short name (letters, digits, "
                                             "underscores, starting with a letter, at most 60)"))
            continue
        status = STATUS_WORDS.get(cells["status"].lower())
        if status is None:
            problems.append(RowProblem(line, f"status {cells['status']!r} is neither 1 (event) nor 0 (censored)"
                                       if cells["status"] else "no status (1 = event, 0 = censored)"))
        what = "event" if status == 1 else "censoring"
        surgery = parse_date(cells.get("surgery_date", "")) if "surgery_date" in names else None
        if "surgery_date" in names and cells["surgery_date"] and surgery is None:
            problems.append(RowProblem(line, f"surgery_date {cells['surgery_date']!r} is not a date (write 2024-03-01)"))
        raw = cells[time_col]
        day: float | None = None
        if raw.lower() in MISSING_TOKENS:
            problems.append(RowProblem(line, f"no {time_col} (the time of the {what} is missing)"))
        elif mode == "dates":
            when = parse_date(raw)
            if when is None:
                problems.append(RowProblem(line, f"date {raw!r} is not a date (write 2024-03-01)"))
            elif not cells["surgery_date"]:
                problems.append(RowProblem(line, "no surgery_date to count the days from"))
            elif surgery is not None:
                day = float((when - surgery).days)
                if lock is not None and when > lock:
                    problems.append(RowProblem(line, f"{what} date is after the data-lock date"))
                for d in (when, surgery):
                    sheet_dates.setdefault(code, set()).add(d.strftime("%Y%m%d"))
        else:
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                problems.append(RowProblem(line, f"{time_col} {raw!r} is not a number"))
            else:
                day = number * unit_days
                if surgery is not None:
                    sheet_dates.setdefault(code, set()).add(surgery.strftime("%Y%m%d"))
                    if lock is not None and (lock - surgery).days < day:
                        problems.append(RowProblem(line, f"{what} date (surgery + {raw} {time_unit if mode == 'time' else 'days'}) "
                                                         "is after the data-lock date"))
        if day is not None and day < 0:
            problems.append(RowProblem(line, f"{what} before surgery (day {day:g})"))
        slot = (code, event_type)
        if slot in line_of:
            who = code if code_column else "(identifier)"
            problems.append(RowProblem(line, f"patient {who} has a second {event_type} record (also on line {line_of[slot]})"))
            continue
        line_of[slot] = line
        if day is not None and status is not None:
            parsed[slot] = (day, status)
    if not rows:
        problems.append(RowProblem(1, "no records"))
    if problems:
        raise InputFileError(str(path), problems, fix="correct the rows listed above; nothing was stored")

    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    result = EventImport(sheet=str(path), records=len(parsed), patients=len({c for c, _ in parsed}))
    for (_, event_type), (_, status) in parsed.items():
        result.event_types[event_type] = result.event_types.get(event_type, 0) + status
    with unit_of_work(study, actor) as uow:
        session = uow.session
        patients = {p.code: p for p in queries.patients(session)}
        current = queries.latest_follow_up_events(session)
        for (code, event_type), (day, status) in parsed.items():
            patient = patients[code]
            last = current.get((patient.id, event_type))
            if last is None:
                session.add(models.FollowUpEvent(
                    patient_id=patient.id, event_type=event_type, version=1, day=day, status=status,
                    source_sha256=sha, recorded_by=actor, recorded_at=audit.now()))
                result.added += 1
            elif (last.day, last.status) == (day, status):
                result.unchanged += 1
            else:
                session.add(models.FollowUpEvent(
                    patient_id=patient.id, event_type=event_type, version=last.version + 1, supersedes_id=last.id,
                    day=day, status=status, source_sha256=sha, recorded_by=actor, recorded_at=audit.now(),
                    change_reason=f"corrected by re-import of {path.name}"))
                result.changes.append(EventChange(code, event_type, (last.day, last.status), (day, status)))
        uow.record("followup.import", "follow_up_event", None, after={
            "sheet_sha256": sha, "records": result.records, "patients": result.patients,
            "event_types": result.event_types, "added": result.added, "unchanged": result.unchanged,
            "changes": result.to_dict()["changes"],
        })
        session.flush()
        # The sheet's calendar dates are searched as if the key file listed them: none may have
        # reached the study (a date typed into the event column would be one).
        needles = key_rows + [{"patient_code": code, "study_date": d} for code, ds in sheet_dates.items() for d in sorted(ds)]
        blinding = scan(study, needles, session=session, image_keys=[])
        if not blinding.clean:
            raise BlindingError(
                f"identifiers or dates found in the study with the follow-up sheet; nothing was stored:\n  {hits_message(blinding)}",
                where=str(path), fix="remove identifying text from the sheet's event column",
            )
    return result


def events_table(study: Study) -> pd.DataFrame:
    """The current record of every patient and event type: patient, event_type, day, status, version."""
    with study.db.read() as session:
        codes = {p.id: p.code for p in queries.patients(session)}
        rows = [{"patient": codes[r.patient_id], "event_type": r.event_type, "day": r.day, "status": r.status,
                 "version": r.version} for r in queries.latest_follow_up_events(session).values()]
    table = pd.DataFrame(rows, columns=["patient", "event_type", "day", "status", "version"])
    return table.sort_values(["event_type", "patient"], kind="stable").reset_index(drop=True)


def event_types(study: Study) -> dict[str, tuple[int, int]]:
    """Event type -> (patients with a record, events)."""
    table = events_table(study)
    return {str(t): (len(g), int(g["status"].sum())) for t, g in table.groupby("event_type", sort=True)}


def event_times(study: Study, event_type: str, *, unit: str = "months") -> pd.DataFrame:
    """patient, time (in ``unit`` after surgery), status of one event type."""
    if unit not in UNIT_DAYS:
        raise ValidationError(f"unknown time unit {unit!r}", fix="use one of: " + ", ".join(UNIT_DAYS))
    table = events_table(study)
    known = sorted(set(table["event_type"]))
    part = table[table["event_type"] == normalise_name(event_type)]
    if part.empty:
        raise ValidationError(f"no follow-up records of event type {event_type!r}",
                              fix=("the study has: " + ", ".join(known)) if known
                              else "import them with rushrater clinical events STUDY CSV")
    return pd.DataFrame({"patient": part["patient"].to_numpy(), "time": part["day"].to_numpy() / UNIT_DAYS[unit],
                         "status": part["status"].astype(int).to_numpy()})


__all__ = ["EventChange", "EventImport", "UNIT_DAYS", "event_times", "event_types", "events_table", "import_events",
           "parse_date"]
