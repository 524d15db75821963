"""Files the product writes: a full disk or a read-only folder is one clear message, not a traceback."""

from __future__ import annotations

from pathlib import Path

# The errors and the atomic writer live in the lowest layer (storage and imaging write files too);
# they are imported here as well so services keep one place to get them from.
from ..domain.files import (  # noqa: F401
    NO_SPACE,
    DiskFullError,
    FileWriteError,
    atomic_path,
    disk_errors,
    translate_os_error,
    write_bytes_atomically,
)


def library_write_errors() -> tuple[type[BaseException], ...]:
    """Errors file-format libraries raise instead of OSError when a write fails (pyreadstat says
    only "Unable to write data" when the disk fills up)."""
    try:
        from pyreadstat._readstat_parser import PyreadstatError, ReadstatError
    except ImportError:
        return ()
    return (ReadstatError, PyreadstatError)


#: Less free space than this after a failed write: the disk filled up.
NEARLY_FULL_BYTES = 1 << 20


def describe_write_failure(exc: BaseException, targets: list[Path]) -> str:
    """"the disk is full: cannot write X" or "cannot write X: reason", naming the file."""
    import shutil

    target = getattr(exc, "filename", None) or (str(targets[0]) if targets else "the file")
    folder = Path(target).parent
    try:
        nearly_full = shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        nearly_full = False
    if getattr(exc, "errno", None) in NO_SPACE or nearly_full:
        return f"the disk is full: cannot write {target}"
    return f"cannot write {target}: {getattr(exc, 'strerror', None) or exc}"
