"""Exports state exactly what they hold (issue 12): each export's codebook describes its own files,
exports sharing a stem share a folder, the SPSS/Stata scripts run from wherever the folder is moved
and name only raters who scored, and the .sav/.dta files carry types a statistician can trust
(measurement levels, integer formats, real datetimes, Stata release 118 with readable label names),
checked with pyreadstat, PSPP and R haven."""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest

from rushrater.services.export import FORMATS, export_study
from rushrater.services.raters import add_rater
from test_export_formats import rated_study

pyreadstat = pytest.importorskip("pyreadstat")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    from rushrater.services.study import create_study

    base = tmp_path_factory.mktemp("hygiene")
    opened = []

    def make(name, title="Test study", timepoints="day1,month1"):
        opened.append(create_study(base / name, title, timepoints, actor="test"))
        return opened[-1]

    rated = rated_study(make, base, name="hygiene")
    add_rater(rated, "Dr Never Scored", "resident", actor="test")  # enrolled, no ratings: R07
    yield rated
    for s in opened:
        s.close()


def _read(path) -> pd.DataFrame:
    if path.suffix == ".sav":
        return pyreadstat.read_sav(str(path))[0]
    if path.suffix == ".dta":
        return pyreadstat.read_dta(str(path))[0]
    return pd.read_csv(path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_column_of_every_file_is_in_its_codebook_and_nothing_else(study, tmp_path, fmt):
    out = tmp_path / fmt
    out.mkdir()
    export_study(study, fmt, out / "x")
    if fmt == "xlsx":
        sheets = pd.read_excel(out / "x.xlsx", sheet_name=None)
        codebook = sheets.pop("codebook")
        described = set(zip(codebook["sheet"], codebook["variable"]))
        written = {(name, str(c)) for name, frame in sheets.items() for c in frame.columns}
        assert described == written
        return
    root = out / "x" if fmt in ("r", "spss", "stata") else out
    codebooks = [p for p in root.iterdir() if p.name.endswith("codebook.csv")]
    assert len(codebooks) == 1
    codebook = pd.read_csv(codebooks[0], keep_default_na=False)
    assert set(codebook["measure"]) <= {"nominal", "ordinal", "scale"}
    data = [p for p in root.iterdir() if p.suffix in (".csv", ".sav", ".dta") and p not in codebooks]
    written = {(p.name, str(c)) for p in data for c in _read(p).columns}
    assert set(zip(codebook["file"], codebook["variable"])) == written
    # the 93-column wide table is described only where it is written
    assert ("wide" in set(codebook["table"])) == (fmt in ("csv-wide", "r", "spss"))


def test_csv_sav_and_dta_with_one_stem_share_a_folder(study, tmp_path):
    for fmt in ("csv", "sav", "dta"):
        export_study(study, fmt, tmp_path / "ratings")
    names = {p.name for p in tmp_path.iterdir()}
    assert {"ratings_codebook.csv", "ratings_sav_codebook.csv", "ratings_dta_codebook.csv"} <= names
    sav_codebook = pd.read_csv(tmp_path / "ratings_sav_codebook.csv")
    assert set(sav_codebook["file"]) == {"ratings.sav", "ratings_consensus.sav"}


def test_csv_writes_slow_healing_and_integers_as_integers(study, tmp_path):
    export_study(study, "csv", tmp_path / "r.csv")
    consensus = (tmp_path / "r_consensus.csv").read_text().splitlines()
    header = consensus[0].split(",")
    assert consensus[1].split(",")[header.index("slow_healing")] == "1"  # not "1.0"
    long = pd.read_csv(tmp_path / "r.csv")
    # imported ratings; the two corrections were made through the service (source workstation)
    assert long["source"].value_counts().to_dict() == {"import": len(long) - 2, "workstation": 2}


def test_spss_syntax_names_only_raters_who_scored_and_no_absolute_folder(study, tmp_path):
    export_study(study, "spss", tmp_path / "for-spss")
    syntax = (tmp_path / "for-spss" / "analysis.sps").read_text()
    assert "total_R06" in syntax and "_R07" not in syntax
    assert str(tmp_path) not in syntax and "\nCD " not in syntax
    export_study(study, "stata", tmp_path / "for-stata")
    do = (tmp_path / "for-stata" / "analysis.do").read_text()
    assert str(tmp_path) not in do and "\ncd " not in do


def test_spss_and_r_scripts_run_after_the_folder_is_moved(study, tmp_path):
    pspp, rscript = shutil.which("pspp"), shutil.which("Rscript")
    if pspp is None and rscript is None:
        pytest.skip("neither pspp nor Rscript is installed")
    (tmp_path / "written").mkdir()
    export_study(study, "spss", tmp_path / "written" / "for-spss")
    export_study(study, "r", tmp_path / "written" / "for-r")
    moved = tmp_path / "elsewhere"
    shutil.move(tmp_path / "written", moved)
    if pspp is not None:
        folder = moved / "for-spss"
        syntax = (folder / "analysis.sps").read_text()
        # PSPP has RELIABILITY without /ICC: run the rest, started from another folder via INSERT CD=YES
        (folder / "analysis.sps").write_text(syntax.replace("\n  /ICC=MODEL(RANDOM) TYPE(ABSOLUTE) CIN=95 TESTVAL=0.", "."))
        (tmp_path / "run.sps").write_text(f"INSERT FILE='{folder / 'analysis.sps'}' CD=YES.\n")
        done = subprocess.run([pspp, "-O", "format=txt", "-o", str(tmp_path / "out.txt"), "run.sps"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        output = (tmp_path / "out.txt").read_text()
        assert done.returncode == 0 and "error" not in (done.stdout + done.stderr + output).lower(), output[-2000:]
        assert output.count("Reliability Statistics") == 2 * 3 * 15
    if rscript is not None:
        done = subprocess.run([rscript, "analysis.R", "from_r.csv"], cwd=moved / "for-r", capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr


def test_sav_dictionary_levels_formats_and_datetimes(study, tmp_path):
    export_study(study, "sav", tmp_path / "r.sav")
    data, meta = pyreadstat.read_sav(str(tmp_path / "r.sav"))
    types, measure = meta.original_variable_types, meta.variable_measure
    assert types["bridging_medial"] == "F1.0" and types["total"] == "F2.0" and types["read"] == "F1.0"
    assert types["submitted_at"].startswith("DATETIME")
    assert pd.api.types.is_datetime64_any_dtype(data["submitted_at"])
    assert measure["bridging_medial"] == "ordinal" and measure["total"] == "scale"
    assert measure["group"] == "nominal" and measure["timepoint"] == "ordinal"
    consensus, cmeta = pyreadstat.read_sav(str(tmp_path / "r_consensus.sav"))
    assert cmeta.original_variable_types["slow_healing"] == "F1.0" and consensus["slow_healing"].tolist() == [1]
    pspp = shutil.which("pspp")
    if pspp is None:
        pytest.skip("pspp not found")
    (tmp_path / "d.sps").write_text("GET FILE='r.sav'.\nDISPLAY DICTIONARY /VARIABLES=bridging_medial total submitted_at.\n")
    done = subprocess.run([pspp, "-O", "format=csv", "-o", "d.csv", "d.sps"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "d.csv").read_text()
    assert "Ordinal" in text and "Scale" in text and "F1.0" in text and "DATETIME" in text


def test_dta_is_release_118_with_label_sets_named_after_their_variables(study, tmp_path):
    export_study(study, "dta", tmp_path / "r.dta")
    assert (tmp_path / "r.dta").read_bytes()[:50].startswith(b"<stata_dta><header><release>118</release>")
    data, meta = pyreadstat.read_dta(str(tmp_path / "r.dta"))
    assert meta.variable_to_label["timepoint"] == "timepoint" and meta.variable_to_label["healing_status"] == "healing_status"
    assert meta.variable_value_labels["group"] == {1: "attending", 2: "resident"}
    assert meta.original_variable_types["submitted_at"] == "%tc"
    assert pd.api.types.is_datetime64_any_dtype(data["submitted_at"])
    assert "case" in data.columns


@pytest.mark.r
def test_r_haven_reads_datetimes_integers_and_labels(study, tmp_path):
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not found")
    if subprocess.run([rscript, "-e", "library(haven)"], capture_output=True).returncode:
        pytest.skip("R package haven is missing (r-cran-haven)")
    export_study(study, "sav", tmp_path / "r.sav")
    export_study(study, "dta", tmp_path / "r.dta")
    script = """
library(haven)
for (f in c("r.sav", "r.dta")) {
  d <- if (grepl("sav$", f)) read_sav(f) else read_dta(f)
  stopifnot(inherits(d$submitted_at, "POSIXct"))
  stopifnot(all(d$bridging_medial[!is.na(d$bridging_medial)] %in% 1:3))
  stopifnot(identical(unname(attr(d$group, "labels")), c(1, 2)))
  stopifnot(identical(names(attr(d$group, "labels")), c("attending", "resident")))
  cat(f, format(attr(d$total, "format.spss")), nrow(d), "\\n")
}
"""
    done = subprocess.run([rscript, "-e", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "r.sav F2.0 98" in done.stdout and "r.dta" in done.stdout
