"""The r, spss and stata exports: the generated analysis.R run with Rscript reproduces our ICC table
to 4 decimals; the SPSS syntax runs in PSPP (which has RELIABILITY but not its /ICC subcommand); the
Stata do-file names only variables that exist in the .dta it loads."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest

from rushrater.services.agreement import agreement_report
from rushrater.services.export import export_study
from test_export_formats import rated_study

pyreadstat = pytest.importorskip("pyreadstat")


@pytest.fixture
def study(make_study, tmp_path):
    return rated_study(make_study, tmp_path, name="scripts")


def test_analysis_r_reproduces_the_icc_table_to_4_decimals(study, tmp_path):
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not found: apt-get install r-base-core r-cran-psych")
    if subprocess.run([rscript, "-e", "suppressMessages(library(psych))"], capture_output=True).returncode:
        pytest.skip("R package psych is missing (r-cran-psych)")
    folder = tmp_path / "for-r"
    export_study(study, "r", folder)
    assert {p.name for p in folder.iterdir()} == {
        "analysis.R", "codebook.csv", "consensus.csv", "icc_table.csv", "ratings_long.csv", "ratings_wide.csv"}
    done = subprocess.run([rscript, "analysis.R", "from_r.csv"], cwd=folder, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "ICC(2,1) of the RUSH total" in done.stdout
    theirs = pd.read_csv(folder / "from_r.csv")
    ours = agreement_report(study).icc.assign(timepoint=lambda d: d["timepoint"].astype(str))
    ours = ours.dropna(subset=["icc"])
    merged = ours.merge(theirs, on=["timepoint", "group", "score", "form"], suffixes=("", "_r"), validate="one_to_one")
    # every defined cell of our table is in R's: 2 time points x 3 rater sets x 15 scores x 6 forms
    assert len(merged) == len(ours) == 2 * 3 * 15 * 6
    for column in ("icc", "ci_low", "ci_high", "f"):
        diff = (merged[column] - merged[f"{column}_r"]).abs().max()
        assert round(diff, 4) == 0, column
    assert (merged["n_targets"] == merged["n_targets_r"]).all()


def test_spss_folder_runs_in_pspp_and_asks_for_every_icc_cell(study, tmp_path):
    folder = tmp_path / "for-spss"
    export_study(study, "spss", folder)
    syntax = (folder / "analysis.sps").read_text()
    wide, meta = pyreadstat.read_sav(str(folder / "ratings_wide.sav"))
    # 2 time points x (all + 2 groups) x 15 scores, each with an absolute-agreement two-way random ICC
    assert syntax.count("/ICC=MODEL(RANDOM) TYPE(ABSOLUTE) CIN=95") == 2 * 3 * 15
    named = set(re.findall(r"\b[a-z_]+_R0\d\b", syntax))
    assert named and named <= set(meta.column_names)
    assert meta.variable_value_labels["timepoint"] == {1: "day1 (Day 1)", 2: "month1 (Month 1)"}
    pspp = shutil.which("pspp")
    if pspp is None:
        pytest.skip("pspp not found: apt-get install pspp")
    # PSPP implements RELIABILITY without /ICC: drop that subcommand and run the rest of the syntax
    runnable = syntax.replace("\n  /ICC=MODEL(RANDOM) TYPE(ABSOLUTE) CIN=95 TESTVAL=0.", ".")
    assert "/ICC=" not in runnable
    (folder / "pspp.sps").write_text(runnable)
    done = subprocess.run([pspp, "-O", "format=txt", "-o", "out.txt", "pspp.sps"], cwd=folder, capture_output=True,
                          text=True, timeout=300)
    output = (folder / "out.txt").read_text() if (folder / "out.txt").exists() else ""
    assert done.returncode == 0 and "error" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    assert output.count("Reliability Statistics") == 2 * 3 * 15
    assert "Cronbach's Alpha" in output


def test_stata_do_file_uses_the_variables_of_its_dta(study, tmp_path):
    folder = tmp_path / "for-stata"
    export_study(study, "stata", folder)
    do = (folder / "analysis.do").read_text()
    data, meta = pyreadstat.read_dta(str(folder / "ratings_long.dta"))
    assert do.count(" patient_id rater_id, absolute") == 2 * 3 * 15
    used = set(re.findall(r"^icc (\w+) patient_id", do, flags=re.M))
    assert used == {"total", *study.rubric.item_keys, *(c.key for c in study.rubric.components)}
    assert used <= set(meta.column_names)
    for name in ("current", "read", "unreadable", "timepoint", "group", "patient", "rater"):
        assert name in meta.column_names
    assert all(len(n) <= 32 and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in meta.column_names)
    assert meta.variable_value_labels["group"] == {1: "attending", 2: "resident"}
    assert len(data) == 6 * 2 * 8 + 2
