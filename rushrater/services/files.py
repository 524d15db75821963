"""Files the product writes: a full disk or a read-only folder is one clear message, not a traceback."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..domain.errors import RushRaterError


class DiskFullError(RushRaterError):
    """The disk (or the user's quota) is full: nothing partial was kept."""


class FileWriteError(RushRaterError):
    """A file could not be written (permissions, read-only media)."""


NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def translate_os_error(exc: OSError, where: str | Path | None, what: str) -> RushRaterError | None:
    """The message for an OSError while writing ``what``; None when it is not a writing problem."""
    target = str(where or getattr(exc, "filename", None) or "")
    if exc.errno in NO_SPACE:
        return DiskFullError(
            f"the disk is full: {what} could not be written; nothing partial was kept",
            where=target or None,
            fix="free some space on that disk (or choose another folder) and run the command again",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return FileWriteError(
            f"{what} could not be written: {exc.strerror}",
            where=target or None,
            fix="choose a folder you may write to (not read-only media), or ask your administrator for access",
        )
    return None


@contextmanager
def disk_errors(where: str | Path | None, what: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        translated = translate_os_error(exc, where, what)
        if translated is None:
            raise
        raise translated from exc


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
