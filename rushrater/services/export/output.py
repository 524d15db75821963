"""Where an export goes: the output path checked before any work, and every file of it written
atomically (domain.files.atomic_path), so nothing half-written is ever left at the output path."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from ...domain.errors import RushRaterError
from ...domain.files import atomic_path
from ..files import describe_write_failure, library_write_errors


class ExportError(RushRaterError):
    """The export cannot be written (the path exists, the folder is not writable, no ratings)."""


def check_output(out: Path, force: bool, *, what: str = "export") -> Path:
    """Refuse an existing path (unless ``force``) and a folder we cannot write into, before any work."""
    out = Path(out).expanduser()
    parent = out.parent if str(out.parent) else Path(".")
    try:
        exists = out.exists()
        parent_ok = parent.is_dir()
    except OSError as exc:  # a folder on the way we may not enter
        raise ExportError(f"cannot reach the folder {parent}: {exc.strerror}", where=str(out),
                          fix="choose a folder you can write to") from exc
    if exists and not force:
        raise ExportError("it already exists; nothing was written", where=str(out),
                          fix=f"choose another path, or add --force to replace it with the new {what}")
    if out.is_dir() and what != "folder":
        raise ExportError("it is a folder; this export is a file", where=str(out), fix="give a file path")
    if not parent_ok:
        raise ExportError(f"the folder {parent} does not exist", where=str(out), fix="create it first, or choose another")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"the folder {parent} is not writable", where=str(out),
                          fix="choose a folder you can write to")
    return out


def atomic_write(outputs: dict[Path, Callable[[Path], None]], force: bool) -> list[Path]:
    """Write every output to a temporary name beside it, then rename them all into place.

    If any writer fails, every temporary file is removed and nothing at the final paths changes.
    """
    for final in outputs:
        check_output(final, force)
    try:
        # Each file's rename happens when the stack closes, i.e. only after every writer succeeded;
        # a failure unwinds the stack, which removes every temporary file instead.
        with ExitStack() as stack:
            for final, write in outputs.items():
                write(stack.enter_context(atomic_path(final)))
    except (OSError, *library_write_errors()) as exc:
        raise ExportError(f"{describe_write_failure(exc, list(outputs))}; nothing was written",
                          fix="check the folder's free space and permissions") from exc
    return list(outputs)


def write_folder(out: Path, files: dict[str, Callable[[Path], None]]) -> Path:
    """Write ``files`` (relative name -> writer) into a new folder at ``out``, staged under a
    temporary name beside it and renamed into place (replacing what --force allows) when complete."""
    stack = ExitStack()
    try:
        staging = stack.enter_context(atomic_path(out, folder=True))
    except OSError as exc:
        raise ExportError(f"cannot write in {out.parent}: {exc.strerror}", where=str(out),
                          fix="choose a folder you can write to") from exc
    try:
        with stack:
            for name, write in files.items():
                write(staging / name)
    except (OSError, *library_write_errors()) as exc:
        raise ExportError(f"{describe_write_failure(exc, [out])}; nothing was written", where=str(out),
                          fix="check the folder's free space and permissions") from exc
    return out
