"""Importing radiographs: from folders (grouped from their DICOM headers) or through a manifest.

``import_images(study, sources, key_file=..., manifest=None)``:

- Every input file is accounted for in the report: imported (case and view), awaiting assignment,
  skipped as already in the study (or a duplicate of another input), or rejected with its reason.
  Bad files never stop the others; nothing half-imported is left: the import is one unit of work
  (``services.unit_of_work``), so a failure rolls its rows back and discards every file it stored.
- DICOM is de-identified (PS3.15 Annex E Basic Profile, ``imaging.deid``) before its pixels and
  display attributes are read; only those are kept, under random names. Other formats give pixels
  only.
- Without a manifest, images are grouped by Patient ID; each patient's imaging dates, in order,
  fill the study's time points; the view comes from View Position / Series Description. What
  cannot be decided is kept, de-identified, in ``staged_image`` ("needs assignment") until the
  coordinator assigns it (:func:`assign_staged`). Patients get random codes; the link to their
  identifiers goes only into the key file, which the import reads to keep codes stable across
  imports.
- Before committing, the blinding check searches the database, the new images and the study's
  file names for every identifier of this import and the key file; any hit rolls the import back.
- Importing the same files again adds nothing (images are recognised by their pixel hash).

A manifest (``file,patient,timepoint,view``) decides patient, time point and view instead; errors in
the manifest itself (unknown time point, bad view, missing file, two images for one slot) still
refuse the whole manifest, as before.

The parts: ``csv_input`` reads the manifest, ``decode_pool`` prepares the files on worker
processes, ``placement`` decides where each image goes; this module stores the decision.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..domain.changes import NO_CHANGES, Changes
from ..domain.codes import random_code
from ..domain.errors import RushRaterError, ValidationError
from ..imaging.redaction import template_key
from ..imaging.sources import Prepared, PrepareOptions
from ..storage import models, queries, writes
from . import audit, keyfile
from .blinding import BlindingError, check_key_file_path, display_free_text, hits_message, read_key_file, scan
from .decode_pool import Progress, prepare_files
from .files import translate_os_error
from .placement import (  # noqa: F401  (the report's statuses and rows, imported from here by the CLI)
    ALREADY,
    DUPLICATE,
    IMPORTED,
    NEEDS_ASSIGNMENT,
    REJECTED,
    ImportRow,
    decide,
    manifest_rows,
)
from .study import Study
from .unit_of_work import UnitOfWork, unit_of_work


@dataclass
class ImportReport:
    sources: list[str]
    manifest: str | None = None
    rows: list[ImportRow] = field(default_factory=list)
    report_path: str | None = None
    key_file: str | None = None
    #: What the import changed in the study (none when it stored nothing new).
    changes: Changes = field(default=NO_CHANGES, compare=False, repr=False)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status.startswith(status))

    @property
    def imported(self) -> int:
        return self.count(IMPORTED)

    @property
    def needs_assignment(self) -> int:
        return self.count(NEEDS_ASSIGNMENT)

    @property
    def rejected(self) -> int:
        return self.count(REJECTED)

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    def to_dict(self, *, with_files: bool = True) -> dict:
        rows = []
        for r in self.rows:
            row = asdict(r)
            if not with_files:
                # The copy kept in the study never holds source paths or names (they can carry
                # identifiers); the item number links it to the coordinator's printed report.
                row.pop("file")
            rows.append(row)
        data = {
            "imported": self.imported,
            "needs_assignment": self.needs_assignment,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "rows": rows,
        }
        if with_files:
            data = {"sources": self.sources, "manifest": self.manifest, "key_file": self.key_file, **data}
        return data


def collect_files(sources: Sequence[str | Path]) -> list[Path]:
    """Files of every SOURCE, folders searched recursively (hidden files and folders left out)."""
    files: list[Path] = []
    seen: set[Path] = set()
    for source in sources:
        path = Path(source).expanduser()
        if path.is_file():
            candidates = [path]
        elif path.is_dir():
            candidates = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            raise ValidationError("source not found", where=str(path), fix="give image files or folders that hold them")
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(candidate)
    return files


def import_manifest(
    study: Study, source: str | Path, manifest: str | Path, *, actor: str | None = None, key_file: str | Path | None = None, **kwargs
) -> ImportReport:
    """The manifest import (kept for callers of the first version)."""
    return import_images(study, [source], manifest=manifest, key_file=key_file, actor=actor, **kwargs)


def import_images(
    study: Study,
    sources: Sequence[str | Path],
    *,
    manifest: str | Path | None = None,
    key_file: str | Path | None = None,
    actor: str | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> ImportReport:
    sources = [Path(s).expanduser() for s in sources]
    if not sources:
        raise ValidationError("nothing to import", fix="give one or more image files or folders")
    key_path = check_key_file_path(study.root, Path(key_file)) if key_file is not None else None
    if key_path is None and manifest is None:
        raise ValidationError(
            "a folder import needs --key-file: patients get random codes, and the key file is the only link back",
            fix="add --key-file PATH (outside the study folder; keep it apart from the study)",
        )
    keyfile.reconcile(study, key_path)  # rows a crashed import left pending
    key_rows = read_key_file(key_path)
    device_codes = {r["device"]: r["device_code"] for r in key_rows if r.get("device") and r.get("device_code")}

    with study.db.read() as session:
        timepoints = queries.timepoints(session)
        known = queries.known_content_hashes(session)
        templates = queries.redaction_templates(session)

    rows_of: dict[Path, ImportRow] = {}
    if manifest is not None:
        manifest = Path(manifest).expanduser()
        base = sources[0]
        if not base.is_dir():
            raise ValidationError(
                "source is not a folder" if base.exists() else "source folder not found",
                where=str(base),
                fix="give the folder that holds the images; manifest paths are relative to it",
            )
        rows_of = manifest_rows(manifest, base, timepoints)
        files = list(rows_of)
    else:
        files = collect_files(sources)
        if not files:
            raise ValidationError("no files found", where=", ".join(str(s) for s in sources), fix="give the folder PACS exported the images to")

    report = ImportReport(sources=[str(s) for s in sources], manifest=str(manifest) if manifest else None,
                          key_file=str(key_path) if key_path else None)
    options = PrepareOptions(
        store_root=str(study.images.root),
        uid_secret=secrets.token_bytes(32),
        known_hashes=frozenset(known),
        templates=templates,
        device_codes=device_codes,
    )
    files_before = set(study.images._file_keys())
    try:
        results = prepare_files(files, options, progress, workers)  # removes its files if it fails
        _store(study, report, files, results, rows_of, key_rows, key_path, device_codes, str(manifest or ""), actor)
    except BaseException as exc:
        _remove_own_leftovers(study, files_before)
        if isinstance(exc, OSError):
            translated = translate_os_error(exc, study.images.root, "the study's image files")
            if translated is not None:
                raise translated from exc
        raise
    report.report_path = str(_keep_report(study, report))
    return report


def _code_devices(session, results: list[Prepared], device_codes: dict[str, str]) -> None:
    """Give each device new to the study a random code (kept with its name in the key file only).

    Manufacturer and model stay out of the study: in a multi-site study they tell a rater which
    site (and so often which surgeon or which arm) an image came from. Redaction templates still
    work per device and size, on the code.
    """
    taken = queries.device_codes_in_use(session) | set(device_codes.values())
    for result in results:
        if result.device_name and not result.device:
            if result.device_name not in device_codes:
                device_codes[result.device_name] = random_code("D", taken=taken)
            result.device = device_codes[result.device_name]
            result.template = template_key(result.device, result.width, result.height)


def _recode_devices(session, results: list[Prepared]) -> None:
    """Studies imported before device codes hold the names: replace them with this import's codes
    (else the blinding check, which now searches device names, would stop every later import)."""
    for name, code in {(r.device_name, r.device) for r in results if r.device_name and r.device}:
        writes.rename_device(session, name, code)


def _remove_own_leftovers(study: Study, files_before: set[str]) -> None:
    """Files this import's workers stored that no row refers to (a worker finishing after another
    failed, a disk that filled up): removed, so a failed import leaves nothing behind."""
    from .gc import collect_garbage

    try:
        collect_garbage(study, dry_run=False, among=set(study.images._file_keys()) - files_before)
    except Exception:  # noqa: BLE001 - the import's own error is the one to report; `rushrater gc` remains
        pass


def _key_row(result: Prepared, row: ImportRow, placed_as: str) -> dict[str, str]:
    ids = result.identifiers
    return {
        "patient_code": row.patient or "",
        "patient_id": ids.get("patient_id", ""),
        "patient_name": ids.get("patient_name", ""),
        "other_names": "\\".join(ids.get("other_names", [])),
        "birth_date": ids.get("birth_date", ""),
        "accession_number": ids.get("accession_number", ""),
        "study_date": ids.get("study_date", ""),
        "study_day": "" if ids.get("study_day") is None else str(ids.get("study_day")),
        "study_instance_uid": ids.get("study_instance_uid", ""),
        "timepoint": row.timepoint or "",
        "view": row.view or "",
        "placed_as": placed_as,
        "imported_at": audit.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "device": result.device_name,
        "device_code": result.device if result.device_name else "",
    }


def _store(study: Study, report: ImportReport, files, results: list[Prepared], rows_of, key_rows, key_path,
           device_codes: dict[str, str], manifest_name: str, actor: str | None) -> None:
    """Decide where each prepared image goes and store it, in one unit of work with its files."""
    new_key_rows: list[dict[str, str]] = []
    # Recorded with the images and marked on the key rows written before the commit (keyfile).
    import_id = str(uuid.uuid4())
    key_written = False
    try:
        with unit_of_work(study, actor, new_files=[r.storage_key for r in results if r.storage_key]) as uow:
            session = uow.session
            _code_devices(session, results, device_codes)
            rows, staged, placements = decide(session, study.images, files, results, rows_of, key_rows,
                                              queries.timepoints(session), manifest_name)
            report.rows = rows
            new_keys = [r.storage_key for r in results if r.storage_key]  # duplicates' files are gone
            # What older imports kept and the blinding check now refuses is cleaned first.
            _recode_devices(session, results)
            display_free_text(session, remove=True)
            _place(uow, placements, staged, new_key_rows)
            uow.record(
                "images.import",
                "image",
                None,
                after={
                    "manifest_sha256": hashlib.sha256(Path(report.manifest).read_bytes()).hexdigest() if report.manifest else None,
                    "files": len(report.rows),
                    "imported": report.imported,
                    "needs_assignment": report.needs_assignment,
                    "skipped": report.skipped,
                    "rejected": report.rejected,
                    "cases": sorted({r.case for r in report.rows if r.case and r.status == IMPORTED}),
                    "deidentification": "DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile",
                    "import_id": import_id,
                },
            )
            session.flush()
            # The blinding check runs on the uncommitted transaction: a hit rolls everything back.
            blinding = scan(
                study,
                key_rows + new_key_rows,
                session=session,
                image_keys=new_keys,
                image_texts={r.storage_key: r.text for r in results if r.storage_key},
            )
            if not blinding.clean:
                raise BlindingError(
                    f"identifiers found where raters could see them; the import was rolled back:\n  {hits_message(blinding)}",
                    where=str(study.root),
                    fix="remove the identifiers from the source (or the study's files) and import again",
                )
            if key_path is not None and new_key_rows:
                # Before the commit: a kill after it still finds the link back to the patients.
                keyfile.write_key_file(key_path, key_rows + [{**row, keyfile.PENDING: import_id} for row in new_key_rows])
                key_written = True
    except BaseException:
        if key_written:
            try:  # drops the pending rows unless the commit got through after all
                keyfile.reconcile(study, key_path)
            except Exception:  # noqa: BLE001 - the next import reconciles; the first error matters
                pass
        raise
    report.changes = uow.changes
    if key_written:
        # Committed: the images must stay even if clearing the marks fails (the next import
        # reconciles the rows, which already name their patients).
        try:
            keyfile.write_key_file(key_path, key_rows + new_key_rows)
        except RushRaterError:
            pass


def _place(uow: UnitOfWork, placements, staged, new_key_rows: list[dict[str, str]]) -> None:
    """The decided images as rows: placed into their cases, or staged for the coordinator."""
    session = uow.session
    timepoints = {tp.key: tp for tp in queries.timepoints(session)}
    taken_codes = queries.case_codes(session)
    cases: dict[tuple[str, str], models.Case] = {}
    for result, row in placements:
        case = _case_for(session, row.patient, timepoints[row.timepoint], cases, taken_codes)
        image = _image_row(result, case.id, row.view)
        session.add(image)
        session.flush()
        session.add(_deid_row(result, image.id))
        row.case = case.code
        if result.identifiers:
            new_key_rows.append(_key_row(result, row, f"case {case.code} {row.view}"))
    for result, row in staged:
        item = models.StagedImage(
            storage_key=result.storage_key,
            file_sha256=result.file_sha256,
            content_sha256=result.content_sha256,
            image_fields=result.image_fields,
            display=result.display,
            patient_code=row.patient,
            study_day=result.identifiers.get("study_day"),
            timepoint=row.timepoint,
            view=row.view,
            reason=row.reason,
            method=result.deid_method,
            device=result.device,
            template=result.template,
            redactions={"rects": result.redactions} if result.redactions else None,
            created_at=audit.now(),
        )
        session.add(item)
        session.flush()
        row.staged = item.id
        if result.identifiers:
            new_key_rows.append(_key_row(result, row, f"staged item {item.id}"))


def _case_for(session, patient_code: str, tp, cases: dict, taken_codes: set[str]) -> models.Case:
    patient = queries.patient_by_code(session, patient_code)
    if patient is None:
        patient = models.Patient(code=patient_code)
        session.add(patient)
        session.flush()
    case = cases.get((patient_code, tp.key)) or queries.case_for(session, patient.id, tp.id)
    if case is None:
        case = models.Case(code=random_code("C", taken=taken_codes), patient_id=patient.id, timepoint_id=tp.id, created_at=audit.now())
        session.add(case)
        session.flush()
    cases[(patient_code, tp.key)] = case
    return case


def _image_row(result: Prepared, case_id: int, view: str) -> models.Image:
    return models.Image(
        case_id=case_id,
        view=view,
        content_sha256=result.content_sha256,
        file_sha256=result.file_sha256,
        storage_key=result.storage_key,
        created_at=audit.now(),
        display=result.display,
        **result.image_fields,
    )


def _deid_row(result: Prepared, image_id: int) -> models.ImageDeidentification:
    return models.ImageDeidentification(
        image_id=image_id,
        method=result.deid_method[:200],
        patient_identity_removed="YES",
        study_day=result.identifiers.get("study_day"),
        device=result.device[:200],
        template=result.template[:300],
        redactions={"rects": result.redactions} if result.redactions else None,
    )


def _keep_report(study: Study, report: ImportReport) -> Path:
    study.reports_dir.mkdir(parents=True, exist_ok=True)
    stamp = audit.now().strftime("%Y%m%dT%H%M%S%fZ")
    path = study.reports_dir / f"import-{stamp}.json"
    path.write_text(json.dumps(report.to_dict(with_files=False), indent=2), encoding="utf-8")
    return path
