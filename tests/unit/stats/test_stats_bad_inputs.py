"""Bad input never crashes obscurely or returns a silently wrong number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _stats_testkit import SHROUT_FLEISS, wide_to_long

from rushrater.stats import (
    agreement_table,
    bland_altman,
    fleiss_kappa,
    healing_agreement,
    icc,
    krippendorff_alpha,
    weighted_kappa_matrix,
)

# Any RuntimeWarning (0/0, log of 0...) from our code would mean an unguarded edge case.
pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture
def shrout_fleiss_long() -> pd.DataFrame:
    return wide_to_long(SHROUT_FLEISS)


def test_constant_scores_give_nan_with_reason() -> None:
    long = wide_to_long(np.full((5, 3), 20.0))
    res = icc(long, "target", "rater", "score")
    assert res.table["icc"].isna().all()
    assert res.table[["ci_low", "ci_high", "f", "p"]].isna().all().all()
    assert res.all_available["icc"].isna().all()
    assert any("zero variance" in note for note in res.notes)
    assert any("every 'score' rating equals 20" in note for note in res.notes)


def test_constant_non_integer_scores_are_not_rounding_noise() -> None:
    # 0.1 sums inexactly; without the explicit check the ICC would be noise / noise.
    res = icc(wide_to_long(np.full((7, 3), 0.1)), "target", "rater", "score", all_available=False)
    assert res.table["icc"].isna().all()


def test_perfect_agreement_is_one_with_degenerate_but_finite_ci() -> None:
    wide = np.repeat(np.arange(10.0, 18.0)[:, None], 3, axis=1)
    res = icc(wide_to_long(wide), "target", "rater", "score", all_available=False)
    np.testing.assert_array_equal(res.table["icc"], 1.0)
    np.testing.assert_array_equal(res.table["ci_low"], 1.0)
    np.testing.assert_array_equal(res.table["ci_high"], 1.0)
    assert np.isinf(res.table["f"]).all() and (res.table["p"] == 0).all()


def test_constant_rater_offset_without_residual() -> None:
    # Raters differ by a constant, no residual: consistency 1, absolute agreement < 1.
    wide = np.arange(10.0, 18.0)[:, None] + np.array([0.0, 1.0, 2.0])
    res = icc(wide_to_long(wide), "target", "rater", "score", all_available=False).table.set_index("form")
    assert res.at["ICC(3,1)", "icc"] == 1.0
    assert 0 < res.at["ICC(2,1)", "icc"] < 1
    assert np.isfinite(res.loc["ICC(2,1)", ["ci_low", "ci_high"]]).all()


def test_one_rater_raises() -> None:
    with pytest.raises(ValueError, match="at least two raters.*from 1: 'R1'"):
        icc(wide_to_long(np.arange(5.0)[:, None]), "target", "rater", "score")


def test_one_target_raises() -> None:
    with pytest.raises(ValueError, match="at least two rated targets"):
        icc(wide_to_long(np.array([[1.0, 2.0, 3.0]])), "target", "rater", "score")


def test_rater_without_ratings_is_absent(shrout_fleiss_long) -> None:
    ghost = pd.DataFrame({"target": range(6), "rater": "ghost", "score": np.nan})
    with_ghost = pd.concat([shrout_fleiss_long, ghost], ignore_index=True)
    res = icc(with_ghost, "target", "rater", "score")
    base = icc(shrout_fleiss_long, "target", "rater", "score")
    pd.testing.assert_frame_equal(res.table, base.table)
    assert res.n_raters == 4 and res.n_excluded_targets == 0
    assert any("'ghost'" in note and "absent" in note for note in res.notes)


def test_unused_categorical_rater_level_is_absent(shrout_fleiss_long) -> None:
    data = shrout_fleiss_long.assign(
        rater=pd.Categorical(shrout_fleiss_long["rater"], categories=["R1", "R2", "R3", "R4", "R5"])
    )
    res = icc(data, "target", "rater", "score")
    assert res.n_raters == 4 and res.n_excluded_targets == 0


def test_non_numeric_scores_name_the_rows(shrout_fleiss_long) -> None:
    data = shrout_fleiss_long.astype({"score": object})
    data.loc[3, "score"] = "abc"
    data.loc[17, "score"] = "12"  # numbers as text are not silently parsed either
    with pytest.raises(ValueError, match=r"non-numeric value\(s\): row 3 \('abc'\), row 17 \('12'\)"):
        icc(data, "target", "rater", "score")


def test_boolean_and_infinite_scores_are_rejected(shrout_fleiss_long) -> None:
    with pytest.raises(ValueError, match="boolean"):
        icc(shrout_fleiss_long.assign(score=shrout_fleiss_long["score"] > 5), "target", "rater", "score")
    data = shrout_fleiss_long.copy()
    data.loc[5, "score"] = np.inf
    with pytest.raises(ValueError, match=r"infinite value\(s\): row 5"):
        icc(data, "target", "rater", "score")


def test_nan_scores_are_missing_cells(shrout_fleiss_long) -> None:
    data = shrout_fleiss_long.copy()
    data.loc[data.index[0], "score"] = np.nan  # target 0, rater R1
    res = icc(data, "target", "rater", "score")
    dropped = icc(shrout_fleiss_long.iloc[1:], "target", "rater", "score")
    pd.testing.assert_frame_equal(res.table, dropped.table)
    assert res.excluded_targets == (0,) and res.n_targets == 5
    assert any("without a score" in note for note in res.notes)


def test_nullable_and_object_numbers_are_accepted(shrout_fleiss_long) -> None:
    base = icc(shrout_fleiss_long, "target", "rater", "score", all_available=False).table
    as_int = shrout_fleiss_long.assign(score=shrout_fleiss_long["score"].astype("Int64"))
    as_obj = shrout_fleiss_long.assign(score=shrout_fleiss_long["score"].astype(int).astype(object))
    for data in (as_int, as_obj):
        pd.testing.assert_frame_equal(icc(data, "target", "rater", "score", all_available=False).table, base)


def test_duplicate_pairs_raise_naming_them(shrout_fleiss_long) -> None:
    reread = shrout_fleiss_long[(shrout_fleiss_long["target"] == 2) & (shrout_fleiss_long["rater"] == "R3")]
    data = pd.concat([shrout_fleiss_long, reread.assign(score=1.0)], ignore_index=True)
    with pytest.raises(ValueError, match=r"1 \(case, rater\) pair.*\(target=2, rater='R3'\) x2"):
        icc(data, "target", "rater", "score")
    res = icc(data, "target", "rater", "score", duplicates="mean")
    assert any("averaged" in note and "target=2" in note for note in res.notes)
    with pytest.raises(ValueError, match="duplicates must be one of"):
        icc(data, "target", "rater", "score", duplicates="first")


def test_a_missing_rating_row_is_not_a_duplicate(shrout_fleiss_long) -> None:
    blank = shrout_fleiss_long.iloc[[0]].assign(score=np.nan)
    res = icc(pd.concat([shrout_fleiss_long, blank], ignore_index=True), "target", "rater", "score")
    assert res.n_targets == 6


def test_missing_ids_columns_and_wrong_types(shrout_fleiss_long) -> None:
    data = shrout_fleiss_long.astype({"rater": object})
    data.loc[4, "rater"] = None
    with pytest.raises(ValueError, match=r"id column 'rater' is missing in 1 row\(s\): row 4"):
        icc(data, "target", "rater", "score")
    with pytest.raises(ValueError, match="column\\(s\\) 'total' not found"):
        icc(shrout_fleiss_long, "target", "rater", "total")
    with pytest.raises(TypeError, match="DataFrame"):
        icc(shrout_fleiss_long.to_numpy(), "target", "rater", "score")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="different columns"):
        icc(shrout_fleiss_long, "target", "target", "score")


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5, "high"])
def test_bad_confidence(shrout_fleiss_long, confidence) -> None:
    with pytest.raises(ValueError, match="confidence"):
        icc(shrout_fleiss_long, "target", "rater", "score", confidence=confidence)


def test_other_functions_share_the_input_rules(shrout_fleiss_long) -> None:
    data = shrout_fleiss_long.astype({"score": object})
    data.loc[2, "score"] = "n/a"
    for call in (
        lambda: fleiss_kappa(data, "target", "rater", "score"),
        lambda: krippendorff_alpha(data, "target", "rater", "score"),
        lambda: weighted_kappa_matrix(data, "target", "rater", "score"),
        lambda: bland_altman(data, "target", "rater", "score"),
        lambda: healing_agreement(data, "target", "rater", "score"),
        lambda: agreement_table(data, target="target", rater="rater", scores=["score"]),
    ):
        with pytest.raises(ValueError, match="row 2 \\('n/a'\\)"):
            call()


def test_degenerate_cells_in_other_measures_are_nan_with_notes() -> None:
    long = wide_to_long(np.full((5, 3), 2.0))
    assert "alpha undefined" in krippendorff_alpha(long, "target", "rater", "score")["note"].iloc[0]
    assert np.isnan(krippendorff_alpha(long, "target", "rater", "score")["alpha"].iloc[0])
    kappa = fleiss_kappa(long, "target", "rater", "score")
    assert np.isnan(kappa["kappa"].iloc[0]) and "one category" in kappa["note"].iloc[0]
    pairs = weighted_kappa_matrix(long, "target", "rater", "score")
    assert pairs["kappa"].isna().all() and pairs["note"].str.contains("one and the same category").all()
    single = wide_to_long(np.array([[1.0, 2.0], [np.nan, np.nan]]))
    ba = bland_altman(single, "target", "rater", "score")
    assert ba["sd"].isna().all() and ba["note"].str.contains("fewer than two").all()
