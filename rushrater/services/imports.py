"""Importing radiographs: from folders (grouped from their DICOM headers) or through a manifest.

``import_images(study, sources, key_file=..., manifest=None)``:

- Every input file is accounted for in the report: imported (case and view), awaiting assignment,
  skipped as already in the study (or a duplicate of another input), or rejected with its reason.
  Bad files never stop the others; nothing half-imported is left (a failure discards every file
  this import stored, and the database write is one transaction).
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
"""

from __future__ import annotations

import csv
import ctypes
import hashlib
import json
import os
import secrets
import signal
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from ..domain.codes import PATIENT_CODE, random_code
from ..domain.errors import InputFileError, RowProblem, RushRaterError, ValidationError
from ..domain.views import View
from ..imaging.redaction import template_key
from ..imaging.sources import Prepared, PrepareOptions, prepare, warm_up
from ..imaging.store import ImageStore
from ..storage import models, queries, writes
from . import audit
from . import keyfile
from .blinding import BlindingError, check_key_file_path, display_free_text, hits_message, read_key_file, scan
from .files import translate_os_error
from .study import Study

MANIFEST_COLUMNS = ("file", "patient", "timepoint", "view")
ASSIGN_COLUMNS = ("item", "patient", "timepoint", "view")

IMPORTED = "imported"
NEEDS_ASSIGNMENT = "needs assignment"
ALREADY = "skipped: already in the study"
DUPLICATE = "skipped: duplicate"
REJECTED = "rejected"

Progress = Callable[[int, int], None]


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


@dataclass
class ImportReport:
    sources: list[str]
    manifest: str | None = None
    rows: list[ImportRow] = field(default_factory=list)
    report_path: str | None = None
    key_file: str | None = None

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


def read_csv_table(path: Path, *, empty_fix: str = "add a header line") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A CSV's header and its non-blank rows as (spreadsheet line number, values), as written.

    UTF-8 (with or without a BOM); comma, semicolon or tab, whichever the file uses."""
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
                raise InputFileError(str(path), [RowProblem(1, "the file is empty")], fix=empty_fix)
            rows = [(reader.line_num, values) for values in reader if any(v.strip() for v in values)]
            return header, rows
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", where=str(path), fix="save the CSV as UTF-8"
        ) from exc


def read_csv_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...] = (), *, keep_spaces: bool = False
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV as (spreadsheet line number, {column: text}); header checked first.

    ``keep_spaces`` leaves the values as written (for callers that refuse " 3 " rather than guess)."""
    header, table = read_csv_table(path, empty_fix="add the header line: " + ",".join(required))
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
    for line, values in table:
        if len(values) != len(names):
            rows.append((line, {"__error__": f"has {len(values)} fields, the header has {len(names)}"}))
            continue
        rows.append((line, {n: (v if keep_spaces else v.strip()) for n, v in zip(names, values)}))
    return rows




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
    actor = actor or audit.coordinator_actor()
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

    manifest_rows: dict[Path, ImportRow] = {}
    if manifest is not None:
        manifest = Path(manifest).expanduser()
        base = sources[0]
        if not base.is_dir():
            raise ValidationError(
                "source is not a folder" if base.exists() else "source folder not found",
                where=str(base),
                fix="give the folder that holds the images; manifest paths are relative to it",
            )
        manifest_rows = _manifest_rows(manifest, base, timepoints)
        files = list(manifest_rows)
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
    results: list[Prepared] = []
    files_before = set(study.images._file_keys())
    try:
        results = _run(files, options, progress, workers)
        _code_devices(study, results, device_codes)
        rows, staged, placements = _decide(study, files, results, manifest_rows, key_rows, timepoints, str(manifest or ""))
        report.rows = rows
        _commit(study, report, results, staged, placements, key_rows, key_path, actor)
    except BaseException as exc:
        for result in results:
            if result.storage_key:
                study.images.discard(result.storage_key)
        _remove_own_leftovers(study, files_before)
        if isinstance(exc, OSError):
            translated = translate_os_error(exc, study.images.root, "the study's image files")
            if translated is not None:
                raise translated from exc
        raise
    report.report_path = str(_keep_report(study, report))
    return report


def _code_devices(study: Study, results: list[Prepared], device_codes: dict[str, str]) -> None:
    """Give each device new to the study a random code (kept with its name in the key file only).

    Manufacturer and model stay out of the study: in a multi-site study they tell a rater which
    site (and so often which surgeon or which arm) an image came from. Redaction templates still
    work per device and size, on the code.
    """
    with study.db.read() as session:
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


#: Address space one worker may add to what it starts with (RLIMIT_AS): a 10,000 x 10,000 16-bit
#: radiograph and its working copies fit; a codestream that lies about its size does not.
DECODE_MEMORY_BYTES = 2 << 30
#: Wall time one file may take in a worker (a large JPEG 2000 decodes in a few seconds).
DECODE_SECONDS = 120


def _die_with_parent(parent_pid: int) -> None:
    """A worker ends when the import process does, even when that is killed (SIGKILL runs no
    clean-up in the parent): Linux delivers SIGKILL on the parent's death (PR_SET_PDEATHSIG), and
    a watchdog thread covers other systems by exiting once the parent pid changes."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="rushrater-parent-watch", daemon=True).start()


def _cap_address_space(extra_bytes: int) -> None:
    """Let the worker's decoders allocate at most ``extra_bytes`` more than it holds now."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    except (ImportError, OSError, StopIteration, ValueError):
        return  # no /proc (macOS, Windows): no cap, the time limit still holds
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size_kb * 1024 + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _init_worker(parent_pid: int, memory_bytes: int) -> None:
    _die_with_parent(parent_pid)
    _cap_address_space(memory_bytes)


def _prepare_with_time_limit(path: str, options: PrepareOptions, seconds: int) -> Prepared:
    # SIGALRM's default action ends the process even inside native code that never returns to
    # Python; the parent sees a broken pool and names the file that took too long.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(seconds)
    try:
        return prepare(path, options)
    except MemoryError:  # prepare names it for the decoders; this catches the rest of the work
        return Prepared(path=path, status="rejected", reason="preparing the image needs more memory than the limit per file")
    finally:
        signal.alarm(0)


def _limited_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(os.getpid(), DECODE_MEMORY_BYTES))


def _remove_own_leftovers(study: Study, files_before: set[str]) -> None:
    """Files this import's workers stored that no row refers to (a worker finishing after another
    failed, a disk that filled up): removed, so a failed import leaves nothing behind."""
    from .gc import collect_garbage

    try:
        collect_garbage(study, dry_run=False, among=set(study.images._file_keys()) - files_before)
    except Exception:  # noqa: BLE001 - the import's own error is the one to report; `rushrater gc` remains
        pass


def _run(files: list[Path], options: PrepareOptions, progress: Progress | None, workers: int | None) -> list[Prepared]:
    """Prepare every file on a process pool (decode, de-identify, hash and encode use every core).

    Decoding always runs in worker processes, one file at a time each, with a memory cap and a time
    limit, and the workers die with the import. A decoder that crashes its process on a damaged
    file (native code can), runs out of time or is killed costs that file only: the files left are
    prepared again one process each, and the one that fails is rejected with the reason.
    """
    total = len(files)
    if progress:
        progress(0, total)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    workers = max(1, min(workers, total))
    seconds = int(DECODE_SECONDS)
    out: list[Prepared | None] = [None] * total
    warm_up()
    store = ImageStore(Path(options.store_root))
    before = set(store.keys())
    done = 0
    try:
        try:
            with _limited_pool(workers) as pool:
                futures = {pool.submit(_prepare_with_time_limit, str(path), options, seconds): index for index, path in enumerate(files)}
                for future in as_completed(futures):
                    out[futures[future]] = future.result()
                    done += 1
                    if progress:
                        progress(done, total)
        except BrokenProcessPool:
            for index, path in enumerate(files):
                if out[index] is not None:
                    continue
                started = time.monotonic()
                try:
                    with _limited_pool(1) as single:
                        out[index] = single.submit(_prepare_with_time_limit, str(path), options, seconds).result()
                except BrokenProcessPool:
                    if time.monotonic() - started >= seconds - 0.5:
                        reason = f"decoding took longer than {seconds} s, the limit per file (damaged or crafted file?)"
                    else:
                        reason = "the decoder crashed on this file (damaged?)"
                    out[index] = Prepared(path=str(path), status="rejected", reason=reason)
                done += 1
                if progress:
                    progress(done, total)
            # Workers that finished before the crash may have stored files nobody collected.
            kept = {r.storage_key for r in out if r is not None and r.storage_key}
            for key in set(store.keys()) - before - kept:
                store.discard(key)
    except BaseException:
        # Files stored by workers that finished are removed; nothing half-imported stays.
        for result in out:
            if result is not None and result.storage_key:
                Path(options.store_root, result.storage_key).unlink(missing_ok=True)
        raise
    return [r for r in out if r is not None]


def _manifest_rows(manifest: Path, source: Path, timepoints) -> dict[Path, ImportRow]:
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


def _decide(study, files, results, manifest_rows, key_rows, timepoints, manifest_name: str = ""):
    """Report rows, images to stage, and images to place, from the prepared results."""
    rows: list[ImportRow] = []
    staged: list[tuple[Prepared, ImportRow]] = []
    placements: list[tuple[Prepared, ImportRow]] = []
    tp_keys = [tp.key for tp in timepoints]
    first_by_hash: dict[str, ImportRow] = {}
    problems: list[RowProblem] = []

    with study.db.read() as session:
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
                study.images.discard(result.storage_key)
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
    with study.db.read() as session:
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


def _commit(study, report, results, staged, placements, key_rows, key_path, actor) -> None:
    new_key_rows: list[dict[str, str]] = []
    new_keys = [r.storage_key for r in results if r.storage_key]
    # Recorded with the images and marked on the key rows written before the commit (keyfile).
    import_id = str(uuid.uuid4())
    key_written = False
    try:
        with study.db.write() as session:
            # What older imports kept and the blinding check now refuses is cleaned first.
            _recode_devices(session, results)
            display_free_text(session, remove=True)
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
            audit.record(
                session,
                actor,
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
    if key_written:
        # Committed: the images must stay even if clearing the marks fails (the next import
        # reconciles the rows, which already name their patients).
        try:
            keyfile.write_key_file(key_path, key_rows + new_key_rows)
        except RushRaterError:
            pass


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
