"""Every export format read back (pandas, pyreadstat, openpyxl) equals the study database, with labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factories import AGREEMENT_RATERS, image_rows, simulated_ratings_csv, write_manifest
from rushrater.services.agreement import study_ratings
from rushrater.services.consensus import add_panel_member, record_consensus
from rushrater.services.export import FORMATS, export_study
from rushrater.services.imports import import_manifest
from rushrater.services.planning import plan_reading
from rushrater.services.raters import add_rater
from rushrater.services.ratings import correct_rating, import_ratings
from rushrater.storage import queries

pyreadstat = pytest.importorskip("pyreadstat")

PATIENTS = 8


def rated_study(make_study, tmp_path, name="exported"):
    """6 raters x 8 patients x 2 time points, one corrected rating, one unreadable, one consensus."""
    study = make_study(name, title="Export study")
    source = tmp_path / f"{name}-src"
    manifest = write_manifest(tmp_path / f"{name}-manifest.csv", image_rows(source, PATIENTS))
    import_manifest(study, source, manifest, actor="test")
    codes = [add_rater(study, n, g, actor="test").code for n, g, *_ in AGREEMENT_RATERS]
    plan_reading(study, seed=11, actor="test")
    csv = simulated_ratings_csv(tmp_path / f"{name}-ratings.csv", study.rubric.item_keys, PATIENTS, codes, seed=4)
    import_ratings(study, csv, actor="test")
    first = study_ratings(study).first_reads
    a = first[(first["rater"] == "R02") & (first["timepoint"] == "day1")].iloc[0]
    correct_rating(study, "R02", a["case"], {k: 3 for k in study.rubric.item_keys}, reason="misread", actor="test")
    b = first[(first["rater"] == "R05") & (first["timepoint"] == "month1")].iloc[0]
    correct_rating(study, "R05", b["case"], None, unreadable_reason="film cut off", reason="rotated", actor="test")
    add_panel_member(study, "Dr Senior", actor="test")  # a consensus is decided by a known adjudicator
    record_consensus(study, a["case"], decided_by="Dr Senior", total=17, note="callus on lateral", actor="test",
                     confirm_contradiction=True)  # 17 may lie outside this case's simulated range
    return study


@pytest.fixture
def exported(make_study, tmp_path):
    return rated_study(make_study, tmp_path)


def _database(study) -> pd.DataFrame:
    """Every rating version straight from the storage query, items by key: the reference."""
    with study.db.read() as session:
        rows, scores = queries.all_rating_rows(session)
    frame = pd.DataFrame(rows, columns=["id", "rater", "group", "case", "patient", "timepoint", "read", "version",
                                        "total", "unreadable_reason", "started", "submitted", "active", "source"])
    item_of = {i: k for k, i in study.item_ids.items()}
    values = pd.DataFrame(scores, columns=["id", "item", "value"]).pivot(index="id", columns="item", values="value")
    values = values.rename(columns=item_of)
    return frame.join(values, on="id").sort_values(["rater", "case", "read", "version"]).reset_index(drop=True)


def _check_long(back: pd.DataFrame, study, *, coded: bool) -> None:
    db = _database(study)
    back = back.sort_values(["rater", "case", "read", "version"]).reset_index(drop=True)
    assert len(back) == len(db) == 6 * 2 * PATIENTS + 2  # two corrections are extra versions
    assert list(back["rater"]) == list(db["rater"]) and list(back["case"]) == list(db["case"])
    assert list(back["version"].astype(int)) == list(db["version"])
    for key in study.rubric.item_keys:
        np.testing.assert_array_equal(back[key].astype(float).to_numpy(), db[key].astype(float).to_numpy())
    np.testing.assert_array_equal(back["total"].astype(float).to_numpy(), db["total"].astype(float).to_numpy())
    assert list(back["unreadable"].astype(int)) == list(db["unreadable_reason"].notna().astype(int))
    # current = newest version of each read; exactly one per (rater, case, read)
    current = back[back["current"].astype(int) == 1]
    assert len(current) == 6 * 2 * PATIENTS
    assert not current.duplicated(["rater", "case", "read"]).any()
    superseded = back[back["current"].astype(int) == 0]
    assert set(superseded["version"].astype(int)) == {1} and len(superseded) == 2
    healing = back["healing_status"].astype(float)
    scored = back["unreadable"].astype(int) == 0
    np.testing.assert_array_equal(healing[scored].to_numpy(), (back.loc[scored, "total"].astype(float) < 18).astype(float))
    if coded:
        assert set(back["timepoint"].astype(int)) == {1, 2} and set(back["group"].astype(int)) == {1, 2}
    else:
        assert set(back["timepoint"]) == {"day1", "month1"} and set(back["group"]) == {"attending", "resident"}
        assert list(back["group"]) == list(db["group"])


def test_csv_long_has_the_issue_columns_every_version_and_the_consensus_beside_it(exported, tmp_path):
    (tmp_path / "out").mkdir()
    written = export_study(exported, "csv", tmp_path / "out" / "ratings.csv")
    names = sorted(p.name for p in written)
    assert names == ["ratings.csv", "ratings_codebook.csv", "ratings_consensus.csv"]
    back = pd.read_csv(tmp_path / "out" / "ratings.csv", keep_default_na=False, na_values=[""])
    assert list(back.columns) == [
        "study", "case", "patient", "timepoint", "rater", "group", "read", "source", *exported.rubric.item_keys,
        "cortical_bridging", "cortical_fracture_line", "trabecular_consolidation", "trabecular_fracture_line",
        "total", "healing_status", "unreadable", "unreadable_reason", "started_at", "submitted_at",
        "active_seconds", "version", "current",
    ]
    assert set(back["study"]) == {"Export study"}
    _check_long(back, exported, coded=False)
    assert "2" in open(tmp_path / "out" / "ratings.csv").read().splitlines()[1].split(",")  # integers, not 2.0
    consensus = pd.read_csv(tmp_path / "out" / "ratings_consensus.csv")
    assert len(consensus) == 1
    row = consensus.iloc[0]
    assert (row["total"], row["decided_by"], row["note"], row["current"], row["method"]) == (
        17, "Dr Senior", "callus on lateral", 1, "adjudicated")
    assert row["slow_healing"] == 1  # 17 is below the cut-off
    codebook = pd.read_csv(tmp_path / "out" / "ratings_codebook.csv", keep_default_na=False)
    assert set(codebook.loc[codebook["table"] == "ratings", "variable"]) == set(back.columns)
    medial = codebook[(codebook["table"] == "ratings") & (codebook["variable"] == "bridging_medial")].iloc[0]
    assert medial["values"] == "1 = No bridging; 2 = Partial bridging; 3 = Complete bridging"
    assert medial["units"] == "points"
    assert codebook.loc[codebook["variable"] == "active_seconds", "units"].iloc[0] == "seconds"


def test_csv_wide_is_one_row_per_case_with_each_raters_current_total(exported, tmp_path):
    export_study(exported, "csv-wide", tmp_path / "wide.csv")
    wide = pd.read_csv(tmp_path / "wide.csv")
    assert list(wide.columns) == ["case", "patient", "timepoint"] + [f"total_R0{i}" for i in range(1, 7)]
    assert len(wide) == 2 * PATIENTS and wide["case"].is_unique
    first = study_ratings(exported).first_reads
    expected = first.pivot(index="case", columns="rater", values="total")
    for code in expected.columns:
        got = wide.set_index("case")[f"total_{code}"].reindex(expected.index)
        np.testing.assert_array_equal(got.to_numpy(dtype=float), expected[code].to_numpy(dtype=float))
    assert wide.isna().sum().sum() == 1  # the unreadable read
    codebook = pd.read_csv(tmp_path / "wide_codebook.csv")
    assert list(codebook["variable"]) == list(wide.columns)


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_sav_and_dta_read_back_with_variable_and_value_labels(exported, tmp_path, fmt):
    written = export_study(exported, fmt, tmp_path / f"ratings.{fmt}")
    assert {p.name for p in written} == {f"ratings.{fmt}", f"ratings_consensus.{fmt}", f"ratings_{fmt}_codebook.csv"}
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    back, meta = reader(str(tmp_path / f"ratings.{fmt}"))
    _check_long(back, exported, coded=True)
    labels = meta.column_names_to_labels
    assert labels["total"] == "RUSH total (10-30)"
    assert labels["bridging_medial"].startswith("RUSH item: Cortical bridging")
    values = meta.variable_value_labels
    assert values["bridging_medial"] == {1: "No bridging", 2: "Partial bridging", 3: "Complete bridging"}
    assert values["timepoint"] == {1: "day1 (Day 1)", 2: "month1 (Month 1)"}
    assert values["group"] == {1: "attending", 2: "resident"}
    assert values["healing_status"][1].startswith("slow healing")
    assert all(len(name) <= 32 for name in meta.column_names)
    consensus, cmeta = reader(str(tmp_path / f"ratings_consensus.{fmt}"))
    assert consensus["total"].tolist() == [17.0] and consensus["decided_by"].tolist() == ["Dr Senior"]
    assert cmeta.variable_value_labels["slow_healing"][1].startswith("slow healing")


def test_xlsx_has_a_sheet_per_table_and_a_codebook(exported, tmp_path):
    export_study(exported, "xlsx", tmp_path / "study.xlsx")
    sheets = pd.read_excel(tmp_path / "study.xlsx", sheet_name=None)
    assert list(sheets) == ["ratings", "wide", "consensus", "icc", "codebook"]
    _check_long(sheets["ratings"], exported, coded=False)
    assert len(sheets["consensus"]) == 1
    icc = sheets["icc"]
    cell = icc[(icc["timepoint"] == "month1") & (icc["group"] == "all") & (icc["score"] == "total")
               & (icc["form"] == "ICC(2,1)")]
    from rushrater.services.agreement import agreement_report

    assert cell["icc"].iloc[0] == pytest.approx(agreement_report(exported).cell("month1", "all")["icc"], rel=1e-12)
    assert {"table", "variable", "type", "label", "values", "units"} <= set(sheets["codebook"].columns)
    assert len(sheets["wide"]) == 2 * PATIENTS


def test_every_format_writes_a_codebook(exported, tmp_path):
    for fmt in FORMATS:
        out = tmp_path / fmt
        out.mkdir()
        written = export_study(exported, fmt, out / "x")
        names = {p.name for p in out.rglob("*")}
        if fmt == "xlsx":
            assert "codebook" in pd.read_excel(written[0], sheet_name=None)
        else:
            assert any("codebook" in n for n in names), fmt
        assert not [n for n in names if n.startswith(".")], fmt  # no temporary (hidden) file left
