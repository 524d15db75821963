"""ICC against the published Shrout & Fleiss (1979) Table 2 example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _stats_testkit import SHROUT_FLEISS, wide_to_long

from rushrater.stats import FORMS, MCGRAW_WONG, TABLE_COLUMNS, IccResult, icc

# Shrout & Fleiss (1979) Table 2 / R psych 2.2.9 ICC(x, lmer = FALSE):
# form: (ICC, lower, upper), four decimals as published in /work/shared/RUSH.md.
PUBLISHED = {
    "ICC(1,1)": (0.1657, -0.1329, 0.7226),
    "ICC(2,1)": (0.2898, 0.0188, 0.7611),
    "ICC(3,1)": (0.7148, 0.3425, 0.9459),
    "ICC(1,k)": (0.4428, -0.8844, 0.9124),
    "ICC(2,k)": (0.6201, 0.0711, 0.9272),
    "ICC(3,k)": (0.9093, 0.6757, 0.9859),
}
# F, df1, df2, p from R psych 2.2.9:
#   x <- data.frame(J1 = c(9, 6, 8, 7, 10, 6), J2 = c(2, 1, 4, 1, 5, 2),
#                   J3 = c(5, 3, 6, 2, 6, 4), J4 = c(8, 2, 8, 6, 9, 7))
#   psych::ICC(x, lmer = FALSE)$results
F_TESTS = {
    "ICC(1,1)": (1.794678492, 5, 18, 0.1647688083446),
    "ICC(2,1)": (11.027247956, 5, 15, 0.0001345665165),
    "ICC(3,1)": (11.027247956, 5, 15, 0.0001345665165),
    "ICC(1,k)": (1.794678492, 5, 18, 0.1647688083446),
    "ICC(2,k)": (11.027247956, 5, 15, 0.0001345665165),
    "ICC(3,k)": (11.027247956, 5, 15, 0.0001345665165),
}


@pytest.fixture
def shrout_fleiss_long() -> pd.DataFrame:
    return wide_to_long(SHROUT_FLEISS)


@pytest.fixture
def result(shrout_fleiss_long: pd.DataFrame) -> IccResult:
    return icc(shrout_fleiss_long, "target", "rater", "score")


def test_table_columns_and_labels(result: IccResult) -> None:
    assert tuple(result.table.columns) == TABLE_COLUMNS
    assert list(result.table["form"]) == list(FORMS)
    assert list(result.table["model"]) == ["one-way random", "two-way random", "two-way mixed"] * 2
    assert list(result.table["type"]) == ["absolute agreement", "absolute agreement", "consistency"] * 2
    assert list(result.table["unit"]) == ["single"] * 3 + ["average"] * 3


@pytest.mark.parametrize("form", FORMS)
def test_estimates_and_cis_match_published_values(result: IccResult, form: str) -> None:
    row = result.form(form)
    expected = PUBLISHED[form]
    assert round(float(row["icc"]), 4) == expected[0]
    assert round(float(row["ci_low"]), 4) == expected[1]
    assert round(float(row["ci_high"]), 4) == expected[2]


@pytest.mark.parametrize("form", FORMS)
def test_f_tests_match_psych(result: IccResult, form: str) -> None:
    row = result.form(form)
    f, df1, df2, p = F_TESTS[form]
    assert row["f"] == pytest.approx(f, rel=1e-9)
    assert row["df1"] == df1
    assert row["df2"] == df2
    assert row["p"] == pytest.approx(p, rel=1e-9)


def test_full_precision_no_rounding(result: IccResult) -> None:
    # ICC(2,1) = 0.28976377952755..., not 0.29 as pingouin's default rounding shows the CI.
    value = float(result.form("ICC(2,1)")["icc"])
    assert value == pytest.approx(0.2897637795275591, abs=1e-14)
    assert value != round(value, 4)


def test_mcgraw_wong_names_select_the_same_rows(result: IccResult) -> None:
    for sf, mw in zip(FORMS, MCGRAW_WONG):
        pd.testing.assert_series_equal(result.form(sf), result.form(mw))
    with pytest.raises(KeyError, match="unknown ICC form"):
        result.form("ICC(4,1)")


def test_sizes_anova_and_notes(result: IccResult) -> None:
    assert (result.n_targets, result.n_raters, result.n_ratings) == (6, 4, 24)
    assert result.n_excluded_targets == 0 and result.excluded_targets == ()
    assert result.confidence == 0.95
    anova = result.anova.set_index("source")
    # Shrout & Fleiss Table 3: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02.
    assert anova.loc["targets", "ms"] == pytest.approx(11.241666666666667)
    assert anova.loc["within targets", "ms"] == pytest.approx(6.263888888888889)
    assert anova.loc["raters", "ms"] == pytest.approx(32.486111111111114)
    assert anova.loc["residual", "ms"] == pytest.approx(1.0194444444444444)
    assert list(anova["df"]) == [5, 3, 15, 18]
    assert not any("excluded" in note for note in result.notes)


def test_formulas_of_the_reference(result: IccResult) -> None:
    """The six formulas of RUSH.md section 2, from the ANOVA mean squares."""
    ms = result.anova.set_index("source")["ms"]
    msr, msc, mse, msw = ms["targets"], ms["raters"], ms["residual"], ms["within targets"]
    n, k = 6, 4
    expected = [
        (msr - msw) / (msr + (k - 1) * msw),
        (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n),
        (msr - mse) / (msr + (k - 1) * mse),
        (msr - msw) / msr,
        (msr - mse) / (msr + (msc - mse) / n),
        (msr - mse) / msr,
    ]
    np.testing.assert_allclose(result.table["icc"], expected, rtol=1e-12)


def test_confidence_level_is_configurable(shrout_fleiss_long: pd.DataFrame) -> None:
    narrow = icc(shrout_fleiss_long, "target", "rater", "score", confidence=0.80).table
    wide = icc(shrout_fleiss_long, "target", "rater", "score", confidence=0.99).table
    np.testing.assert_allclose(narrow["icc"], wide["icc"])
    assert (narrow["ci_low"] > wide["ci_low"]).all()
    assert (narrow["ci_high"] < wide["ci_high"]).all()


def test_rater_and_target_order_does_not_matter(shrout_fleiss_long: pd.DataFrame) -> None:
    shuffled = shrout_fleiss_long.sample(frac=1.0, random_state=3).reset_index(drop=True)
    shuffled["target"] = shuffled["target"].map(lambda t: f"case-{t}")
    a = icc(shrout_fleiss_long, "target", "rater", "score").table
    b = icc(shuffled, "target", "rater", "score").table
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)
