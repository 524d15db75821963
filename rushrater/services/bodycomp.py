"""CT body composition at T12, per patient, beside the RUSH scores.

Workflow: import a patient's CT series (de-identified, one HU volume in the image store), record
height (and optionally sex), measure (an assessor chooses the slice and edits two contours, or the
automatic contours are taken), a second assessor reviews, then the measurement is locked. Each
step is a new version row (the table is append-only) and an audit event in the same transaction.

Reference cut-offs are a versioned data table with citations shipped in the package
(``rushrater/resources/bodycomp_reference.csv``), not code; each result keeps the table version
and the cut-offs it was flagged against.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..domain.changes import NO_CHANGES, Changes
from ..domain.errors import DuplicateError, NotFoundError, ValidationError
from ..imaging import ct
from ..storage import models, queries
from . import audit
from ..domain.codes import random_code
from .blinding import KEY_COLUMNS, BlindingError, PendingKeyFile, check_key_file_path, hits_message, read_key_file, scan
from .csv_input import read_csv_rows
from .settings import update_settings
from .study import Study
from .unit_of_work import UnitOfWork, unit_of_work

SETTINGS_KEY = "bodycomp_thresholds"
INDICES = ("smi", "vfi", "sfi", "vsr", "muscle_cm2", "visceral_fat_cm2", "subcutaneous_fat_cm2", "muscle_mean_hu")
HEIGHT_COLUMNS = ("patient", "height_m")


# --- reference table -----------------------------------------------------------------------


@dataclass(frozen=True)
class CtSeriesInfo:
    """A stored CT series, as the services hand it out (not the database row)."""

    id: int
    patient_id: int
    patient: str  # the patient's code
    storage_key: str
    file_sha256: str
    rows: int
    columns: int
    slice_count: int
    row_spacing_mm: float
    column_spacing_mm: float
    slice_spacing_mm: float
    geometry: dict
    source_format: str
    method: str
    content_sha256: str
    #: What the de-identification left: "YES", and no device (it can tell raters the site).
    patient_identity_removed: str
    device: str


def _series_info(row: models.CtSeries, patient_code: str) -> CtSeriesInfo:
    return CtSeriesInfo(
        id=row.id, patient_id=row.patient_id, patient=patient_code, storage_key=row.storage_key,
        file_sha256=row.file_sha256, rows=row.rows, columns=row.columns, slice_count=row.slice_count,
        row_spacing_mm=row.row_spacing_mm, column_spacing_mm=row.column_spacing_mm,
        slice_spacing_mm=row.slice_spacing_mm, geometry=dict(row.geometry or {}), source_format=row.source_format,
        method=row.method, content_sha256=row.content_sha256, patient_identity_removed=row.patient_identity_removed,
        device=row.device,
    )


@dataclass(frozen=True)
class AnthropometryRecord:
    """One version of a patient's height and sex."""

    patient: str  # the patient's code
    version: int
    height_m: float
    sex: str | None
    source: str


def _anthropometry_record(row: models.PatientAnthropometry, patient_code: str) -> AnthropometryRecord:
    return AnthropometryRecord(patient_code, row.version, row.height_m, row.sex, row.source)


def reference_table() -> pd.DataFrame:
    """The shipped reference cut-offs (one row per index, sex and level, with citation)."""
    text = resources.files("rushrater").joinpath("resources/bodycomp_reference.csv").read_text(encoding="utf-8")
    table = pd.read_csv(io.StringIO(text), dtype={"table_version": str})
    return table


def flags_for(values: dict[str, float | None], sex: str | None, table: pd.DataFrame | None = None) -> dict[str, Any]:
    """The cut-offs crossed by ``values`` (and those not assessed for lack of sex)."""
    table = reference_table() if table is None else table
    out: dict[str, Any] = {"table_version": str(table["table_version"].iloc[0]), "flags": [], "not_assessed": []}
    for row in table.to_dict("records"):
        value = values.get(row["index"])
        if value is None:
            continue
        if sex is None:
            note = f"{row['index'].upper()} cut-off needs the patient's sex"
            if note not in out["not_assessed"]:
                out["not_assessed"].append(note)
            continue
        if row["sex"] != sex:
            continue
        crossed = value < row["cutoff"] if row["flag_when"] == "below" else value > row["cutoff"]
        if crossed:
            out["flags"].append({
                "index": row["index"], "flag": row["flag"], "cutoff": float(row["cutoff"]), "unit": row["unit"],
                "sex": sex, "level": row["level"], "source": row["source"], "citation": row["citation"], "doi": row["doi"],
            })
    return out


# --- settings --------------------------------------------------------------------------------


def study_thresholds(study: Study) -> dict[str, list[int]]:
    return ct.normalise_thresholds(study.settings.get(SETTINGS_KEY))


def set_thresholds(study: Study, thresholds: dict, *, actor: str | None = None) -> dict[str, list[int]]:
    merged = ct.normalise_thresholds(thresholds)
    update_settings(study, {SETTINGS_KEY: merged}, actor=actor, reason="body-composition HU thresholds")
    return merged


# --- import and height -----------------------------------------------------------------------


def _patient(session, code: str) -> models.Patient:
    patient = queries.patient_by_code(session, code.strip())
    if patient is None:
        raise NotFoundError(
            f"no patient {code!r} in the study", fix="use the patient code shown in the study, or give the key file (--key-file) to map the CT series' Patient ID"
        )
    return patient


def import_ct(study: Study, patient_code: str | None, folder: str | Path, *, key_file: str | Path | None = None,
              actor: str | None = None, progress=None) -> models.CtSeries:
    """Import one CT series for a patient. The same series again returns the stored one.

    With ``key_file`` the series' DICOM Patient ID is mapped to a patient code through the key
    file, as the radiograph import does: a patient may enter the study through the preoperative
    CT before any radiograph. An ID the key file does not know gets a new code (the key file
    gains its row) unless ``patient_code`` names the patient; an ID the key file maps to another
    code than ``patient_code`` is refused. Without a key file the patient must be in the study.
    ``progress(step, done, total)`` hears each file read and slice decoded (``ct.read_ct_series``);
    raising from it stops the import before anything is stored.
    """
    actor = actor or audit.coordinator_actor()
    if key_file is None:
        if not patient_code:
            raise ValidationError("give the patient code, or the key file to map the series' Patient ID",
                                  fix="--patient CODE, or --key-file KEY")
        with study.db.read() as session:
            _patient(session, patient_code)
    key_path = check_key_file_path(study.root, Path(key_file)) if key_file is not None else None
    key_rows = read_key_file(key_path)
    read = ct.read_ct_series(folder, progress)
    volume = read.volume
    new_key_row: dict[str, str] | None = None
    if key_path is not None:
        ids = read.identifiers
        known = next((r["patient_code"] for r in key_rows if ids.patient_id and r["patient_id"] == ids.patient_id
                      and r["patient_code"]), None)
        if known and patient_code and known != patient_code.strip():
            raise ValidationError(
                f"the series' Patient ID belongs to patient {known} in the key file, not {patient_code}",
                where=str(folder), fix=f"check the series, or import it for {known}",
            )
        if known is None and not patient_code:
            with study.db.read() as session:
                taken = queries.patient_codes(session) | {r["patient_code"] for r in key_rows}
            patient_code = random_code("P", taken=taken)
        patient_code = (known or patient_code or "").strip()
        if known is None and ids.patient_id:
            new_key_row = {k: "" for k in KEY_COLUMNS} | {
                "patient_code": patient_code, "patient_id": ids.patient_id, "patient_name": ids.patient_name,
                "other_names": "\\".join(ids.other_names), "birth_date": ids.birth_date,
                "accession_number": ids.accession_number, "study_date": ids.study_date,
                "study_instance_uid": ids.study_instance_uid, "placed_as": "ct series",
                "imported_at": audit.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
    assert patient_code is not None
    content = volume.content_sha256()
    with study.db.read() as session:
        existing = queries.ct_series_by_content(session, content)
        patient = queries.patient_by_code(session, patient_code)
        if existing is not None:
            if patient is None or existing.patient_id != patient.id:
                raise DuplicateError(
                    "this CT series is already imported for another patient", where=str(folder),
                    fix="check the patient code: one CT series belongs to one patient",
                )
            return _series_info(existing, patient_code)
    stored = study.images.put(volume.stored_pixels())  # before the transaction: its lock stays short
    pending_key = None
    try:
        with unit_of_work(study, actor, new_files=[stored.key]) as uow:
            session = uow.session
            patient = queries.patient_by_code(session, patient_code)
            if patient is None:  # enters the study through its CT series (key file given)
                patient = models.Patient(code=patient_code)
                session.add(patient)
                session.flush()
            row = models.CtSeries(
                patient_id=patient.id, storage_key=stored.key, file_sha256=stored.sha256, content_sha256=content,
                rows=int(volume.hu.shape[1]), columns=int(volume.hu.shape[2]), slice_count=volume.slice_count,
                row_spacing_mm=volume.row_spacing_mm, column_spacing_mm=volume.column_spacing_mm,
                slice_spacing_mm=abs(volume.slice_spacing_mm), geometry=volume.geometry(),
                source_format=read.source_format, method=read.method[:200], patient_identity_removed="YES",
                # Manufacturer and model can tell raters the site (issue 18): not kept.
                study_day=None, device="", imported_by=actor, created_at=audit.now(),
            )
            session.add(row)
            session.flush()
            uow.record("ct.import", "ct_series", row.id, after={
                "patient": patient_code, "slices": row.slice_count, "spacing_mm": [row.row_spacing_mm, row.column_spacing_mm, row.slice_spacing_mm],
                "source_format": row.source_format, "method": row.method,
            })
            session.flush()
            if key_path is not None:
                rows = key_rows + ([new_key_row] if new_key_row else [])
                blinding = scan(study, rows, session=session, image_keys=[])
                if not blinding.clean:
                    raise BlindingError(
                        f"identifiers found where raters could see them; the CT import was rolled back:\n  {hits_message(blinding)}",
                        where=str(study.root), fix="remove the identifiers from the study's files and import again",
                    )
                if new_key_row:
                    pending_key = PendingKeyFile(key_path, rows)
            info = _series_info(row, patient_code)
    except BaseException:  # the unit of work discards the stored volume; the key file's new row goes too
        if pending_key is not None:
            pending_key.discard()
        raise
    if pending_key is not None:
        pending_key.commit()
    return info


def load_volume(study: Study, series: CtSeriesInfo | models.CtSeries) -> ct.CtVolume:
    pixels = study.images.load(series.storage_key, series.file_sha256)
    return ct.CtVolume.from_stored(pixels, series.row_spacing_mm, series.column_spacing_mm, series.geometry)


def latest_series(study: Study, patient_code: str) -> CtSeriesInfo:
    with study.db.read() as session:
        patient = _patient(session, patient_code)
        series = queries.ct_series_for_patient(session, patient.id)
        if not series:
            raise NotFoundError(
                f"patient {patient_code} has no CT series", fix="import the CT series first (rushrater bodycomp-import)"
            )
        return _series_info(series[-1], patient.code)


def _check_height(height_m: float) -> float:
    try:
        value = float(height_m)
    except (TypeError, ValueError):
        raise ValidationError(f"height {height_m!r} is not a number", fix="enter the height in metres, e.g. 1.72") from None
    if not 0.5 <= value <= 2.6:
        hint = " (that looks like centimetres)" if 50 <= value <= 260 else ""
        raise ValidationError(f"height {value:g} m is not plausible{hint}", fix="enter the height in metres, e.g. 1.72")
    return value


def _check_sex(sex: str | None) -> str | None:
    if sex is None or str(sex).strip() == "":
        return None
    value = str(sex).strip().upper()[:1]
    if value not in ("F", "M"):
        raise ValidationError(f"sex {sex!r} is not F or M", fix="enter F or M, or leave it empty")
    return value


def set_anthropometry(study: Study, patient_code: str, height_m: float, sex: str | None = None, *,
                      source: str = "app", actor: str | None = None, reason: str | None = None) -> AnthropometryRecord:
    """Record a patient's height (m) and sex; a change is a new version. Same values: no-op."""
    height, sex_value = _check_height(height_m), _check_sex(sex)
    with unit_of_work(study, actor) as uow:
        row = _store_anthropometry(uow, patient_code, height, sex_value, source=source, reason=reason)
        record = _anthropometry_record(row, patient_code.strip())
    return record


def _store_anthropometry(uow: UnitOfWork, patient_code: str, height: float, sex: str | None, *, source: str,
                         reason: str | None) -> models.PatientAnthropometry:
    """A new anthropometry version in ``uow`` (checked values), or the latest when they are the same."""
    session = uow.session
    patient = _patient(session, patient_code)
    last = queries.latest_anthropometry(session, patient.id)
    if last is not None and abs(last.height_m - height) < 1e-9 and last.sex == sex:
        return last
    row = models.PatientAnthropometry(
        patient_id=patient.id, version=1 if last is None else last.version + 1,
        supersedes_id=None if last is None else last.id, height_m=height, sex=sex, source=source,
        recorded_by=uow.actor, recorded_at=audit.now(), change_reason=reason if last is not None else None,
    )
    session.add(row)
    session.flush()
    uow.record("patient.anthropometry", "patient", patient.code,
               before=None if last is None else {"height_m": last.height_m, "sex": last.sex},
               after={"height_m": height, "sex": sex, "version": row.version, "source": source}, reason=reason)
    return row


def import_heights(study: Study, path: str | Path, *, actor: str | None = None) -> int:
    """Heights (and optional sex) from a CSV ``patient,height_m[,sex]``: all rows or none."""
    from ..domain.errors import InputFileError, RowProblem

    rows = read_csv_rows(Path(path), HEIGHT_COLUMNS, ("sex",))
    problems = []
    checked = []
    with study.db.read() as session:
        for line, row in rows:
            try:
                if queries.patient_by_code(session, row["patient"].strip()) is None:
                    raise NotFoundError(f"no patient {row['patient']!r} in the study")
                checked.append((row["patient"].strip(), _check_height(row["height_m"]), _check_sex(row.get("sex"))))
            except (ValidationError, NotFoundError) as exc:
                problems.append(RowProblem(line, exc.message))
    if problems:
        raise InputFileError(str(path), problems)
    with unit_of_work(study, actor) as uow:
        for code, height, sex in checked:
            _store_anthropometry(uow, code, height, sex, source="csv", reason=f"imported from {Path(path).name}")
    return len(checked)


def anthropometry(study: Study, patient_code: str) -> tuple[float, str | None] | None:
    with study.db.read() as session:
        row = queries.latest_anthropometry(session, _patient(session, patient_code).id)
        return None if row is None else (row.height_m, row.sex)


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Result:
    """What a measurement shows and stores (one version)."""

    patient: str
    assessor: str
    version: int
    status: str
    slice_index: int
    slice_position_mm: float
    level_source: str
    thresholds: dict
    contours: dict
    muscle_cm2: float
    visceral_fat_cm2: float
    subcutaneous_fat_cm2: float
    muscle_mean_hu: float | None
    height_m: float
    sex: str | None
    smi: float
    vfi: float
    sfi: float
    vsr: float | None
    flags: dict
    reviewed_by: str | None = None
    locked_by: str | None = None
    recorded_at: str = ""
    warnings: tuple[str, ...] = ()
    #: What the measurement, review or lock changed (none for a result read back from the study).
    changes: Changes = field(default=NO_CHANGES, compare=False, repr=False)

    def to_dict(self, *, with_contours: bool = False) -> dict:
        out = dict(self.__dict__)
        out.pop("changes")
        out["warnings"] = list(self.warnings)
        if not with_contours:
            out.pop("contours")
        return out


def check_slice(volume: ct.CtVolume, slice_index: int) -> None:
    """A slice index inside the series (numpy would take -1 as the last slice, or raise IndexError)."""
    if not 0 <= slice_index < volume.slice_count:
        valid = "0" if volume.slice_count == 1 else f"0 to {volume.slice_count - 1}"
        raise ValidationError(
            f"slice {slice_index} is outside the series, which has {volume.slice_count} slice(s): valid slices are {valid}",
            fix=f"give --slice with a number from {valid} (0 = most inferior)",
        )


def compute(volume: ct.CtVolume, slice_index: int, thresholds: dict, contours: dict, height_m: float, sex: str | None) -> dict:
    """Areas, indices and flags of one slice (nothing stored)."""
    check_slice(volume, slice_index)
    measured = ct.measure_slice(volume.hu[slice_index], contours, thresholds, volume.pixel_area_cm2, volume.row_spacing_mm)
    values = ct.indices(measured, height_m)
    return {**measured.__dict__, **values, "flags": flags_for(values, sex)}


def _row_result(row: models.BodyComposition, code: str, warnings=()) -> Result:
    return Result(
        patient=code, assessor=row.assessor, version=row.version, status=row.status, slice_index=row.slice_index,
        slice_position_mm=row.slice_position_mm, level_source=row.level_source, thresholds=row.thresholds,
        contours=row.contours, muscle_cm2=row.muscle_cm2, visceral_fat_cm2=row.visceral_fat_cm2,
        subcutaneous_fat_cm2=row.subcutaneous_fat_cm2, muscle_mean_hu=row.muscle_mean_hu, height_m=row.height_m,
        sex=row.sex, smi=row.smi, vfi=row.vfi, sfi=row.sfi, vsr=row.vsr, flags=row.flags, reviewed_by=row.reviewed_by,
        locked_by=row.locked_by, recorded_at=row.recorded_at.isoformat() if row.recorded_at else "", warnings=tuple(warnings),
    )


def measure(
    study: Study,
    patient_code: str,
    *,
    assessor: str,
    slice_index: int | None = None,
    labels: str | Path | None = None,
    contours: dict | None = None,
    thresholds: dict | None = None,
    level_source: str | None = None,
    reason: str | None = None,
    volume: ct.CtVolume | None = None,
    series: CtSeriesInfo | None = None,
) -> Result:
    """Measure (or re-measure: a new version, with a reason) one patient's T12 slice.

    The slice is ``slice_index``, else the centre of T12 in ``labels``; contours default to the
    automatic ones, thresholds to the study's. Nothing is stored unless everything checks.
    """
    assessor = (assessor or "").strip()
    if not assessor:
        raise ValidationError("who measured is missing", fix="give the assessor's name or rater code")
    series = series or latest_series(study, patient_code)
    volume = volume or load_volume(study, series)
    warnings: list[str] = []
    if slice_index is None:
        if labels is None:
            raise ValidationError("no slice chosen", fix="give --slice N, or a TotalSegmentator label file with --labels")
        proposal = ct.propose_level(labels, volume)
        slice_index, source = proposal.slice_index, "labels"
        if not proposal.complete:
            warnings.append("T12 touches the edge of the label volume: the vertebra may be cut off, check the level")
    else:
        source = "given"
    check_slice(volume, slice_index)
    source = level_source or source
    with study.db.read() as session:
        patient = _patient(session, patient_code)
        body = queries.latest_anthropometry(session, patient.id)
        last = queries.latest_body_composition(session, patient.id, assessor)
        if body is None:
            raise ValidationError(
                f"patient {patient_code} has no height recorded, so the indices (cm²/m²) cannot be computed",
                fix="enter the height in metres first (rushrater bodycomp-height, or --height M)",
            )
        height, sex, body_id, patient_id = body.height_m, body.sex, body.id, patient.id
    thresholds = ct.normalise_thresholds(thresholds if thresholds is not None else study_thresholds(study))
    edited = contours is not None
    if contours is None:
        contours = ct.auto_contours(volume.hu[slice_index], thresholds, volume.row_spacing_mm)

    def rounded(points):
        return [[round(float(x), 3), round(float(y), 3)] for x, y in points]

    contours = {**{key: rounded(contours[key]) for key in ("outer", "inner", "skin") if contours.get(key)},
                "edited": bool(edited or contours.get("edited", False))}
    values = compute(volume, slice_index, thresholds, contours, height, sex)
    if last is not None:
        if last.status == "locked":
            raise ValidationError(
                f"the measurement of {patient_code} by {assessor} is locked", fix="locked measurements cannot change"
            )
        if not reason:
            raise ValidationError(
                f"{assessor} has measured {patient_code} already: a new measurement is a correction",
                fix="give the reason for the change (--reason)",
            )
    now = audit.now()
    with unit_of_work(study, assessor) as uow:
        session = uow.session
        row = models.BodyComposition(
            patient_id=patient_id, series_id=series.id, assessor=assessor,
            version=1 if last is None else last.version + 1, supersedes_id=None if last is None else last.id,
            status="measured", change_reason=reason if last is not None else None, recorded_by=assessor,
            recorded_at=now, measured_at=now, slice_index=int(slice_index),
            slice_position_mm=float(volume.positions_mm[slice_index]), level_source=source, thresholds=thresholds,
            contours=contours, anthropometry_id=body_id, height_m=height, sex=sex,
            muscle_cm2=values["muscle_cm2"], visceral_fat_cm2=values["visceral_fat_cm2"],
            subcutaneous_fat_cm2=values["subcutaneous_fat_cm2"], muscle_mean_hu=values["muscle_mean_hu"],
            smi=values["smi"], vfi=values["vfi"], sfi=values["sfi"], vsr=values["vsr"], flags=values["flags"],
        )
        session.add(row)
        session.flush()
        uow.record("bodycomp.measure", "body_composition", row.id,
                   before=None if last is None else _summary(last), after=_summary(row), reason=reason)
        result = _row_result(row, patient_code, warnings)
    return replace(result, changes=uow.changes)


def _summary(row: models.BodyComposition) -> dict:
    return {
        "assessor": row.assessor, "version": row.version, "status": row.status, "slice_index": row.slice_index,
        "thresholds": row.thresholds, **{k: getattr(row, k) for k in INDICES},
    }


def _next_version(session, last: models.BodyComposition, **changes) -> models.BodyComposition:
    fields = {c.key: getattr(last, c.key) for c in models.BodyComposition.__table__.columns if c.key != "id"}
    fields.update(version=last.version + 1, supersedes_id=last.id, recorded_at=audit.now(), **changes)
    row = models.BodyComposition(**fields)
    session.add(row)
    session.flush()
    return row


def review(study: Study, patient_code: str, assessor: str, *, reviewer: str, contours: dict | None = None,
           reason: str | None = None) -> Result:
    """The second assessor's review (optionally with edited contours): a new version."""
    reviewer = (reviewer or "").strip()
    with study.db.read() as session:
        patient = _patient(session, patient_code)
        patient_id = patient.id
        last = queries.latest_body_composition(session, patient_id, assessor)
        if last is None:
            raise NotFoundError(f"no measurement of {patient_code} by {assessor}", fix="measure first, then review")
        series = session.get(models.CtSeries, last.series_id)
        session.expunge(series)
        session.expunge(last)
    if reviewer == "" or reviewer == last.assessor:
        raise ValidationError("a review needs a second assessor", fix="log in as another assessor to review")
    if last.status == "locked":
        raise ValidationError(f"the measurement of {patient_code} is locked", fix="locked measurements cannot change")
    changes: dict[str, Any] = {}
    if contours is not None:
        volume = load_volume(study, series)
        contours = {**{k: contours[k] for k in ("outer", "inner", "skin") if contours.get(k)}, "edited": True}
        values = compute(volume, last.slice_index, last.thresholds, contours, last.height_m, last.sex)
        changes = {"contours": contours, **{k: values[k] for k in INDICES}, "flags": values["flags"]}
    now = audit.now()
    with unit_of_work(study, reviewer) as uow:
        last = queries.latest_body_composition(uow.session, patient_id, assessor)
        row = _next_version(uow.session, last, status="reviewed", reviewed_by=reviewer, reviewed_at=now,
                            recorded_by=reviewer, change_reason=reason or "reviewed", **changes)
        uow.record("bodycomp.review", "body_composition", row.id, before=_summary(last), after=_summary(row), reason=reason)
        result = _row_result(row, patient_code)
    return replace(result, changes=uow.changes)


def lock(study: Study, patient_code: str, assessor: str, *, actor: str, reason: str | None = None) -> Result:
    """Lock a reviewed measurement: the final version, no further change."""
    with unit_of_work(study, actor) as uow:
        session = uow.session
        patient = _patient(session, patient_code)
        last = queries.latest_body_composition(session, patient.id, assessor)
        if last is None:
            raise NotFoundError(f"no measurement of {patient_code} by {assessor}", fix="measure first")
        if last.status == "locked":
            raise ValidationError(f"the measurement of {patient_code} is already locked")
        if last.status != "reviewed":
            raise ValidationError(
                f"the measurement of {patient_code} has not been reviewed", fix="a second assessor reviews before locking"
            )
        row = _next_version(session, last, status="locked", locked_by=actor, locked_at=audit.now(),
                            recorded_by=actor, change_reason=reason or "locked")
        uow.record("bodycomp.lock", "body_composition", row.id, before=_summary(last), after=_summary(row), reason=reason)
        result = _row_result(row, patient_code)
    return replace(result, changes=uow.changes)


def current_results(study: Study) -> list[Result]:
    """The newest version of every assessor's measurement of every patient."""
    with study.db.read() as session:
        return [_row_result(row, code) for row, code in queries.current_body_compositions(session)]


def bodycomp_table(study: Study) -> pd.DataFrame:
    """One row per patient: the locked measurement, else the most recently recorded one.

    For the exports to join with the RUSH results on ``patient``.
    """
    columns = ["patient", "assessor", "version", "status", "reviewed_by", "locked_by", "recorded_at", "slice_index",
               "slice_position_mm", "level_source", "muscle_hu_range", "visceral_fat_hu_range",
               "subcutaneous_fat_hu_range", "height_m", "sex", "muscle_cm2", "visceral_fat_cm2",
               "subcutaneous_fat_cm2", "muscle_mean_hu", "smi", "vfi", "sfi", "vsr", "reference_version", "flags"]
    chosen: dict[str, Result] = {}
    for result in current_results(study):
        best = chosen.get(result.patient)
        rank = (result.status == "locked", result.recorded_at)
        if best is None or rank > (best.status == "locked", best.recorded_at):
            chosen[result.patient] = result
    rows = []
    for code in sorted(chosen):
        r = chosen[code]
        t = r.thresholds
        rows.append({
            "patient": code, "assessor": r.assessor, "version": r.version, "status": r.status,
            "reviewed_by": r.reviewed_by, "locked_by": r.locked_by, "recorded_at": r.recorded_at,
            "slice_index": r.slice_index, "slice_position_mm": r.slice_position_mm, "level_source": r.level_source,
            "muscle_hu_range": "{}..{}".format(*t["muscle"]), "visceral_fat_hu_range": "{}..{}".format(*t["visceral_fat"]),
            "subcutaneous_fat_hu_range": "{}..{}".format(*t["subcutaneous_fat"]), "height_m": r.height_m, "sex": r.sex,
            "muscle_cm2": r.muscle_cm2, "visceral_fat_cm2": r.visceral_fat_cm2,
            "subcutaneous_fat_cm2": r.subcutaneous_fat_cm2, "muscle_mean_hu": r.muscle_mean_hu, "smi": r.smi,
            "vfi": r.vfi, "sfi": r.sfi, "vsr": r.vsr, "reference_version": r.flags.get("table_version"),
            "flags": "; ".join(f["flag"] for f in r.flags.get("flags", [])),
        })
    return pd.DataFrame(rows, columns=columns)


def assessor_agreement(study: Study, form: str = "ICC(A,1)") -> pd.DataFrame:
    """Inter-assessor ICC per index across patients (each assessor's newest version)."""
    from ..stats import icc

    records = [
        {"patient": r.patient, "assessor": r.assessor, **{k: getattr(r, k) for k in INDICES}}
        for r in current_results(study)
    ]
    data = pd.DataFrame(records)
    out = []
    for index in INDICES:
        row = {"index": index, "form": form, "icc": np.nan, "ci_low": np.nan, "ci_high": np.nan,
               "n_patients": 0, "n_assessors": 0, "note": ""}
        if data.empty or data["assessor"].nunique() < 2:
            row["note"] = "needs measurements by two or more assessors"
        else:
            subset = data[["patient", "assessor", index]].dropna()
            try:
                result = icc(subset, "patient", "assessor", index, all_available=False)
                chosen = result.form(form)
                row.update(icc=float(chosen["icc"]), ci_low=float(chosen["ci_low"]), ci_high=float(chosen["ci_high"]),
                           n_patients=result.n_targets, n_assessors=result.n_raters, note="; ".join(result.notes))
            except ValueError as exc:
                row["note"] = str(exc)
        out.append(row)
    return pd.DataFrame(out)


# --- reads for the body-composition window (plain data) ------------------------------------------


@dataclass(frozen=True)
class PatientBodyComposition:
    """One patient's body-composition records: height and sex, newest CT series, every assessor's result."""

    patient: str
    height_m: float | None
    sex: str | None
    series: CtSeriesInfo | None
    results: tuple[Result, ...]

    def result_by(self, assessor: str) -> Result | None:
        return next((r for r in self.results if r.assessor == assessor), None)


def patient_body_composition(study: Study, patient_code: str) -> PatientBodyComposition:
    """What the body-composition window shows of one patient (no pixels: ``load_volume`` reads those)."""
    with study.db.read() as session:
        patient = _patient(session, patient_code)
        body = queries.latest_anthropometry(session, patient.id)
        series = queries.ct_series_for_patient(session, patient.id)
        results = tuple(_row_result(row, code) for row, code in queries.current_body_compositions(session)
                        if code == patient.code)
        return PatientBodyComposition(
            patient=patient.code, height_m=None if body is None else body.height_m, sex=None if body is None else body.sex,
            series=_series_info(series[-1], patient.code) if series else None, results=results,
        )
