"""Writing files so that a crash, a full disk or Ctrl+C never leaves half of one (standard library only).

:func:`atomic_path` is the one way the product replaces a file or a folder: the new content is
written under a temporary name in the destination folder (the same file system, so the rename is
atomic), flushed to disk, and renamed over the target only once it is complete. On any failure,
KeyboardInterrupt included, the temporary file is removed and the old target is left as it was.

It lives in the lowest layer so that every layer writing files (storage's backups and copies,
imaging's image store, the services' exports, reports, key file and preferences) uses the same one.
A full disk or an unwritable folder becomes one clear message (:func:`translate_os_error`).
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from .errors import RushRaterError


class DiskFullError(RushRaterError):
    """The disk (or the user's quota) is full: nothing partial was kept."""


class FileWriteError(RushRaterError):
    """A file could not be written (permissions, read-only media)."""


NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}

#: Temporary names end in this (and start with a dot): hidden, and recognisable as never finished.
PARTIAL_SUFFIX = ".partial"


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
    """Turn a full disk or a refused write inside the block into :class:`DiskFullError` /
    :class:`FileWriteError`; any other OSError passes through unchanged."""
    try:
        yield
    except OSError as exc:
        translated = translate_os_error(exc, where, what)
        if translated is None:
            raise
        raise translated from exc


@contextmanager
def atomic_path(target: str | Path, *, mode: int | None = None, what: str | None = None, folder: bool = False,
                sync_folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block ends normally, fsync it and rename
    it over ``target``.

    If the block (or the rename) fails, the temporary file is removed and ``target`` is untouched.
    The file gets ``mode`` if given, else the mode any new file of the user gets (0o666 less the
    umask). ``folder=True`` yields a new empty folder instead (every file in it is fsynced; an
    existing target folder is replaced whole). ``what`` ("the key file") turns a full disk or an
    unwritable folder into :class:`DiskFullError` / :class:`FileWriteError`; without it the
    OSError propagates for the caller to word. ``sync_folder`` also fsyncs the destination folder
    after the rename, so the rename itself survives a power cut (the key file needs that).
    """
    target = Path(target)
    parent = target.parent
    with disk_errors(target, what) if what else nullcontext():
        tmp = _create(parent, f".{target.name}.", folder, mode)
        try:
            yield tmp
            if folder:
                for root, _dirs, files in os.walk(tmp):
                    for file in files:
                        _fsync(Path(root) / file)
            else:
                _fsync(tmp)
            if mode is not None:
                os.chmod(tmp, mode)
            _replace(tmp, target, folder)
        except BaseException:
            _remove(tmp)
            raise
        if sync_folder:
            fsync_folder(parent)


def _create(parent: Path, prefix: str, folder: bool, mode: int | None) -> Path:
    """A new, hidden, uniquely named file (or folder) in ``parent``. Created with the final mode
    (the kernel applies the umask), unlike mkstemp's 0o600, and without touching the umask."""
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(6)}{PARTIAL_SUFFIX}"
        try:
            if folder:
                os.mkdir(path, 0o777 if mode is None else mode)
            else:
                flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
                os.close(os.open(path, flags, 0o666 if mode is None else mode))
        except FileExistsError:
            continue
        return path
    raise FileExistsError(errno.EEXIST, "no unused temporary name", str(parent))


def write_bytes_atomically(target: str | Path, data: bytes, *, mode: int | None = None, what: str | None = None,
                           sync_folder: bool = False) -> None:
    """``target.write_bytes(data)`` through :func:`atomic_path` (same options)."""
    with atomic_path(target, mode=mode, what=what, sync_folder=sync_folder) as tmp:
        tmp.write_bytes(data)


def _fsync(path: Path) -> None:
    # Windows flushes a file only through a handle opened for writing.
    fd = os.open(path, os.O_RDWR if os.name == "nt" else os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder; the rename is durable enough there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _replace(tmp: Path, target: Path, folder: bool) -> None:
    if folder and target.is_dir() and not target.is_symlink():
        # A folder cannot be renamed over a non-empty one: move the old one aside first, into a
        # hidden folder beside it, and delete it once the new one is in place.
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / target.name)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)


def _remove(tmp: Path) -> None:
    if tmp.is_dir() and not tmp.is_symlink():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.unlink(missing_ok=True)
