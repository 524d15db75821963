"""The key file (codes ↔ original identifiers) and the blinding check.

The key file is the only place where a patient code meets the patient's identifiers. It is a CSV
the coordinator keeps apart from the study: it may never lie inside the study folder, and it is
written atomically (a temporary file in the same folder, fsync, rename), so a crash leaves either
the old or the new key file, never half of one.

``check_blinding`` searches everything raters can reach — every text and JSON column of every
database table, the bytes of every stored image, the text of every report kept in the study and
every file and folder name in it — for every identifier the key file holds: names (as written in
DICOM and in the usual orders, each value of a multi-valued name), IDs, accession numbers, UIDs,
dates in the common written formats, and the device (manufacturer and model).
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..domain.errors import RushRaterError, ValidationError
from ..imaging.attributes import without_free_text
from ..imaging.textscan import printable_runs
from ..storage import queries
from .study import Study

KEY_COLUMNS = (
    "patient_code",
    "patient_id",
    "patient_name",
    "other_names",
    "birth_date",
    "accession_number",
    "study_date",
    "study_day",
    "study_instance_uid",
    "timepoint",
    "view",
    "placed_as",
    "imported_at",
    # Manufacturer / model: they can tell raters the site, so the study keeps only device_code.
    "device",
    "device_code",
)

#: files in reports/ larger than this are not reports the product wrote, and are not read whole
REPORT_SCAN_BYTES = 64 * 1024 * 1024

#: identifiers shorter than this match by chance (e.g. a patient ID "12"): reported as unchecked
MIN_LENGTH = 4


class BlindingError(RushRaterError):
    """An identifier from the key file was found where raters can reach it."""


def check_key_file_path(study_root: Path, key_file: Path) -> Path:
    key_file = Path(key_file).expanduser().resolve()
    root = Path(study_root).expanduser().resolve()
    if key_file == root or key_file.is_relative_to(root):
        raise ValidationError(
            "the key file may not be inside the study folder (raters can reach it)",
            where=str(key_file),
            fix="give a path outside the study, e.g. on the coordinator's encrypted drive",
        )
    if key_file.exists() and not key_file.is_file():
        raise ValidationError("the key file path is a folder", where=str(key_file), fix="give a file name ending in .csv")
    return key_file


def read_key_file(path: Path | None) -> list[dict[str, str]]:
    if path is None or not Path(path).exists():
        return []
    try:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("patient_code", "patient_id") if c not in (reader.fieldnames or [])]
            if missing:
                raise ValidationError(
                    f"not a RUSH Rater key file (missing column(s) {', '.join(missing)})",
                    where=str(path),
                    fix="give the key file written by a previous import, or a new file name",
                )
            return [{k: (row.get(k) or "") for k in KEY_COLUMNS} for row in reader]
    except UnicodeDecodeError as exc:
        raise ValidationError("the key file is not UTF-8 text", where=str(path), fix="give the key file RUSH Rater wrote") from exc


class PendingKeyFile:
    """The key file's next version, written beside it; ``commit`` renames it into place."""

    def __init__(self, path: Path, rows: list[dict[str, str]]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial", dir=self.path.parent)
        self.partial = Path(name)
        try:
            with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
                writer = csv.DictWriter(out, fieldnames=KEY_COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(self.partial, 0o600)  # identifiers: readable by the coordinator only
        except BaseException:
            self.partial.unlink(missing_ok=True)
            raise

    def commit(self) -> None:
        os.replace(self.partial, self.path)

    def discard(self) -> None:
        self.partial.unlink(missing_ok=True)


# --- what to search for ---------------------------------------------------------------------

_MONTHS = ("January February March April May June July August September October November December").split()


def date_forms(text: str) -> set[str]:
    """A DICOM date (YYYYMMDD) in the ways people and programs write dates."""
    text = text.strip()
    if len(text) < 8 or not text[:8].isdigit():
        return set()
    try:
        d = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return {text[:8]}
    month = _MONTHS[d.month - 1]
    forms = {
        d.strftime("%Y%m%d"),
        d.isoformat(),
        d.strftime("%Y/%m/%d"),
        d.strftime("%Y.%m.%d"),
        d.strftime("%d/%m/%Y"),
        d.strftime("%m/%d/%Y"),
        d.strftime("%d.%m.%Y"),
        d.strftime("%d-%m-%Y"),
        d.strftime("%m-%d-%Y"),
        f"{d.day}/{d.month}/{d.year}",
        f"{d.month}/{d.day}/{d.year}",
        f"{d.day}.{d.month}.{d.year}",
        f"{d.day} {month} {d.year}",
        f"{d.day} {month[:3]} {d.year}",
        f"{month} {d.day}, {d.year}",
        f"{month[:3]} {d.day}, {d.year}",
        f"{d.day:02d}-{month[:3]}-{d.year}",
        f"{d.day}-{month[:3]}-{d.year}",
    }
    return forms


def name_forms(text: str) -> set[str]:
    """A person name (DICOM ``Family^Given^Middle``) as written, in both orders, and its long parts.

    Each component group counts: alphabetic, ideographic and phonetic (``Yamada^Tarou=山田^太郎``).
    """
    text = text.strip()
    if not text or set(text) <= {"^", " ", "="}:
        return set()
    forms = {text}
    for group in text.split("="):
        parts = [p.strip() for p in group.split("^") if p.strip()]
        if not parts:
            continue
        forms.add(group.strip())
        forms.add(" ".join(parts))
        if len(parts) >= 2:
            forms.add(" ".join([*parts[1:], parts[0]]))
            forms.add(f"{parts[0]}, {' '.join(parts[1:])}")
        forms.update(p for p in parts if len(p) >= MIN_LENGTH)
    return forms


@dataclass(frozen=True)
class Needle:
    text: str
    kind: str  # name | id | accession | date | uid
    patient_code: str


def needles(rows: list[dict[str, str]]) -> tuple[list[Needle], list[str]]:
    """What to look for, and what is too short to look for reliably."""
    found: dict[tuple[str, str], Needle] = {}
    skipped: set[str] = set()

    def add(text: str, kind: str, code: str) -> None:
        text = text.strip()
        if not text:
            return
        if len(text) < MIN_LENGTH:
            skipped.add(f"{kind} {text!r} of {code}")
            return
        found.setdefault((text.lower(), kind), Needle(text, kind, code))

    for row in rows:
        code = row.get("patient_code", "")
        add(row.get("patient_id", ""), "patient ID", code)
        add(row.get("accession_number", ""), "accession number", code)
        add(row.get("study_instance_uid", ""), "UID", code)
        for column in ("patient_name", "other_names"):
            for value in (row.get(column) or "").split("\\"):
                parts = {p.strip() for group in value.split("=") for p in group.split("^") if p.strip()}
                for form in name_forms(value):
                    add(form, "name part" if form in parts else "name", code)
        for column in ("birth_date", "study_date"):
            for form in date_forms(row.get(column) or ""):
                add(form, "birth date" if column == "birth_date" else "date", code)
        device = (row.get("device") or "").strip()
        if device:
            # The whole "Manufacturer / Model" and each long part ("GE" alone is too common to mean
            # anything, and is not reported as unchecked).
            for form in {device, *(p.strip() for p in device.split(" / "))}:
                if len(form) >= MIN_LENGTH:
                    add(form, "device", code)
    return list(found.values()), sorted(skipped)


# --- searching ------------------------------------------------------------------------------


def display_free_text(session, *, remove: bool = False) -> list[str]:
    """"table.display, row N" of every image whose display attributes still hold header free text
    (imports before issue 18 kept window and LUT explanations and the rescale type; they have named
    the referring doctor and a date, which no key file lists). With ``remove`` it is removed."""
    found = []
    for table, number, row in queries.rows_with_display(session):
        cleaned = without_free_text(row.display)
        if cleaned is not None:
            found.append(f"{table}.display, row {number}")
            if remove:
                row.display = cleaned
    return found



@dataclass(frozen=True)
class Hit:
    where: str  # "database", "image store", "file name" or "report file"
    location: str
    kind: str
    patient_code: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind} of {self.patient_code or 'a patient'} found in {self.where}: {self.location}"


@dataclass
class BlindingReport:
    hits: list[Hit] = field(default_factory=list)
    identifiers_checked: int = 0
    unchecked: list[str] = field(default_factory=list)
    database_values: int = 0
    images_scanned: int = 0
    names_scanned: int = 0
    reports_scanned: int = 0

    @property
    def clean(self) -> bool:
        return not self.hits

    def to_dict(self) -> dict:
        return {
            "clean": self.clean,
            "hits": [h.__dict__ | {"text": "(withheld)"} for h in self.hits],
            "identifiers_checked": self.identifiers_checked,
            "unchecked": self.unchecked,
            "database_values": self.database_values,
            "images_scanned": self.images_scanned,
            "names_scanned": self.names_scanned,
            "reports_scanned": self.reports_scanned,
        }


def _word_pattern(found: list[Needle]) -> re.Pattern:
    """One pattern for every needle (one pass per value): whole words, any case.

    A surname "Rossi" must not match inside "Rossini", nor a patient ID inside a longer number.
    """
    alternatives = sorted({re.escape(n.text) for n in found}, key=len, reverse=True)
    return re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(alternatives) + r")(?![0-9A-Za-z])", re.IGNORECASE)


def _in_image_bytes(needle: Needle) -> bool:
    """Needles searched in image bytes: whole identifiers, not single name parts or reordered dates.

    A stored image is compressed pixels; any four letters occur in it by chance, so only forms
    long and specific enough to mean something are looked for there.
    """
    if needle.kind in ("name", "name part", "device"):
        return len(needle.text) >= 6
    if needle.kind in ("date", "birth date"):
        return needle.text.isdigit() or (len(needle.text) == 10 and needle.text[4] == "-")
    return True


def scan(
    study: Study,
    rows: list[dict[str, str]],
    *,
    session=None,
    image_keys: list[str] | None = None,
    image_texts: dict[str, str] | None = None,
) -> BlindingReport:
    """Search the study for every identifier in ``rows`` (key-file rows).

    ``session``: search an open (uncommitted) write session, as the import does before committing.
    ``image_keys``: only these stored images (default: every file in the image store);
    ``image_texts``: their printable text, already extracted (the import's workers do it).
    """
    found, unchecked = needles(rows)
    report = BlindingReport(identifiers_checked=len(found), unchecked=unchecked)

    def search_free_text(s) -> None:  # whatever the key file holds: no key file lists a referrer
        for location in display_free_text(s):
            report.hits.append(Hit("database", location, "free-text header field", "", "(free text)"))

    if session is not None:
        search_free_text(session)
    else:
        with study.db.read() as s:
            search_free_text(s)
    if not found:
        return report
    by_text = {n.text.lower(): n for n in found}
    pattern = _word_pattern(found)

    def record(where: str, location: str, match_text: str) -> None:
        needle = by_text.get(match_text.lower())
        if needle is not None:
            report.hits.append(Hit(where, location, needle.kind, needle.patient_code, needle.text))

    def search_db(s) -> None:
        # A rater may share a surname with a patient ("Dr Anna Berg", patient BERG^OLA): one part
        # of a patient's name that is also a word of a rater's own name is not a leak (the rater's
        # name is everywhere: rater rows, audit events). A patient's full name still counts.
        rater_words = {w.lower() for r in queries.raters(s) for w in re.findall(r"[^\W_]+", r.name)}
        for table, column, number, text in queries.all_text_values(s):
            report.database_values += 1
            for match in pattern.finditer(text):
                needle = by_text.get(match.group(0).lower())
                if needle is not None and needle.kind == "name part" and needle.text.lower() in rater_words:
                    continue
                record("database", f"{table}.{column}, row {number}", match.group(0))

    if session is not None:
        search_db(session)
    else:
        with study.db.read() as s:
            search_db(s)

    image_needles = [n for n in found if _in_image_bytes(n)]
    ascii_forms = [(n, n.text.lower()) for n in image_needles if n.text.isascii()]
    other_forms = [(n, [n.text.encode("utf-8"), n.text.encode("utf-16-le")]) for n in image_needles if not n.text.isascii()]
    keys = image_keys if image_keys is not None else study.images.keys()
    for key in keys:
        text = (image_texts or {}).get(key)
        data = b""
        if text is None or other_forms:
            path = study.images.path(key)
            if not path.is_file():
                continue
            data = path.read_bytes()
            if text is None:
                text = printable_runs(data)
        report.images_scanned += 1
        lowered = text.lower()
        for needle, form in ascii_forms:
            if form in lowered:
                report.hits.append(Hit("image store", key, needle.kind, needle.patient_code, needle.text))
        for needle, forms in other_forms:
            if any(f in data for f in forms):
                report.hits.append(Hit("image store", key, needle.kind, needle.patient_code, needle.text))

    for path in sorted(study.root.rglob("*")):
        relative = str(path.relative_to(study.root))
        report.names_scanned += 1
        for match in pattern.finditer(path.name):
            record("file name", relative, match.group(0))

    # Reports kept in the study (import reports hold rejection reasons) are text raters can open.
    reports_dir = Path(study.reports_dir)
    for path in sorted(reports_dir.rglob("*")) if reports_dir.is_dir() else ():
        if not path.is_file() or path.stat().st_size > REPORT_SCAN_BYTES:
            continue
        report.reports_scanned += 1
        text = path.read_bytes().decode("utf-8", errors="replace")
        for match in pattern.finditer(text):
            record("report file", str(path.relative_to(study.root)), match.group(0))
    return report


def check_blinding(study: Study, key_file: str | Path) -> BlindingReport:
    """``rushrater check-blinding``: every identifier in the key file against the whole study."""
    path = Path(key_file).expanduser()
    if not path.is_file():
        raise ValidationError("key file not found", where=str(path), fix="give the key file the import wrote (--key-file)")
    return scan(study, read_key_file(path))


def hits_message(report: BlindingReport, limit: int = 10) -> str:
    lines = [str(h) for h in report.hits[:limit]]
    if len(report.hits) > limit:
        lines.append(f"… and {len(report.hits) - limit} more")
    return "\n  ".join(lines)


__all__ = [
    "BlindingError",
    "BlindingReport",
    "Hit",
    "KEY_COLUMNS",
    "PendingKeyFile",
    "check_blinding",
    "check_key_file_path",
    "date_forms",
    "name_forms",
    "read_key_file",
    "scan",
]
