"""The study agreement table: shape, consistency with icc(), groups, speed."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from _stats_testkit import RUSH_SCORES, make_rush_study, pingouin_table

from rushrater.stats import (
    BETWEEN_GROUPS_COLUMNS,
    FORMS,
    STUDY_COLUMNS,
    agreement_table,
    between_groups_table,
    icc,
)

KEYS = dict(target="case", rater="rater", timepoint="timepoint", group="group")


@pytest.fixture(scope="module")
def rush_study() -> pd.DataFrame:
    """619 patients x 2 timepoints x 6 raters (3 attendings, 3 residents), 15 score columns."""
    return make_rush_study()


@pytest.fixture(scope="module")
def table(rush_study: pd.DataFrame) -> pd.DataFrame:
    return agreement_table(rush_study, scores=RUSH_SCORES, **KEYS)


def cell(table: pd.DataFrame, timepoint: str, group: str, score: str) -> pd.DataFrame:
    rows = table[(table["timepoint"] == timepoint) & (table["group"] == group) & (table["score"] == score)]
    return rows.reset_index(drop=True)


def test_shape_and_columns(table: pd.DataFrame) -> None:
    assert tuple(table.columns) == STUDY_COLUMNS
    assert len(table) == 2 * 3 * 15 * 6
    assert set(table["group"]) == {"all", "attending", "resident"}
    assert set(table["timepoint"]) == {"day 1", "1 month"}
    assert list(table["score"].unique()) == RUSH_SCORES
    assert (table["n_targets"] == 619).all() and (table["excluded_targets"] == 0).all()
    assert set(table.loc[table["group"] == "all", "n_raters"]) == {6}
    assert set(table.loc[table["group"] != "all", "n_raters"]) == {3}
    assert table["icc"].notna().all() and (table["note"] == "").all()


@pytest.mark.parametrize(("timepoint", "group", "score"),
                         [("day 1", "all", "total"), ("1 month", "resident", "item_3"),
                          ("1 month", "attending", "cortical_line")])
def test_cells_equal_single_icc_calls(rush_study, table, timepoint: str, group: str, score: str) -> None:
    subset = rush_study[rush_study["timepoint"] == timepoint]
    if group != "all":
        subset = subset[subset["group"] == group]
    single = icc(subset, "case", "rater", score, all_available=False).table
    got = cell(table, timepoint, group, score)
    for column in ["form", "model", "type", "unit"]:
        assert list(got[column]) == list(single[column])
    for column in ["icc", "ci_low", "ci_high", "f", "df1", "df2", "p"]:
        np.testing.assert_allclose(got[column], single[column], rtol=1e-10, atol=1e-13, err_msg=column)


def test_missing_reads_and_an_absent_rater(rush_study) -> None:
    data = rush_study.copy()
    # R3 read nothing at 1 month (absent, not a reason to drop every case) ...
    data = data[~((data["rater"] == "R3") & (data["timepoint"] == "1 month"))]
    # ... and A1 skipped the total of five day-1 cases.
    skipped = data[(data["rater"] == "A1") & (data["timepoint"] == "day 1")].index[:5]
    data.loc[skipped, "total"] = np.nan
    out = agreement_table(data, scores=["total", "item_1"], **KEYS)
    month = cell(out, "1 month", "resident", "total")
    assert (month["n_raters"] == 2).all() and (month["excluded_targets"] == 0).all()
    assert month["note"].str.contains("absent \\(no ratings\\): 'R3'").all()
    day_all = cell(out, "day 1", "all", "total")
    assert (day_all["n_targets"] == 614).all() and (day_all["excluded_targets"] == 5).all()
    assert day_all["note"].str.contains("5 target\\(s\\) excluded").all()
    assert (cell(out, "day 1", "all", "item_1")["excluded_targets"] == 0).all()
    assert (cell(out, "day 1", "resident", "total")["excluded_targets"] == 0).all()
    # The same cell through icc(), which also names the excluded cases.
    single = icc(data[data["timepoint"] == "day 1"], "case", "rater", "total", all_available=False)
    np.testing.assert_allclose(day_all["icc"], single.table["icc"], rtol=1e-10)
    assert single.n_excluded_targets == 5


def test_forms_subset_confidence_and_no_groups(rush_study) -> None:
    out = agreement_table(rush_study, target="case", rater="rater", scores="total", timepoint="timepoint",
                          forms=["ICC(2,1)", "ICC(3,k)"], confidence=0.9)
    assert list(out["form"]) == ["ICC(2,1)", "ICC(3,k)"] * 2
    assert set(out["group"]) == {"all"}
    full = agreement_table(rush_study, target="case", rater="rater", scores="total", timepoint="timepoint",
                           confidence=0.9)
    merged = out.merge(full, on=["timepoint", "group", "score", "form"], suffixes=("", "_full"))
    np.testing.assert_allclose(merged["ci_low"], merged["ci_low_full"])
    with pytest.raises(ValueError, match="unknown ICC form"):
        agreement_table(rush_study, target="case", rater="rater", scores="total", forms=["ICC(A,1)"])


def test_without_timepoint_cases_are_the_targets(rush_study) -> None:
    day1 = rush_study[rush_study["timepoint"] == "day 1"]
    out = agreement_table(day1, target="patient", rater="rater", scores="total")
    assert set(out["timepoint"]) == {"all"}
    single = icc(day1, "patient", "rater", "total", all_available=False).table
    np.testing.assert_allclose(out["icc"], single["icc"], rtol=1e-10)


def test_design_errors(rush_study) -> None:
    small = rush_study[rush_study["patient"] < "P0010"]
    twice = pd.concat([small, small.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match=r"timepoint='day 1', case='P0000/day 1', rater='A1'\) x2"):
        agreement_table(twice, scores=["total"], **KEYS)
    moved = small.copy()
    moved.loc[moved.index[0], "group"] = "resident"  # A1 now in two groups
    with pytest.raises(ValueError, match="'A1' in \\['attending', 'resident'\\]"):
        agreement_table(moved, scores=["total"], **KEYS)
    with pytest.raises(ValueError, match="named 'all'"):
        agreement_table(small.assign(group="all"), scores=["total"], **KEYS)


def test_cells_without_an_icc_say_why(rush_study) -> None:
    small = rush_study[rush_study["patient"] < "P0005"].copy()
    small["flat"] = 2
    out = agreement_table(small, scores=["flat"], **KEYS)
    assert out["icc"].isna().all() and out["note"].str.contains("zero variance").all()
    only_a1 = small[small["rater"] == "A1"]
    out = agreement_table(only_a1, scores=["total"], **KEYS)
    assert out["icc"].isna().all() and out["note"].str.contains("fewer than two raters").all()


def test_full_study_table_has_every_cell(rush_study) -> None:
    """619 patients x 2 timepoints x (all + 2 groups) x 15 scores x 6 forms = 540 rows, none empty.

    (Its speed is a benchmark figure: ``benchmarks/run.py --only agreement_table_s``.)
    """
    out = agreement_table(rush_study, scores=RUSH_SCORES, **KEYS)
    assert len(out) == 540
    assert out["icc"].notna().all() and (out["n_raters"] == out["group"].map({"all": 6}).fillna(3)).all()


def test_between_groups_consensus_icc(rush_study) -> None:
    out = between_groups_table(rush_study, target="case", rater="rater", group="group", scores=RUSH_SCORES,
                               timepoint="timepoint")
    assert tuple(out.columns) == BETWEEN_GROUPS_COLUMNS
    assert len(out) == 2 * 15 * 6
    assert set(out["comparison"]) == {"attending vs resident"}
    assert (out["n_raters"] == 2).all()
    # By hand: group means as two "raters", then icc().
    month = rush_study[rush_study["timepoint"] == "1 month"]
    consensus = month.groupby(["case", "group"], as_index=False)["total"].mean()
    single = icc(consensus, "case", "group", "total", all_available=False).table
    got = out[(out["timepoint"] == "1 month") & (out["score"] == "total")]
    np.testing.assert_allclose(got["icc"], single["icc"], rtol=1e-10)
    np.testing.assert_allclose(got["ci_low"], single["ci_low"], rtol=1e-10)


def test_between_groups_needs_complete_groups(rush_study) -> None:
    small = rush_study[(rush_study["patient"] < "P0030") & (rush_study["timepoint"] == "day 1")].copy()
    small.loc[small.index[(small["rater"] == "R2").to_numpy()][:3], "total"] = np.nan
    out = between_groups_table(small, target="case", rater="rater", group="group", scores="total")
    assert (out["excluded_targets"] == 3).all() and (out["n_targets"] == 27).all()
    with pytest.raises(ValueError, match="at least two groups"):
        between_groups_table(small, target="case", rater="rater", group="group", scores="total",
                             groups=["resident"])
    with pytest.raises(ValueError, match="not found"):
        between_groups_table(small, target="case", rater="rater", group="group", scores="total",
                             groups=["resident", "fellow"])


@pytest.mark.slow
def test_full_table_equals_a_naive_pingouin_loop(rush_study, table) -> None:
    """Every cell against pingouin.intraclass_corr called once per cell."""
    naive = []
    for timepoint in ["day 1", "1 month"]:
        at_time = rush_study[rush_study["timepoint"] == timepoint]
        for group in ["all", "attending", "resident"]:
            subset = at_time if group == "all" else at_time[at_time["group"] == group]
            for score in RUSH_SCORES:
                res = pingouin_table(subset, targets="case", raters="rater", ratings=score)
                naive.append(res.assign(timepoint=timepoint, group=group, score=score).rename_axis("form"))
    naive_table = pd.concat(naive).reset_index()
    merged = table.merge(naive_table, on=["timepoint", "group", "score", "form"], suffixes=("", "_pg"))
    assert len(merged) == len(table) == 540
    for column in ["icc", "ci_low", "ci_high", "f", "p"]:
        np.testing.assert_allclose(merged[column], merged[f"{column}_pg"], rtol=1e-8, atol=1e-12, err_msg=column)
    assert set(merged["form"]) == set(FORMS)


def test_categorical_timepoints_keep_their_order(rush_study) -> None:
    small = rush_study[rush_study["patient"] < "P0020"].copy()
    small["timepoint"] = pd.Categorical(small["timepoint"], categories=["day 1", "1 month"], ordered=True)
    out = agreement_table(small, scores=["total"], **KEYS)
    assert list(out["timepoint"].unique()) == ["day 1", "1 month"]
