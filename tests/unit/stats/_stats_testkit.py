"""Shared data and helpers of the rushrater.stats tests (imported by the test modules).

Deliberately not a ``conftest.py``: other test packages of this tree do
``from conftest import ...`` historically, which picks up the wrong module once several
conftest.py files exist; shared helpers live in uniquely named modules instead.
Everything here is a plain function or constant; :func:`run_r` skips the
calling test when R, psych or lme4 is missing.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest

from rushrater.stats import FORMS

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = np.array(
    [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ],
    dtype=float,
)

# A small incomplete RUSH-total-like data set (12 targets x 4 raters, 11 missing
# cells, only targets 0, 4, 7 and 9 complete); frozen R results refer to it.
INCOMPLETE = np.array(
    [
        [19, 25, 21, 23],
        [np.nan, np.nan, 24, 26],
        [21, np.nan, 23, 25],
        [15, np.nan, 17, 19],
        [14, 21, 15, 19],
        [np.nan, 21, np.nan, 21],
        [20, np.nan, 20, np.nan],
        [18, 25, 24, 23],
        [np.nan, 28, 27, 26],
        [21, 26, 24, 25],
        [np.nan, 24, 23, 23],
        [np.nan, 19, 17, 18],
    ]
)


def wide_to_long(wide: np.ndarray, raters: list[str] | None = None) -> pd.DataFrame:
    """targets x raters array -> long DataFrame (target, rater, score); NaN cells are dropped."""
    wide = np.asarray(wide, dtype=float)
    raters = raters or [f"R{j + 1}" for j in range(wide.shape[1])]
    t, r = np.nonzero(~np.isnan(wide))
    return pd.DataFrame({"target": t, "rater": np.asarray(raters)[r], "score": wide[t, r]})





def _split_r_output(text: str) -> list[pd.DataFrame]:
    """Tables written by ``write.csv`` and separated by lines holding ``@@``."""
    chunks = [c.strip() for c in text.split("@@")]
    return [pd.read_csv(io.StringIO(c)) for c in chunks if c]


@functools.cache
def _rscript() -> tuple[str | None, str]:
    """Path of Rscript and, if it cannot be used, the reason."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None, (
            "Rscript not found; to compare with R live install it, e.g. "
            "apt-get install -y --no-install-recommends r-base-core r-cran-psych r-cran-lme4"
        )
    probe = subprocess.run(
        [rscript, "-e", "suppressMessages({library(psych); library(lme4)})"],
        capture_output=True, text=True, timeout=300,
    )
    if probe.returncode != 0:
        return None, f"R packages psych and lme4 are needed for live comparisons: {probe.stderr.strip()[-300:]}"
    return rscript, ""


def run_r(script: str, wide: np.ndarray, tmp_path: Path) -> list[pd.DataFrame]:
    """Run an R script live on a targets x raters matrix; skip the test if R or psych/lme4 is missing.

    The script sees the data as ``x`` (a data.frame read from a CSV, NA for
    missing cells, columns R1..Rk) and must ``write.csv`` its result tables to
    stdout, separated by ``cat("@@\\n")``.
    """
    rscript, reason = _rscript()
    if rscript is None:
        pytest.skip(reason)
    csv = tmp_path / "ratings.csv"
    frame = pd.DataFrame(np.asarray(wide, dtype=float), columns=[f"R{j + 1}" for j in range(wide.shape[1])])
    frame.to_csv(csv, index=False, na_rep="NA")
    code = f'x <- read.csv("{csv.as_posix()}")\n{script}'
    done = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"R failed:\n{code}\n{done.stderr}")
    return _split_r_output(done.stdout)


ITEMS = [f"item_{i}" for i in range(1, 11)]
SUBTOTALS = ["cortical_bridging", "cortical_line", "trabecular_consolidation", "trabecular_line"]
#: Total, 4 subtotals and 10 items: the 15 score columns of a RUSH study.
RUSH_SCORES = ["total"] + SUBTOTALS + ITEMS


def make_rush_study(n_patients: int = 619, timepoints: tuple[str, ...] = ("day 1", "1 month"),
                    seed: int = 0) -> pd.DataFrame:
    """Simulated two-centre design: patients x timepoints x 6 raters (3 attendings, 3 residents).

    Items are 1-3 (cortices: medial, lateral, anterior, posterior bridging, then the
    same four fracture lines, then trabecular consolidation and fracture line).
    """
    rng = np.random.default_rng(seed)
    raters = [("A1", "attending"), ("A2", "attending"), ("A3", "attending"),
              ("R1", "resident"), ("R2", "resident"), ("R3", "resident")]
    frames = []
    for t, timepoint in enumerate(timepoints):
        healing = rng.normal(0.8 * t, 1.0, (n_patients, 1))
        for rater, group in raters:
            noise = 0.6 if group == "attending" else 0.9
            latent = healing + rng.normal(0, noise, (n_patients, 10)) + rng.normal(0, 0.2)
            items = np.clip(np.round(2 + latent), 1, 3).astype(int)
            frame = pd.DataFrame(items, columns=ITEMS)
            frame["cortical_bridging"] = items[:, 0:4].sum(axis=1)
            frame["cortical_line"] = items[:, 4:8].sum(axis=1)
            frame["trabecular_consolidation"] = items[:, 8]
            frame["trabecular_line"] = items[:, 9]
            frame["total"] = items.sum(axis=1)
            frame["patient"] = [f"P{p:04d}" for p in range(n_patients)]
            frame["case"] = frame["patient"] + "/" + timepoint
            frame["timepoint"] = timepoint
            frame["rater"] = rater
            frame["group"] = group
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)



# pingouin has used different row labels across versions; map both to ours.
PINGOUIN_LABELS = {
    "ICC1": "ICC(1,1)", "ICC2": "ICC(2,1)", "ICC3": "ICC(3,1)",
    "ICC1k": "ICC(1,k)", "ICC2k": "ICC(2,k)", "ICC3k": "ICC(3,k)",
    "ICC(1,1)": "ICC(1,1)", "ICC(A,1)": "ICC(2,1)", "ICC(C,1)": "ICC(3,1)",
    "ICC(1,k)": "ICC(1,k)", "ICC(A,k)": "ICC(2,k)", "ICC(C,k)": "ICC(3,k)",
}


@contextmanager
def pingouin_unrounded() -> Iterator[None]:
    """Switch off pingouin's display rounding (CI95 to 2 decimals by default)."""
    saved = dict(pingouin.options)
    for key in list(pingouin.options):
        if key.startswith("round"):
            pingouin.options[key] = None
    try:
        yield
    finally:
        pingouin.options.clear()
        pingouin.options.update(saved)


def pingouin_table(long: pd.DataFrame, nan_policy: str = "raise", targets: str = "target", raters: str = "rater",
                   ratings: str = "score") -> pd.DataFrame:
    """pingouin.intraclass_corr, unrounded, as a frame indexed by our form names."""
    with pingouin_unrounded(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecations inside pingouin are not ours
        res = pingouin.intraclass_corr(long, targets=targets, raters=raters, ratings=ratings, nan_policy=nan_policy)
    res = res.assign(form=res["Type"].map(PINGOUIN_LABELS)).set_index("form").loc[list(FORMS)]
    ci = np.vstack(res["CI95"].to_numpy())
    return pd.DataFrame(
        {
            "icc": res["ICC"].to_numpy(float),
            "f": res["F"].to_numpy(float),
            "df1": res["df1"].to_numpy(float),
            "df2": res["df2"].to_numpy(float),
            "p": res["pval"].to_numpy(float),
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
        },
        index=list(FORMS),
    )

