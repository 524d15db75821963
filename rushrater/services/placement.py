"""Where an imported image goes: its patient, time point and view, or "needs assignment".

With a manifest the coordinator decides (each row is checked before any file is decoded); without
one, images are grouped by Patient ID, each patient's imaging dates fill the study's time points in
order, and the view comes from View Position or the series' descriptions. What cannot be decided
is staged for the coordinator. Duplicates (within the import or of stored images) are skipped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..domain.codes import PATIENT_CODE, random_code
from ..domain.errors import InputFileError, RowProblem, ValidationError
from ..domain.views import View
from ..imaging.sources import Prepared
from ..storage import queries
from .csv_input import read_csv_rows

MANIFEST_COLUMNS = ("file", "patient", "timepoint", "view")

IMPORTED = "imported"
NEEDS_ASSIGNMENT = "needs assignment"
ALREADY = "skipped: already in the study"
DUPLICATE = "skipped: duplicate"
REJECTED = "rejected"


@dataclass
class ImportRow:
    item: int
    file: str
    status: str
    reason: str = ""
    patient: str | None = None
    timepoint: str | None = None
    view: str | None = None
    case: str | None = None
    staged: int | None = None  # staged_image id for "needs assignment"
    line: int | None = None  # manifest line


def manifest_rows(manifest: Path, source: Path, timepoints) -> dict[Path, ImportRow]:
    rows = read_csv_rows(manifest, MANIFEST_COLUMNS)
    if not rows:
        raise InputFileError(str(manifest), [RowProblem(2, "no rows below the header")], fix="list one image per row")
    lookup = {tp.key.lower(): tp for tp in timepoints}
    lookup.update({tp.label.lower(): tp for tp in timepoints})
    problems: list[RowProblem] = []
    seen_slots: dict = {}
    out: dict[Path, ImportRow] = {}
    for number, (line, values) in enumerate(rows, start=1):
        if "__error__" in values:
            problems.append(RowProblem(line, values["__error__"]))
            continue
        row = _ManifestRow(line, values["file"], values["patient"], values["timepoint"], values["view"])
        row_problems = _check_row(row, source, lookup, seen_slots)
        if row_problems:
            problems.append(RowProblem(line, "; ".join(row_problems)))
            continue
        path = _resolve(source, row.file)
        if path in out:
            problems.append(RowProblem(line, f"file {row.file!r} is also given on line {out[path].line}"))
            continue
        out[path] = ImportRow(item=number, file=row.file, status="", patient=row.patient, timepoint=row.timepoint,
                              view=row.view, line=line)
    if problems:
        raise InputFileError(str(manifest), problems)
    return out


@dataclass
class _ManifestRow:
    line: int
    file: str
    patient: str
    timepoint: str
    view: str


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


def view_from_hints(hints: dict[str, str]) -> tuple[str | None, str]:
    """AP or LAT from View Position, else from the descriptions; (None, why) when undecidable."""
    position = (hints.get("ViewPosition") or "").strip()
    if position:
        try:
            return View.parse(position).value, ""
        except ValidationError:
            pass
    words = " ".join(hints.get(k, "") for k in ("SeriesDescription", "ProtocolName", "StudyDescription")).upper()
    tokens = set(words.replace("_", " ").replace("-", " ").replace("/", " ").replace(".", " ").split())
    ap = bool(tokens & {"AP", "PA", "ANTEROPOSTERIOR", "FRONTAL", "A.P."})
    lat = bool(tokens & {"LAT", "LATERAL", "LL", "ML", "LM", "AXIAL", "LAUENSTEIN", "FROG", "CROSSTABLE", "XTABLE", "LATERALE"})
    if ap != lat:
        return ("AP" if ap else "LAT"), ""
    if ap and lat:
        # The descriptions are free text (they can name people): the reason never quotes them.
        return None, "the series, protocol or study description names both AP and lateral"
    if position:
        return None, "View Position is neither AP nor lateral"
    return None, "no view position or description says AP or lateral"


def decide(session, images, files, results, manifest_rows, key_rows, timepoints, manifest_name: str = ""):
    """Report rows, images to stage, and images to place, from the prepared results.

    Decided in the import's write transaction (``session``), so what is stored is checked against
    the study as it is then; the file of an image given twice is removed from ``images`` at once."""
    rows: list[ImportRow] = []
    staged: list[tuple[Prepared, ImportRow]] = []
    placements: list[tuple[Prepared, ImportRow]] = []
    tp_keys = [tp.key for tp in timepoints]
    first_by_hash: dict[str, ImportRow] = {}
    problems: list[RowProblem] = []

    stored = queries.images_by_content(session, [r.content_sha256 for r in results if r.status == "duplicate"])
    stored_staged = queries.staged_by_content(session, [r.content_sha256 for r in results if r.status == "duplicate"])
    stored_views = queries.image_views_by_case(session)

    ready: list[tuple[Prepared, ImportRow]] = []
    for index, (path, result) in enumerate(zip(files, results), start=1):
        given = manifest_rows.get(path)
        row = given or ImportRow(item=index, file=str(path), status="")
        if result.status == "rejected":
            row.status, row.reason = REJECTED, result.reason
        elif result.content_sha256 in first_by_hash:
            first = first_by_hash[result.content_sha256]
            if given is not None:
                problems.append(RowProblem(given.line, f"the same image as line {first.line}"))
            row.status, row.reason = DUPLICATE, f"the same image as item {first.item}"
            if result.storage_key:
                images.discard(result.storage_key)
                result.storage_key = ""
        elif result.status == "duplicate":
            image = stored.get(result.content_sha256)
            if image is not None:
                where = (image.case.patient.code, image.case.timepoint.key, image.view)
                if given is not None and where != (given.patient, given.timepoint, given.view):
                    problems.append(RowProblem(given.line, f"this image is already in the study as case {image.case.code} ({', '.join(where)})"))
                row.status, row.case = ALREADY, image.case.code
                row.patient, row.timepoint, row.view = where
            else:
                item = stored_staged.get(result.content_sha256)
                row.status = ALREADY
                row.reason = f"awaiting assignment as staged item {item.id}" if item else ""
                row.staged = item.id if item else None
        else:
            ready.append((result, row))
        first_by_hash.setdefault(result.content_sha256 or f"-{index}", row)
        rows.append(row)
    if problems:
        raise InputFileError(manifest_name, sorted(problems, key=lambda p: p.line))

    if manifest_rows:
        for result, row in ready:
            if row.view in stored_views.get((row.patient, row.timepoint), set()):
                problems.append(RowProblem(row.line, f"patient {row.patient} {row.timepoint} already has a different {row.view} image"))
            row.status = IMPORTED
            placements.append((result, row))
        if problems:
            raise InputFileError(manifest_name, sorted(problems, key=lambda p: p.line))
        _study_days_for_manifest(placements)
        return rows, staged, placements

    # --- folder import: group by Patient ID, order dates into time points ---
    code_for: dict[str, str] = {}
    dates_for: dict[str, set[str]] = defaultdict(set)
    tp_of_date: dict[tuple[str, str], str] = {}
    for key_row in key_rows:
        pid, code = key_row.get("patient_id", ""), key_row.get("patient_code", "")
        if pid and code:
            code_for.setdefault(pid, code)
            if key_row.get("study_date"):
                dates_for[code].add(key_row["study_date"])
                if key_row.get("timepoint"):
                    tp_of_date[(code, key_row["study_date"])] = key_row["timepoint"]
    taken = queries.patient_codes(session) | {s.patient_code for s in queries.staged_images(session) if s.patient_code}
    taken |= set(code_for.values())
    for result, row in ready:
        pid = result.identifiers.get("patient_id", "")
        if pid:
            if pid not in code_for:
                code_for[pid] = random_code("P", taken=taken)
            row.patient = code_for[pid]
            if result.identifiers.get("study_date"):
                dates_for[row.patient].add(result.identifiers["study_date"])
    slots: dict[tuple[str, str, str], list[tuple[Prepared, ImportRow]]] = defaultdict(list)
    for result, row in ready:
        reasons = []
        if result.source_format != "DICOM":
            reasons.append(f"a {result.source_format} file carries no patient or date")
        elif not row.patient:
            reasons.append("no Patient ID in the DICOM header")
        study_date = result.identifiers.get("study_date", "")
        tp = None
        if row.patient and study_date:
            ordered = sorted(dates_for[row.patient])
            row_day = _days_between(ordered[0], study_date)
            result.identifiers["study_day"] = row_day
            if (row.patient, study_date) in tp_of_date:
                tp = tp_of_date[(row.patient, study_date)]
            elif len(ordered) > len(tp_keys):
                reasons.append(f"patient has {len(ordered)} imaging dates for {len(tp_keys)} time points")
            else:
                tp = tp_keys[ordered.index(study_date)]
        elif result.source_format == "DICOM" and row.patient:
            reasons.append("no study date in the DICOM header")
        view, why = view_from_hints(result.hints) if result.source_format == "DICOM" else (None, "")
        if view is None and why:
            reasons.append(why)
        row.timepoint, row.view = tp, view
        if reasons:
            row.status, row.reason = NEEDS_ASSIGNMENT, "; ".join(reasons)
            staged.append((result, row))
        else:
            slots[(row.patient, tp, view)].append((result, row))
    for (patient, tp, view), items in slots.items():
        if len(items) > 1:
            for result, row in items:
                others = ", ".join(str(r.item) for _, r in items if r is not row)
                row.status, row.reason = NEEDS_ASSIGNMENT, f"{len(items)} {view} images for the same visit (also item {others})"
                staged.append((result, row))
        elif view in stored_views.get((patient, tp), set()):
            result, row = items[0]
            row.status, row.reason = NEEDS_ASSIGNMENT, f"patient {patient} {tp} already has a {view} image"
            staged.append((result, row))
        else:
            result, row = items[0]
            row.status = IMPORTED
            placements.append((result, row))
    staged.sort(key=lambda pair: pair[1].item)
    return rows, staged, placements


def _days_between(first: str, other: str) -> int | None:
    try:
        a = date(int(first[:4]), int(first[4:6]), int(first[6:8]))
        b = date(int(other[:4]), int(other[4:6]), int(other[6:8]))
    except (ValueError, TypeError):
        return None
    return (b - a).days


def _study_days_for_manifest(placements) -> None:
    firsts: dict[str, str] = {}
    for result, row in placements:
        d = result.identifiers.get("study_date")
        if d and (row.patient not in firsts or d < firsts[row.patient]):
            firsts[row.patient] = d
    for result, row in placements:
        d = result.identifiers.get("study_date")
        if d:
            result.identifiers["study_day"] = _days_between(firsts[row.patient], d)
