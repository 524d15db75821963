"""Shared data and the live-R runner of the survival tests (imported by test_survival_*.py).

:func:`run_r` skips the calling test, with the reason, when Rscript or one of survival, rms
and riskRegression is missing (Debian: r-cran-survival r-cran-rms r-cran-riskregression).
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

R_PACKAGES = ("survival", "rms", "riskRegression")


@functools.cache
def _rscript() -> tuple[str | None, str]:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None, "Rscript not found (apt-get install r-base-core r-cran-survival r-cran-rms r-cran-riskregression)"
    libs = "; ".join(f"library({p})" for p in R_PACKAGES)
    probe = subprocess.run([rscript, "-e", f"suppressMessages({{{libs}}})"], capture_output=True, text=True,
                           timeout=300)
    if probe.returncode != 0:
        return None, f"R packages {', '.join(R_PACKAGES)} are needed: {probe.stderr.strip()[-300:]}"
    return rscript, ""


def run_r(script: str, data: pd.DataFrame | None, tmp_path: Path) -> list[pd.DataFrame]:
    """Run ``script`` with ``d`` = ``data`` (read from a CSV); it writes tables with write.csv
    to stdout separated by ``cat("@@\\n")``. Skips when R or its packages are missing."""
    rscript, reason = _rscript()
    if rscript is None:
        pytest.skip(reason)
    head = "suppressMessages(library(survival))\n"  # scripts load rms / riskRegression themselves
    if data is not None:
        csv = tmp_path / "data.csv"
        data.to_csv(csv, index=False, na_rep="NA")
        head += f'd <- read.csv("{csv.as_posix()}")\n'
    code = head + script
    done = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise AssertionError(f"R failed:\n{code}\n{done.stderr}")
    chunks = [c.strip() for c in done.stdout.split("@@")]
    return [pd.read_csv(io.StringIO(c)) for c in chunks if c]


def r_lung(tmp_path: Path) -> pd.DataFrame:
    """R's survival::lung, complete cases of the columns used, status recoded 0/1."""
    (lung,) = run_r('x <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog", "wt.loss", "inst")])\n'
                    "x$status <- x$status - 1\nwrite.csv(x, stdout(), row.names = FALSE)\n", None, tmp_path)
    return lung


def rehab_like(n: int = 400, seed: int = 1, *, tied: bool = True) -> pd.DataFrame:
    """Simulated hip-fracture rehabilitation cohort: age, weight, height, CT-guided rehab, centre.

    Months to poor outcome from a Weibull proportional-hazards model, uniform censoring;
    ``tied=True`` rounds times to 0.1 month so ties (events and censorings) occur.
    """
    rng = np.random.default_rng(seed)
    age = np.round(rng.normal(78, 8, n))
    weight = np.round(rng.normal(62, 11, n), 1)
    height = np.round(rng.normal(160, 8, n))
    ct = rng.integers(0, 2, n)
    centre = rng.integers(1, 3, n)
    lp = 0.03 * (age - 78) + 0.02 * (height - 160) - 0.5 * ct + 0.005 * (weight - 62)
    t = 4.0 * (rng.exponential(size=n) * np.exp(-lp)) ** (1 / 1.3)
    c = rng.uniform(0.5, 14, n)
    time = np.minimum(t, c)
    if tied:
        time = np.maximum(np.round(time, 1), 0.1)
    return pd.DataFrame({"time": time, "event": (t <= c).astype(int), "age": age, "weight": weight,
                         "height": height, "ct_guided": ct, "institution": centre})
