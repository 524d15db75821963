"""Run R live on a per-patient DataFrame for the outcome-statistics tests.

:func:`run_r_frame` writes the frame to a CSV that the script sees as ``d`` and returns the
tables the script prints with ``write.csv(…, stdout(), row.names = FALSE)``, separated by
``cat("@@\\n")``.  The calling test is skipped, with the reason, when Rscript or one of the
named packages is missing (install: apt-get install r-base-core r-cran-matchit r-cran-proc).
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest


@functools.cache
def _available(packages: tuple[str, ...]) -> tuple[str | None, str]:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None, "Rscript not found; install r-base-core (and r-cran-matchit, r-cran-proc) to compare with R"
    if packages:
        probe = subprocess.run(
            [rscript, "-e", "suppressMessages({" + "; ".join(f"library({p})" for p in packages) + "})"],
            capture_output=True, text=True, timeout=300,
        )
        if probe.returncode != 0:
            return None, f"R package(s) {', '.join(packages)} needed: {probe.stderr.strip()[-300:]}"
    return rscript, ""


def run_r_frame(script: str, frame: pd.DataFrame, tmp_path: Path, packages: tuple[str, ...] = ()) -> list[pd.DataFrame]:
    rscript, reason = _available(tuple(packages))
    if rscript is None:
        pytest.skip(reason)
    csv = tmp_path / "data.csv"
    frame.to_csv(csv, index=False, na_rep="NA", float_format="%.17g")
    code = f'options(digits = 17)\nd <- read.csv("{csv.as_posix()}")\n{script}'
    done = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"R failed:\n{code}\n{done.stderr}")
    chunks = [c.strip() for c in done.stdout.split("@@")]
    return [pd.read_csv(io.StringIO(c)) for c in chunks if c]
