"""Importing images listed in a manifest CSV (``file,patient,timepoint,view``).

All or nothing: every row is checked (file readable and decodable, time point known, view AP or
lateral, no image twice) before anything is written to the database; if any row is bad the command
lists every bad row with its line number and stores nothing. Re-running the same manifest adds
nothing: rows whose image is already stored for the same patient, time point and view are skipped.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..domain.codes import PATIENT_CODE, random_code
from ..domain.errors import InputFileError, RowProblem, RushRaterError, ValidationError
from ..domain.views import View
from ..imaging.readers import DecodedImage, read_image
from ..storage import models, queries
from . import audit
from .study import Study

MANIFEST_COLUMNS = ("file", "patient", "timepoint", "view")


@dataclass
class ImportRow:
    line: int
    file: str
    patient: str
    timepoint: str
    view: str
    status: str  # "imported" | "skipped: already in the study"
    case: str | None = None


@dataclass
class ImportReport:
    manifest: str
    rows: list[ImportRow] = field(default_factory=list)
    report_path: str | None = None

    @property
    def imported(self) -> int:
        return sum(1 for r in self.rows if r.status == "imported")

    @property
    def skipped(self) -> int:
        return len(self.rows) - self.imported

    def to_dict(self) -> dict:
        return {
            "manifest": self.manifest,
            "imported": self.imported,
            "skipped": self.skipped,
            "rows": [asdict(r) for r in self.rows],
        }


@dataclass
class _Pending:
    """A checked row; its pixels are already in the store, so memory stays flat for big imports."""

    row: ImportRow
    content_sha256: str
    display: dict = field(default_factory=dict)
    storage_key: str = ""
    file_sha256: str = ""


def _display_attributes(image: DecodedImage) -> dict:
    return {
        "width": image.width,
        "height": image.height,
        "bits_stored": image.bits_stored,
        "photometric": image.photometric,
        "rescale_slope": image.rescale_slope,
        "rescale_intercept": image.rescale_intercept,
        "window_center": image.window_center,
        "window_width": image.window_width,
        "pixel_spacing_mm": image.pixel_spacing_mm,
        "source_format": image.source_format,
        "display": image.display.to_dict(),
    }


def read_csv_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV as (spreadsheet line number, {column: text}); header checked first."""
    if not path.is_file():
        raise ValidationError("file not found", where=str(path), fix="check the path of the CSV file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(handle, dialect)
            header = next(reader, None)
            if header is None:
                raise InputFileError(str(path), [RowProblem(1, "the file is empty")], fix="add the header line: " + ",".join(required))
            names = [h.strip().lower() for h in header]
            missing = [c for c in required if c not in names]
            unknown = [h for h in names if h not in required and h not in optional]
            dupes = sorted({h for h in names if names.count(h) > 1})
            problems = []
            if missing:
                problems.append(RowProblem(1, "missing column(s): " + ", ".join(missing)))
            if unknown:
                problems.append(RowProblem(1, "unknown column(s): " + ", ".join(repr(u) for u in unknown)))
            if dupes:
                problems.append(RowProblem(1, "column(s) given twice: " + ", ".join(dupes)))
            if problems:
                expected = ",".join(required) + ("" if not optional else " (optional: " + ",".join(optional) + ")")
                raise InputFileError(str(path), problems, fix=f"the header must be: {expected}")
            rows = []
            for values in reader:
                line = reader.line_num
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(names):
                    rows.append((line, {"__error__": f"has {len(values)} fields, the header has {len(names)}"}))
                    continue
                rows.append((line, {n: v.strip() for n, v in zip(names, values)}))
            return rows
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", where=str(path), fix="save the CSV as UTF-8"
        ) from exc


def import_manifest(study: Study, source: str | Path, manifest: str | Path, *, actor: str | None = None) -> ImportReport:
    source = Path(source).expanduser()
    manifest = Path(manifest).expanduser()
    if not source.is_dir():
        raise ValidationError(
            "source is not a folder" if source.exists() else "source folder not found",
            where=str(source),
            fix="give the folder that holds the images; manifest paths are relative to it",
        )
    actor = actor or audit.coordinator_actor()
    rows = read_csv_rows(manifest, MANIFEST_COLUMNS)
    if not rows:
        raise InputFileError(str(manifest), [RowProblem(2, "no rows below the header")], fix="list one image per row")

    with study.db.read() as session:
        timepoints = {tp.key.lower(): tp for tp in queries.timepoints(session)}
        timepoints.update({tp.label.lower(): tp for tp in timepoints.copy().values()})
        stored_views = queries.image_views_by_case(session)
    problems: list[RowProblem] = []
    pending: list[_Pending] = []
    seen_slots: dict[tuple[str, str, str], int] = {}
    seen_hashes: dict[str, int] = {}

    try:
        with study.db.read() as session:
            for line, values in rows:
                if "__error__" in values:
                    problems.append(RowProblem(line, values["__error__"]))
                    continue
                row = ImportRow(line, values["file"], values["patient"], values["timepoint"], values["view"], "imported")
                row_problems = _check_row(row, source, timepoints, seen_slots)
                if row_problems:
                    problems.append(RowProblem(line, "; ".join(row_problems)))
                    continue
                try:
                    image = read_image(_resolve(source, row.file))
                except RushRaterError as exc:
                    problems.append(RowProblem(line, f"{row.file}: {exc.message}"))
                    continue
                digest = image.content_sha256
                if digest in seen_hashes:
                    problems.append(RowProblem(line, f"the same image as line {seen_hashes[digest]}"))
                    continue
                seen_hashes[digest] = line
                stored = queries.images_by_content(session, [digest]).get(digest)
                if stored is not None:
                    where = (stored.case.patient.code, stored.case.timepoint.key, stored.view)
                    if where == (row.patient, row.timepoint, row.view):
                        row.status = "skipped: already in the study"
                        row.case = stored.case.code
                        pending.append(_Pending(row=row, content_sha256=digest))
                    else:
                        problems.append(
                            RowProblem(line, f"this image is already in the study as case {stored.case.code} ({', '.join(where)})")
                        )
                    continue
                if row.view in stored_views.get((row.patient, row.timepoint), set()):
                    problems.append(
                        RowProblem(line, f"patient {row.patient} {row.timepoint} already has a different {row.view} image")
                    )
                    continue
                item = _Pending(row=row, content_sha256=digest, display=_display_attributes(image))
                pending.append(item)
                if not problems:  # once a row is bad nothing will be stored: stop writing files
                    stored_file = study.images.put(image.pixels)
                    item.storage_key, item.file_sha256 = stored_file.key, stored_file.sha256
                del image
        if problems:
            raise InputFileError(str(manifest), sorted(problems, key=lambda p: p.line))
        _store(study, pending, manifest, actor)
    except BaseException:
        for item in pending:
            if item.storage_key:
                study.images.discard(item.storage_key)
        raise

    report = ImportReport(manifest=str(manifest), rows=[p.row for p in pending])
    report.report_path = str(_keep_report(study, report))
    return report


def _resolve(source: Path, file: str) -> Path:
    path = Path(file).expanduser()
    return path if path.is_absolute() else source / path


def _check_row(row: ImportRow, source: Path, timepoints: dict, seen_slots: dict) -> list[str]:
    """Problems with one manifest row that need no decoding; normalises time point and view."""
    problems = []
    if not PATIENT_CODE.match(row.patient):
        problems.append(f"patient {row.patient!r} is not a pseudonymous code (letters, digits, . _ -; up to 40)")
    tp = timepoints.get(row.timepoint.lower())
    if tp is None:
        known = ", ".join(sorted({t.key for t in timepoints.values()}))
        problems.append(f"time point {row.timepoint!r} is not one of this study's ({known})")
    else:
        row.timepoint = tp.key
    try:
        row.view = View.parse(row.view).value
    except ValidationError as exc:
        problems.append(exc.message + " (write AP or LAT)")
    if not row.file:
        problems.append("file is empty")
    elif not _resolve(source, row.file).is_file():
        problems.append(f"file {row.file!r} not found in {source}")
    if not problems:
        slot = (row.patient, row.timepoint, row.view)
        if slot in seen_slots:
            problems.append(f"patient {row.patient} {row.timepoint} {row.view} is also given on line {seen_slots[slot]}")
        seen_slots.setdefault(slot, row.line)
    return problems


def _store(study: Study, pending: list[_Pending], manifest: Path, actor: str) -> None:
    with study.db.write() as session:
        timepoints = {tp.key: tp for tp in queries.timepoints(session)}
        taken_codes = queries.case_codes(session)
        patients: dict[str, models.Patient] = {}
        cases: dict[tuple[str, str], models.Case] = {}
        for item in pending:
            row = item.row
            if row.status != "imported":
                continue
            patient = patients.get(row.patient) or queries.patient_by_code(session, row.patient)
            if patient is None:
                patient = models.Patient(code=row.patient)
                session.add(patient)
                session.flush()
            patients[row.patient] = patient
            tp = timepoints[row.timepoint]
            case = cases.get((row.patient, row.timepoint)) or queries.case_for(session, patient.id, tp.id)
            if case is None:
                case = models.Case(
                    code=random_code("C", taken=taken_codes), patient_id=patient.id, timepoint_id=tp.id, created_at=audit.now()
                )
                session.add(case)
                session.flush()
            cases[(row.patient, row.timepoint)] = case
            session.add(
                models.Image(
                    case_id=case.id,
                    view=row.view,
                    content_sha256=item.content_sha256,
                    file_sha256=item.file_sha256,
                    storage_key=item.storage_key,
                    created_at=audit.now(),
                    **item.display,
                )
            )
            row.case = case.code
        session.flush()
        imported = sum(1 for p in pending if p.row.status == "imported")
        audit.record(
            session,
            actor,
            "images.import",
            "image",
            None,
            after={
                "manifest_sha256": hashlib.sha256(manifest.read_bytes()).hexdigest(),
                "imported": imported,
                "skipped": len(pending) - imported,
                "cases": sorted({c.code for c in cases.values()}),
            },
        )


def _keep_report(study: Study, report: ImportReport) -> Path:
    study.reports_dir.mkdir(parents=True, exist_ok=True)
    stamp = audit.now().strftime("%Y%m%dT%H%M%S%fZ")
    path = study.reports_dir / f"import-{stamp}.json"
    path.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    return path
