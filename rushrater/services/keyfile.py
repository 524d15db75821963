"""Writing the re-identification key file so that a crash never loses the link back to patients.

The key file and the study database cannot be committed together, so the order makes the pair
recoverable: the key file (with this import's new rows marked ``pending_import = <import id>``)
is written atomically *before* the database commit, the import id goes into the import's audit
record in the same transaction as its images, and the marks are cleared after the commit. A kill
anywhere leaves either pending rows whose import committed (kept) or pending rows whose import
never committed (dropped): :func:`reconcile` decides which from the audit trail, and every import
runs it first. Before, the key was renamed into place after the commit, and a kill in between left
images whose patients nobody could name again.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..storage import queries
from .blinding import KEY_COLUMNS
from .files import atomic_path, disk_errors

PENDING = "pending_import"
COLUMNS = (*KEY_COLUMNS, PENDING)


def write_key_file(path: Path, rows: list[dict[str, str]]) -> None:
    """Replace the key file atomically (temporary file, fsync, rename, fsync of the folder)."""
    path = Path(path)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: row.get(k) or "" for k in COLUMNS} for row in rows)
    with disk_errors(path, "the key file"):
        path.parent.mkdir(parents=True, exist_ok=True)
    # Identifiers: readable by the coordinator only. The folder is synced too: the database commit
    # that follows relies on this version of the key file being there after a power cut.
    with atomic_path(path, mode=0o600, what="the key file", sync_folder=True) as partial:
        partial.write_bytes(buffer.getvalue().encode("utf-8"))


def _raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def committed_imports(study) -> set[str]:
    with study.db.read() as session:
        afters = queries.audit_afters(session, "images.import")
        return {str(after["import_id"]) for after in afters if after and after.get("import_id")}


def reconcile(study, path: Path | None) -> int:
    """Settle rows a crashed import left pending: keep those whose import committed, drop the rest.
    Returns the number of rows settled (0 when nothing was pending)."""
    if path is None or not Path(path).is_file():
        return 0
    try:
        rows = _raw_rows(Path(path))
    except (UnicodeDecodeError, csv.Error):
        return 0  # not ours to repair: read_key_file reports it
    pending = [row for row in rows if row.get(PENDING)]
    if not pending:
        return 0
    committed = committed_imports(study)
    kept = [{**row, PENDING: ""} for row in rows if not row.get(PENDING) or row[PENDING] in committed]
    write_key_file(Path(path), kept)
    return len(pending)
