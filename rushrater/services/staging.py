"""Images awaiting assignment, and the coordinator's decisions on them.

An import keeps, de-identified, every image whose patient, time point or view it could not decide
(``staged_image``). The coordinator assigns each to a patient code, time point and view — one at a
time or from a CSV (``item,patient,timepoint,view``, all or nothing) — or discards it. Each
decision is one transaction with its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..domain.changes import Changes
from ..domain.codes import PATIENT_CODE, random_code
from ..domain.errors import InputFileError, NotFoundError, RowProblem, ValidationError
from ..domain.views import View
from ..storage import models, queries
from . import audit
from .csv_input import read_csv_rows
from .study import Study
from .unit_of_work import UnitOfWork, unit_of_work

ASSIGN_COLUMNS = ("item", "patient", "timepoint", "view")


@dataclass(frozen=True)
class StagedItem:
    item: int
    reason: str
    patient: str | None
    timepoint: str | None
    view: str | None
    study_day: int | None
    width: int
    height: int
    source_format: str
    template: str
    storage_key: str
    file_sha256: str
    display: dict
    #: rectangles already masked on it (the import window's Masked column)
    redactions: tuple = ()


def list_staged(study: Study) -> list[StagedItem]:
    with study.db.read() as session:
        return [
            StagedItem(
                item=s.id,
                reason=s.reason,
                patient=s.patient_code,
                timepoint=s.timepoint,
                view=s.view,
                study_day=s.study_day,
                width=int(s.image_fields.get("width", 0)),
                height=int(s.image_fields.get("height", 0)),
                source_format=str(s.image_fields.get("source_format", "")),
                template=s.template,
                storage_key=s.storage_key,
                file_sha256=s.file_sha256,
                display=dict(s.display or {}),
                redactions=tuple(tuple(r) for r in (s.redactions or {}).get("rects", [])),
            )
            for s in queries.staged_images(session)
        ]


@dataclass(frozen=True)
class Assignment:
    item: int
    patient: str
    timepoint: str
    view: str


def _normalise(session, a: Assignment, timepoints: dict, taken: set) -> tuple[list[str], Assignment]:
    problems = []
    patient = a.patient.strip()
    if not PATIENT_CODE.match(patient):
        problems.append(f"patient {patient!r} is not a pseudonymous code (letters, digits, . _ -; up to 40)")
    tp = timepoints.get(a.timepoint.strip().lower())
    if tp is None:
        problems.append(f"time point {a.timepoint!r} is not one of this study's ({', '.join(sorted({t.key for t in timepoints.values()}))})")
    try:
        view = View.parse(a.view).value
    except ValidationError as exc:
        view = ""
        problems.append(exc.message + " (write AP or LAT)")
    staged = queries.staged_image(session, a.item)
    if staged is None:
        problems.append(f"no image awaiting assignment has item number {a.item}")
    else:
        problems += _drr_view_problems(staged, a.item, view)
    result = Assignment(a.item, patient, tp.key if tp else a.timepoint, view)
    if not problems:
        slot = (patient, result.timepoint, view)
        if slot in taken:
            problems.append(f"patient {patient} {result.timepoint} {view} is given twice")
        taken.add(slot)
        existing = queries.image_views_by_case(session).get((patient, result.timepoint), set())
        if view in existing:
            problems.append(f"patient {patient} {result.timepoint} already has a {view} image")
    return problems, result


def _drr_view_problems(staged: models.StagedImage, item: int, view: str) -> list[str]:
    """A radiograph made from CT (services.drr) knows its own view: it cannot be placed as another."""
    made_as = (((staged.display or {}).get("extra") or {}).get("drr") or {}).get("view")
    if not made_as or not view:
        return []
    expected = {"frontal": "AP", "lateral": "LAT"}.get(made_as)
    if expected is None:
        return [f"item {item} is an {made_as} DRR: it is for export only, not a radiograph view"]
    if expected != view:
        return [f"item {item} is a {made_as} DRR: it can only be placed as {expected}"]
    return []


def assign(study: Study, assignments: list[Assignment], *, actor: str | None = None, source: str = "") -> list[str]:
    """Place staged images into cases, all or nothing; returns the case codes they joined."""
    if not assignments:
        raise ValidationError("nothing to assign", fix="give --item, --patient, --timepoint and --view, or a CSV")
    with unit_of_work(study, actor) as uow:
        placed = assign_in(uow, assignments, source=source)
    return placed


def assign_in(uow: UnitOfWork, assignments: list[Assignment], *, source: str = "") -> list[str]:
    """:func:`assign` as part of a larger change (e.g. DRRs made and placed in one unit of work)."""
    session = uow.session
    timepoints = {tp.key.lower(): tp for tp in queries.timepoints(session)}
    timepoints.update({tp.label.lower(): tp for tp in list(timepoints.values())})
    taken: set = set()
    problems: list[tuple[int, str]] = []
    normalised = []
    for number, a in enumerate(assignments, start=1):
        row_problems, n = _normalise(session, a, timepoints, taken)
        if row_problems:
            problems.append((number, "; ".join(row_problems)))
        normalised.append(n)
    if problems:
        if source:
            raise InputFileError(source, [RowProblem(line + 1, text) for line, text in problems])
        raise ValidationError(problems[0][1], fix="check the item number with `rushrater pending STUDY`")
    case_codes = queries.case_codes(session)
    placed = []
    for a in normalised:
        staged = queries.staged_image(session, a.item)
        tp = timepoints[a.timepoint.lower()]
        patient = queries.patient_by_code(session, a.patient)
        if patient is None:
            patient = models.Patient(code=a.patient)
            session.add(patient)
            session.flush()
        case = queries.case_for(session, patient.id, tp.id)
        if case is None:
            case = models.Case(code=random_code("C", taken=case_codes), patient_id=patient.id, timepoint_id=tp.id, created_at=audit.now())
            session.add(case)
            session.flush()
        image = models.Image(
            case_id=case.id,
            view=a.view,
            content_sha256=staged.content_sha256,
            file_sha256=staged.file_sha256,
            storage_key=staged.storage_key,
            created_at=audit.now(),
            display=staged.display,
            **staged.image_fields,
        )
        session.delete(staged)
        session.flush()  # the staged row's unique keys are free before the image takes them
        session.add(image)
        session.flush()
        session.add(
            models.ImageDeidentification(
                image_id=image.id,
                method=staged.method,
                patient_identity_removed="YES",
                study_day=staged.study_day,
                device=staged.device,
                template=staged.template,
                redactions=staged.redactions,
            )
        )
        uow.record(
            "images.assign",
            "image",
            image.id,
            before={"staged_item": a.item, "reason": staged.reason},
            after={"case": case.code, "timepoint": tp.key, "view": a.view},
        )
        placed.append(case.code)
    return placed


def assign_from_csv(study: Study, csv_path: str | Path, *, actor: str | None = None) -> list[str]:
    path = Path(csv_path).expanduser()
    rows = read_csv_rows(path, ASSIGN_COLUMNS)
    problems = []
    assignments = []
    for line, values in rows:
        if "__error__" in values:
            problems.append(RowProblem(line, values["__error__"]))
            continue
        try:
            item = int(values["item"])
        except ValueError:
            problems.append(RowProblem(line, f"item {values['item']!r} is not a number"))
            continue
        assignments.append(Assignment(item, values["patient"], values["timepoint"], values["view"]))
    if problems:
        raise InputFileError(str(path), problems)
    return assign(study, assignments, actor=actor, source=str(path))


def discard(study: Study, item: int, *, reason: str, actor: str | None = None) -> Changes:
    """Drop a staged image that is not part of the study (a scout, a wrong body part)."""
    if not reason or not reason.strip():
        raise ValidationError("say why the image is discarded", fix='add --reason "scout image"')
    with unit_of_work(study, actor) as uow:
        staged = queries.staged_image(uow.session, item)
        if staged is None:
            raise NotFoundError(f"no image awaiting assignment has item number {item}", fix="list them with `rushrater pending STUDY`")
        uow.retire_file(staged.storage_key)
        uow.session.delete(staged)
        uow.record("images.discard", "staged_image", item, before={"reason": staged.reason}, reason=reason.strip())
    return uow.changes


@dataclass(frozen=True)
class PlacedImage:
    image_id: int
    case: str
    patient: str
    timepoint: str
    view: str
    width: int
    height: int
    template: str
    redactions: list


def list_placed(study: Study) -> list[PlacedImage]:
    """Every image in a case, for the coordinator's import window (redaction after import)."""
    out = []
    with study.db.read() as session:
        for case in queries.cases(session):
            for image in case.images:
                record = queries.image_deidentification(session, image.id)
                out.append(
                    PlacedImage(
                        image_id=image.id,
                        case=case.code,
                        patient=case.patient.code,
                        timepoint=case.timepoint.key,
                        view=image.view,
                        width=image.width,
                        height=image.height,
                        template=record.template if record else "",
                        redactions=list((record.redactions or {}).get("rects", [])) if record else [],
                    )
                )
    return out


def patient_codes(study: Study) -> list[str]:
    with study.db.read() as session:
        return sorted(queries.patient_codes(session))


def timepoint_keys(study: Study) -> list[str]:
    with study.db.read() as session:
        return [tp.key for tp in queries.timepoints(session)]
