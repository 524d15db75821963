"""``export_study``: the one entry point the CLI and the console call (through the package)."""

from __future__ import annotations

from pathlib import Path

from ...domain.errors import ValidationError
from ..study import Study
from .dataset import add_outcome_analysis, export_tables
from .formats import FORMATS
from .output import atomic_write, check_output, write_folder


def export_study(study: Study, fmt: str, out: str | Path, *, force: bool = False, outcome=None, risk=None,
                 notes: list[str] | None = None) -> list[Path]:
    """Write the export ``fmt`` (a name in :data:`FORMATS`) to ``out``; return the paths written
    (files, or the folder).

    The R export adds the outcome analysis (``outcome``: an OutcomeRequest, default choices when
    None) and, with ``risk`` (a RiskRequest), the risk model; what it leaves out and why is
    appended to ``notes``."""
    spec = FORMATS.get(fmt)
    if spec is None:
        raise ValidationError(f"unknown export format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    out = Path(out).expanduser()
    if spec.folder:
        check_output(out, force, what="folder")
        tables = export_tables(study, with_icc=spec.needs_icc)
        if spec.outcome_scripts:
            add_outcome_analysis(study, tables, outcome, risk)
            if notes is not None:
                notes.extend(tables.notes)
        return [write_folder(out, spec.files(tables, ""))]
    suffix = spec.suffix
    stem = out.name[: -len(suffix)] if out.name.lower().endswith(suffix) else out.name
    check_output(out.with_name(stem + suffix), force)
    tables = export_tables(study, with_icc=spec.needs_icc)
    files = spec.files(tables, stem)
    return atomic_write({out.parent / name: write for name, write in files.items()}, force)
