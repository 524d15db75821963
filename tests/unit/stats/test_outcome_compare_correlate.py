"""Baseline table and correlations against base R run live, hand values and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _outcome_r import run_r_frame

from rushrater.stats.baseline import compare, spss_quartiles
from rushrater.stats.correlation import correlate


def cohort(seed: int, n: int = 90) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    slow = rng.random(n) < 0.45
    return pd.DataFrame({
        "slow": np.where(slow, "slow", "normal"),
        "age": np.round(rng.normal(60, 10, n)),  # ties for Mann-Whitney
        "vfi": rng.lognormal(3.5, 0.6, n) + 8 * slow,  # skewed: Shapiro rejects
        "smi": rng.normal(45, 6, n) - 3 * slow,
        "sex": rng.choice(["F", "M"], n),
        "asa": rng.choice(["I", "II", "III"], n, p=[0.45, 0.45, 0.10]),  # small expected counts
        "rare": rng.choice(["no", "yes"], n, p=[0.93, 0.07]),
    })


R_COMPARE = """
g <- factor(d$slow, levels = c("normal", "slow"))
out <- NULL
for (v in c("age", "vfi", "smi")) {
  x <- d[[v]]; a <- x[g == "normal"]; b <- x[g == "slow"]
  q <- rbind(quantile(a, c(.25, .5, .75), type = 6), quantile(b, c(.25, .5, .75), type = 6))
  out <- rbind(out, data.frame(variable = v, sw_a = shapiro.test(a)$p.value, sw_b = shapiro.test(b)$p.value,
    t = t.test(a, b, var.equal = TRUE)$statistic, t_p = t.test(a, b, var.equal = TRUE)$p.value,
    welch_p = t.test(a, b)$p.value,
    mw_u = wilcox.test(a, b, exact = FALSE, correct = FALSE)$statistic,
    mw_p = wilcox.test(a, b, exact = FALSE, correct = FALSE)$p.value,
    q1_a = q[1, 1], med_a = q[1, 2], q3_a = q[1, 3], q1_b = q[2, 1], med_b = q[2, 2], q3_b = q[2, 3]))
}
write.csv(out, stdout(), row.names = FALSE)
cat("@@\\n")
out <- NULL
for (v in c("sex", "asa", "rare")) {
  tab <- table(d[[v]], g)
  ch <- suppressWarnings(chisq.test(tab, correct = FALSE))
  out <- rbind(out, data.frame(variable = v, chi2 = unname(ch$statistic), chi2_p = ch$p.value,
                               fisher_p = fisher.test(tab)$p.value, expected_min = min(ch$expected)))
}
write.csv(out, stdout(), row.names = FALSE)
"""


@pytest.mark.r
@pytest.mark.parametrize("seed", [31, 32])
def test_baseline_table_matches_base_R_live(tmp_path: Path, seed: int) -> None:
    data = cohort(seed)
    continuous, categorical = run_r_frame(R_COMPARE, data, tmp_path)
    res = compare(data, "slow", ["age", "vfi", "smi", "sex", "asa", "rare"])
    rows = {r["variable"]: r for r in res.rows}
    assert res.levels == ["normal", "slow"]
    for _, theirs in continuous.iterrows():
        row = rows[theirs["variable"]]
        a, b = row["groups"]["normal"], row["groups"]["slow"]
        assert a["shapiro_p"] == pytest.approx(theirs["sw_a"], abs=1e-4)
        assert b["shapiro_p"] == pytest.approx(theirs["sw_b"], abs=1e-4)
        assert row["t"] == pytest.approx(theirs["t"], abs=1e-6)
        for key in ["t_p", "welch_p", "mw_p"]:
            assert row[key] == pytest.approx(theirs[key], abs=1e-4), key
        assert row["mw_u"] == pytest.approx(theirs["mw_u"], abs=1e-6)
        for ours_key, r_key in [("q1", "q1"), ("median", "med"), ("q3", "q3")]:
            assert a[ours_key] == pytest.approx(theirs[f"{r_key}_a"], abs=1e-6)
            assert b[ours_key] == pytest.approx(theirs[f"{r_key}_b"], abs=1e-6)
        normal = theirs["sw_a"] > 0.05 and theirs["sw_b"] > 0.05
        assert row["test"] == ("student_t" if normal else "mann_whitney")
    for _, theirs in categorical.iterrows():
        row = rows[theirs["variable"]]
        assert row["chi2"] == pytest.approx(theirs["chi2"], abs=1e-6)
        assert row["chi2_p"] == pytest.approx(theirs["chi2_p"], abs=1e-4)
        assert row["fisher_p"] == pytest.approx(theirs["fisher_p"], abs=1e-4)
        assert row["test"] == ("fisher" if theirs["expected_min"] < 5 else "chi2")
    assert rows["vfi"]["test"] == "mann_whitney"


def test_quartiles_are_spss_haverage() -> None:
    # SPSS/R type 6 on 1..10: p(n + 1) = 2.75, 5.5, 8.25 -> 2.75, 5.5, 8.25.
    assert spss_quartiles(np.arange(1.0, 11)) == pytest.approx((2.75, 5.5, 8.25))
    assert spss_quartiles(np.array([1.0, 2, 4, 8])) == pytest.approx((1.25, 3.0, 7.0))


def test_smd_by_hand() -> None:
    data = pd.DataFrame({"g": [0, 0, 0, 1, 1, 1], "x": [1.0, 2, 3, 2, 3, 4], "b": ["n", "y", "n", "y", "y", "n"]})
    rows = {r["variable"]: r for r in compare(data, "g", ["x", "b"]).rows}
    assert rows["x"]["smd"] == pytest.approx(1.0)  # (3 - 2) / sqrt((1 + 1) / 2)
    p0, p1 = 1 / 3, 2 / 3
    assert rows["b"]["smd"] == pytest.approx((p1 - p0) / np.sqrt((p0 * (1 - p0) + p1 * (1 - p1)) / 2))


def test_constant_all_missing_and_one_level_variables_give_stated_nans() -> None:
    data = cohort(33, 40).assign(const=5.0, empty=np.nan, one="yes")
    rows = {r["variable"]: r for r in compare(data, "slow", ["const", "empty", "one"],
                                               kinds={"const": "continuous", "empty": "continuous"}).rows}
    assert np.isnan(rows["const"]["t_p"]) and np.isnan(rows["const"]["mw_p"])
    assert "constant or all missing" in " ".join(rows["const"]["notes"])
    assert rows["empty"]["groups"]["slow"]["n"] == 0 and np.isnan(rows["empty"]["p"])
    assert rows["one"]["test"] is None and "at least two levels" in rows["one"]["notes"][0]


def test_missing_values_reported_per_variable_and_group() -> None:
    data = cohort(34, 50)
    data.loc[:4, "smi"] = np.nan
    res = compare(data, "slow", ["smi"])
    groups = res.rows[0]["groups"]
    assert sum(g["missing"] for g in groups.values()) == 5
    assert sum(g["n"] for g in groups.values()) == 45
    assert res.warnings and res.warnings[0].startswith("smi: 5 missing value(s)")


def test_rows_without_a_group_are_counted() -> None:
    data = cohort(36, 40)
    data.loc[:2, "slow"] = None
    res = compare(data, "slow", ["age"])
    assert res.group_missing == 3 and res.warnings[0] == "3 row(s) without 'slow' left out"
    assert sum(g["n"] for g in res.rows[0]["groups"].values()) == 37


@pytest.mark.parametrize(("group", "message"), [("one", "exactly two groups"), ("asa", "has 3")])
def test_group_must_have_two_levels(group: str, message: str) -> None:
    data = cohort(35, 30).assign(one="a")
    with pytest.raises(ValueError, match=message):
        compare(data, group, ["age"])


R_COR = """
out <- NULL
for (m in c("pearson", "spearman", "kendall")) for (v in c("smi", "vfi")) {
  ct <- suppressWarnings(cor.test(d$delta, d[[v]], method = m, exact = FALSE))
  ci <- if (is.null(ct$conf.int)) c(NA, NA) else ct$conf.int
  out <- rbind(out, data.frame(method = m, y = v, r = unname(ct$estimate), p = ct$p.value, lo = ci[1], hi = ci[2]))
}
write.csv(out, stdout(), row.names = FALSE)
"""


@pytest.mark.r
def test_correlations_match_cor_test_live(tmp_path: Path) -> None:
    rng = np.random.default_rng(41)
    n = 70
    smi = np.round(rng.normal(45, 6, n))  # ties
    data = pd.DataFrame({"delta": np.round(0.3 * smi + rng.normal(0, 3, n)), "smi": smi,
                         "vfi": rng.lognormal(3, 0.5, n)})
    (theirs,) = run_r_frame(R_COR, data, tmp_path)
    for method in ["pearson", "spearman", "kendall"]:
        ours = correlate(data, "delta", ["smi", "vfi"], method=method).rows
        r = theirs[theirs["method"] == method]
        np.testing.assert_allclose(ours["r"], r["r"], atol=1e-6, err_msg=method)
        np.testing.assert_allclose(ours["p"], r["p"], atol=1e-4, err_msg=method)
        if method == "pearson":
            np.testing.assert_allclose(ours["ci_low"], r["lo"], atol=1e-4)
            np.testing.assert_allclose(ours["ci_high"], r["hi"], atol=1e-4)


def test_rank_correlation_cis_by_hand() -> None:
    # Spearman rho = 0.8 on n = 5 (hand: d^2 = 1+1+1+1+0 = 4, 1 - 6*4/120): Fisher z with
    # Bonett-Wright SE sqrt((1 + 0.32)/2) = 0.8124.
    data = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [2, 1, 4, 3, 5]})
    row = correlate(data, "x", ["y"]).rows.iloc[0]
    half = 1.959963984540054 * np.sqrt((1 + 0.8**2 / 2) / 2)
    assert row["r"] == pytest.approx(0.8)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((np.tanh(np.arctanh(0.8) - half),
                                                              np.tanh(np.arctanh(0.8) + half)))
    tau = correlate(pd.DataFrame({"x": range(10), "y": [0, 2, 1, 3, 4, 6, 5, 7, 8, 9]}), "x", ["y"],
                    method="kendall").rows.iloc[0]
    half = 1.959963984540054 * np.sqrt(0.437 / 6)
    assert tau["r"] == pytest.approx(1 - 2 * 2 / 45)  # two discordant pairs of 45
    assert tau["ci_high"] == pytest.approx(np.tanh(np.arctanh(tau["r"]) + half))


def test_constant_and_missing_give_nan_with_warning() -> None:
    data = pd.DataFrame({"x": [1.0, 2, 3, np.nan], "c": [1.0, 1, 1, 1], "y": [1.0, 3, 2, 4]})
    res = correlate(data, "x", ["c", "y"])
    assert np.isnan(res.rows.loc[0, "r"]) and "constant" in res.warnings[-2] + res.warnings[-1]
    assert res.rows.loc[1, "n"] == 3 and res.missing["y"].missing["x"] == 1
    with pytest.raises(ValueError, match="method must be"):
        correlate(data, "x", ["y"], method="bogus")


def test_fisher_exact_agrees_with_scipy_on_2x2_and_with_hand_enumeration() -> None:
    from scipy.stats import fisher_exact

    from rushrater.stats.baseline import fisher_exact_r_by_2

    for table in ([[3, 1], [1, 3]], [[8, 2], [1, 5]], [[0, 5], [6, 1]], [[10, 12], [7, 30]]):
        assert fisher_exact_r_by_2(np.array(table)) == pytest.approx(fisher_exact(table).pvalue, abs=1e-12)
    # 3 x 2 with margins rows (1, 1, 2), columns (2, 2): first-column counts (1,1,0), (1,0,1),
    # (0,1,1), (0,0,2) have probabilities 1/6, 2/6, 2/6, 1/6; the observed (1,1,0) is one of the
    # two least likely, so p = 1/6 + 1/6 = 1/3.
    assert fisher_exact_r_by_2(np.array([[1, 0], [1, 0], [0, 2]])) == pytest.approx(1 / 3)
