"""ROC/AUC/DeLong/Youden against pROC 1.18 run live, hand values and bad input.

Tolerances: 1e-6 for AUC, thresholds and proportions (they are exact rationals), 1e-4 for CIs,
z and p (we agree to ~1e-12 in practice).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _outcome_r import run_r_frame

from rushrater.stats.roc import delong_auc, roc


def roc_data(seed: int, n: int = 150) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    slow = rng.random(n) < 0.4
    return pd.DataFrame({
        "slow": slow.astype(int),
        "smi": np.round(45 - 4 * slow + rng.normal(0, 6, n), 0),  # rounded: many ties
        "vfi": np.round(30 + 5 * slow + rng.normal(0, 9, n), 1),
        "vsr": rng.normal(1, 0.3, n),  # uninformative
    })


R_ROC = """
suppressMessages(library(pROC))
out <- NULL
for (m in c("smi", "vfi", "vsr")) {
  r <- roc(d$slow, d[[m]], direction = "auto", levels = c(0, 1), quiet = TRUE)
  ci <- ci.auc(r, method = "delong")
  b <- coords(r, "best", best.method = "youden",
              ret = c("threshold", "sensitivity", "specificity", "ppv", "npv", "tp", "fp", "tn", "fn"))
  out <- rbind(out, data.frame(marker = m, direction = r$direction, auc = as.numeric(r$auc),
                               ci_low = ci[1], ci_high = ci[3], b, n_best = nrow(b))[1, ])
  assign(paste0("r_", m), r)
}
write.csv(out, stdout(), row.names = FALSE)
cat("@@\\n")
tests <- NULL
for (p in list(c("smi", "vfi"), c("smi", "vsr"), c("vfi", "vsr"))) {
  t <- roc.test(get(paste0("r_", p[1])), get(paste0("r_", p[2])), method = "delong", paired = TRUE)
  tests <- rbind(tests, data.frame(a = p[1], b = p[2], z = unname(t$statistic), p = t$p.value))
}
write.csv(tests, stdout(), row.names = FALSE)
"""


@pytest.mark.r
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_markers_and_paired_tests_match_pROC_live(tmp_path: Path, seed: int) -> None:
    data = roc_data(seed)
    theirs, tests = run_r_frame(R_ROC, data, tmp_path, ("pROC",))
    ours = roc(data, "slow", ["smi", "vfi", "vsr"])
    merged = ours.markers.merge(theirs, on="marker", suffixes=("", "_r"))
    assert len(merged) == 3
    assert list(merged["direction"]) == list(merged["direction_r"])
    for column in ["auc", "threshold", "sensitivity", "specificity", "ppv", "npv", "tp", "fp", "tn", "fn"]:
        np.testing.assert_allclose(merged[column], merged[f"{column}_r"], atol=1e-6, rtol=0, err_msg=column)
    for column in ["ci_low", "ci_high"]:
        np.testing.assert_allclose(merged[column], merged[f"{column}_r"], atol=1e-4, rtol=0, err_msg=column)
    for marker, n_best in zip(theirs["marker"], theirs["n_best"]):
        assert len(ours.ties[marker]) == n_best, marker
    np.testing.assert_allclose(ours.comparisons["z"], tests["z"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(ours.comparisons["p"], tests["p"], atol=1e-4, rtol=0)


R_TIES = """
suppressMessages(library(pROC))
r <- roc(d$y, d$x, direction = "auto", levels = c(0, 1), quiet = TRUE)
write.csv(data.frame(direction = r$direction, coords(r, "best", best.method = "youden", ret = "threshold")),
          stdout(), row.names = FALSE)
"""


@pytest.mark.r
@pytest.mark.parametrize("flip", [False, True])
def test_several_optimal_thresholds_in_pROC_order_live(tmp_path: Path, flip: bool) -> None:
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8], float)
    data = pd.DataFrame({"y": [0, 1, 0, 1, 0, 1, 0, 1], "x": -x if flip else x})
    (theirs,) = run_r_frame(R_TIES, data, tmp_path, ("pROC",))
    res = roc(data, "y", ["x"])
    assert res.markers.loc[0, "direction"] == theirs.loc[0, "direction"]
    np.testing.assert_allclose(res.ties["x"], theirs["threshold"], atol=1e-12)
    assert res.markers.loc[0, "threshold"] == theirs.loc[0, "threshold"]


def test_hand_computed_auc_and_delong_variance() -> None:
    # Cases 46, 40, 38 vs controls 50, 48, 44 with lower values in cases (direction ">"):
    # 8 of 9 case-control pairs are ordered correctly, AUC = 8/9.  Placements V10 = (1, 1, 2/3),
    # V01 = (1, 1, 2/3); var = 2 * [sum((V - 8/9)^2) / 2] / 3 = 2 * (1/27) / 3 = 2/81.
    fit = delong_auc(np.array([46.0, 40, 38]), np.array([50.0, 48, 44]), ">")
    assert fit.auc == pytest.approx(8 / 9, abs=1e-12)
    assert fit.variance == pytest.approx(2 / 81, abs=1e-12)


def test_constant_marker_gives_auc_half_with_a_warning() -> None:
    data = pd.DataFrame({"y": [0, 1, 0, 1, 1], "x": [3.0] * 5})
    res = roc(data, "y", ["x"])
    row = res.markers.iloc[0]
    assert row["auc"] == 0.5 and row["ci_low"] == 0.5 and row["ci_high"] == 0.5
    assert any("same value for every patient" in w for w in res.warnings)
    assert res.to_dict()["markers"][0]["threshold"] is None  # ±Inf is not JSON


def test_missing_marker_values_are_reported_not_hidden() -> None:
    data = pd.DataFrame({"y": [0, 1, 0, 1, 1, 0], "x": [1.0, 2, np.nan, 4, 5, 0.5], "z": [1.0, 2, 3, 4, 5, 6]})
    res = roc(data, "y", ["x", "z"])
    assert res.missing["x"].n_used == 5 and res.missing["x"].missing["x"] == 1
    assert res.markers.set_index("marker").loc["x", "n"] == 5
    assert any("x: missing values: x 1; 5 of 6 rows used" in w for w in res.warnings)
    assert res.comparisons.loc[0, "n"] == 5


@pytest.mark.parametrize(("outcome", "message"), [
    ([0, 1, 2, 1], "must be binary"),
    ([1, 1, 1, 1], "1 distinct value"),
    ([np.nan] * 4, "all missing"),
])
def test_non_binary_outcome_is_a_clear_error(outcome: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        roc(pd.DataFrame({"y": outcome, "x": [1.0, 2, 3, 4]}), "y", ["x"])
