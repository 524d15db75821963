"""Propensity-score matching against MatchIt run live, hand-derived calipers and bad input.

Debian's MatchIt 4.5.1 has MatchIt issue #163: ``abs()`` on doubles resolves to the integer
``abs`` in src/nn_matchC_vec.cpp, so every |difference| of propensity scores (all < 1) truncates
to 0.  That ignores the caliper *and* makes "nearest" always the lower neighbour.  The live
comparisons therefore pass MatchIt the propensity score from R's own ``glm`` scaled by 1e9 as a
numeric ``distance``: integer truncation of a difference then loses less than 1e-9 on the PS
scale (no two neighbours are that close in these data), so MatchIt's own C++ runs the algorithm
of 4.5.4 — order, tie-breaking, caliper and all.  The propensity scores themselves are compared
with R's ``glm`` separately; standardized mean differences are scale free, so the "distance"
row of ``summary()`` compares too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _outcome_r import run_r_frame

from rushrater.stats.matching import greedy_nearest, match, match_order

SCALE = 1e9  # see the module docstring


def cohort(seed: int, n: int = 160) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(62, 11, n)
    bmi = rng.normal(26, 4, n)
    sex = rng.choice(["F", "M"], n)
    asa = rng.choice(["I", "II", "III"], n, p=[0.3, 0.5, 0.2])
    lp = -0.8 + 0.05 * (age - 62) + 0.08 * (bmi - 26) + 0.4 * (sex == "M") + 0.6 * (asa == "III")
    treated = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    return pd.DataFrame({"pid": [f"P{i:03d}" for i in range(n)], "slow": treated, "age": age, "bmi": bmi,
                         "sex": sex, "asa": asa})


def r_matchit(order: str, ratio: int, caliper: str, logit: bool = False) -> str:
    return f"""
suppressMessages(library(MatchIt))
f <- slow ~ age + bmi + sex + asa
ps <- glm(f, data = d, family = binomial)$fitted.values
dist <- {"qlogis(ps) * 1e7" if logit else "ps * 1e9"}
m <- matchit(f, data = d, method = "nearest", distance = dist, m.order = "{order}", ratio = {ratio}{caliper})
mm <- m$match.matrix
pairs <- data.frame(treated = rep(d$pid[as.integer(rownames(mm))], ncol(mm)),
                    control = d$pid[as.integer(as.vector(mm))], round = rep(seq_len(ncol(mm)), each = nrow(mm)))
write.csv(pairs[!is.na(pairs$control), ], stdout(), row.names = FALSE)
cat("@@\\n")
s <- summary(m, standardize = TRUE)
write.csv(data.frame(variable = rownames(s$sum.all), before = s$sum.all[, "Std. Mean Diff."],
                     after = s$sum.matched[, "Std. Mean Diff."]), stdout(), row.names = FALSE)
cat("@@\\n")
write.csv(data.frame(ps = ps), stdout(), row.names = FALSE)
"""


def check_against_matchit(tmp_path: Path, data: pd.DataFrame, order: str, ratio: int, r_caliper: str,
                          **ours_kwargs: object) -> None:
    logit = ours_kwargs.get("caliper_scale") == "logit-sd"
    pairs, balance, ps = run_r_frame(r_matchit(order, ratio, r_caliper, logit), data, tmp_path, ("MatchIt",))
    ours = match(data, "slow", ["age", "bmi", "sex", "asa"], order=order, ratio=ratio, id_column="pid",
                 **ours_kwargs)  # type: ignore[arg-type]
    np.testing.assert_allclose(ours.propensity.to_numpy(), ps["ps"], atol=1e-6, rtol=0)
    assert sorted(ours.pairs) == sorted(zip(pairs["treated"], pairs["control"]))
    assert ours.n_pairs == len(pairs)
    # MatchIt names factor levels "sexF", "asaII"; ours "sex[F]", "asa[II]"; same order.
    assert len(balance) == len(ours.balance)
    np.testing.assert_allclose(ours.balance["smd_before"], balance["before"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(ours.balance["smd_after"], balance["after"], atol=1e-6, rtol=0)


@pytest.mark.r
@pytest.mark.parametrize("order", ["largest", "smallest", "data"])
@pytest.mark.parametrize("seed", [5, 6])
def test_one_to_one_without_caliper_matches_matchit_live(tmp_path: Path, order: str, seed: int) -> None:
    check_against_matchit(tmp_path, cohort(seed), order, 1, "", caliper=None)


@pytest.mark.r
def test_one_to_two_matches_matchit_live(tmp_path: Path) -> None:
    # MatchIt 4.5.1 has a second bug for ratio > 1: it stores 1-based control indices in the match
    # matrix but checks 0-based ones in check_in(), so in round 2 a treated unit skips the control
    # that follows its round-1 control in data order (fixed in 4.5.4: mm(row, r) = d_ord[k]).
    # Only a fixed MatchIt can be compared; the brute-force test below covers ratio 2 everywhere.
    (info,) = run_r_frame('write.csv(data.frame(v = as.character(packageVersion("MatchIt"))), stdout(), '
                          'row.names = FALSE)', cohort(7, 10), tmp_path, ("MatchIt",))
    version = str(info["v"][0])
    if tuple(int(p) for p in version.split(".")[:3]) < (4, 5, 4):
        pytest.skip(f"MatchIt {version} mis-skips controls when ratio > 1 (fixed in 4.5.4)")
    check_against_matchit(tmp_path, cohort(7, 200), "largest", 2, "", caliper=None)


R_GLM_DIRECT = """
suppressMessages(library(MatchIt))
if (packageVersion("MatchIt") < "4.5.4") {
  write.csv(data.frame(skip = as.character(packageVersion("MatchIt"))), stdout(), row.names = FALSE)
} else {
  m <- matchit(slow ~ age + bmi + sex + asa, data = d, method = "nearest", distance = "glm",
               caliper = 0.05, std.caliper = FALSE)
  mm <- m$match.matrix
  write.csv(data.frame(treated = d$pid[as.integer(rownames(mm))], control = d$pid[as.integer(mm[, 1])]),
            stdout(), row.names = FALSE)
}
"""


@pytest.mark.r
def test_the_study_call_itself_on_a_fixed_matchit_live(tmp_path: Path) -> None:
    # The exact R call of the study (distance = "glm", caliper 0.05 on the PS): only a MatchIt
    # with the issue #163 fix (>= 4.5.4) computes it; 4.5.1 is covered by the scaled tests above.
    data = cohort(15)
    (theirs,) = run_r_frame(R_GLM_DIRECT, data, tmp_path, ("MatchIt",))
    if "skip" in theirs.columns:
        pytest.skip(f"MatchIt {theirs['skip'][0]} ignores the caliper (issue #163, fixed in 4.5.4)")
    ours = match(data, "slow", ["age", "bmi", "sex", "asa"], caliper=0.05, id_column="pid")
    assert sorted(ours.pairs) == sorted(zip(theirs.dropna()["treated"], theirs.dropna()["control"]))


def brute_force_nearest(distance: np.ndarray, treated: np.ndarray, order: np.ndarray, caliper: float | None,
                        ratio: int) -> list[list[int]]:
    """The algorithm of MatchIt 4.5.4's nn_matchC_vec written the slow, obvious way (O(n²))."""
    n = len(distance)
    position = np.empty(n, int)
    position[np.argsort(distance, kind="stable")] = np.arange(n)
    available = ~treated.copy()
    treated_idx = np.nonzero(treated)[0]
    result = [[-1] * ratio for _ in treated_idx]
    failed = set()
    for r in range(ratio):
        for t in order:
            if not available.any() or t in failed:
                continue
            unit = treated_idx[t]
            candidates = np.nonzero(available)[0]
            below = candidates[position[candidates] < position[unit]]
            above = candidates[position[candidates] > position[unit]]
            lo = below[np.argmax(position[below])] if len(below) else None
            hi = above[np.argmin(position[above])] if len(above) else None
            gap = lambda k, unit=unit: abs(distance[k] - distance[unit])  # noqa: E731
            if caliper is not None:
                lo = lo if lo is not None and gap(lo) <= caliper else None
                hi = hi if hi is not None and gap(hi) <= caliper else None
            if lo is None and hi is None:
                failed.add(t)
                continue
            k = lo if hi is None or (lo is not None and gap(lo) <= gap(hi)) else hi
            result[t][r] = int(k)
            available[k] = False
    return result


@pytest.mark.parametrize(("seed", "ratio", "caliper", "order"), [
    (1, 2, None, "largest"), (2, 3, None, "smallest"), (3, 2, 0.02, "largest"), (4, 1, 0.005, "data"),
    (5, 2, 0.01, "random"),
])
def test_fast_matcher_equals_the_obvious_algorithm(seed: int, ratio: int, caliper: float | None, order: str) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    distance = np.round(rng.beta(2, 3, n), 3)  # rounded: ties in distance
    treated = rng.random(n) < 0.3
    visit = match_order(distance[treated], order, seed)
    fast = greedy_nearest(distance, treated, visit, caliper=caliper, ratio=ratio).tolist()
    assert fast == brute_force_nearest(distance, treated, visit, caliper, ratio)


@pytest.mark.r
@pytest.mark.parametrize("width", [0.05, 0.01])
def test_ps_caliper_matches_matchit_on_the_scaled_distance_live(tmp_path: Path, width: float) -> None:
    # caliper = width on the PS scale = width * 1e9 on the scaled distance (std.caliper = FALSE).
    check_against_matchit(tmp_path, cohort(8), "largest", 1, f", caliper = {width} * 1e9, std.caliper = FALSE",
                          caliper=width, caliper_scale="ps")


@pytest.mark.r
def test_logit_sd_caliper_matches_matchit_linear_logit_live(tmp_path: Path) -> None:
    # Austin's 0.2 SD of the logit: MatchIt link = "linear.logit", caliper = 0.2, std.caliper = TRUE
    # (sd() of the scaled logit is the scaled sd, so the standardized caliper is the same).
    check_against_matchit(tmp_path, cohort(9), "largest", 1, ", caliper = 0.2, std.caliper = TRUE",
                          caliper=0.2, caliper_scale="logit-sd")


def test_hand_derived_caliper_and_tie_break() -> None:
    # Sorted distances: C0 .10, T0 .20, C1 .30, T1 .32, C2 .60.  Order "largest": T1 first.
    # T1: lower neighbour C1 (.02 away), upper C2 (.28) -> C1.  T0: lower C0 (.10), upper: C1 is
    # used, so C2 (.40) -> C0.  With caliper .05, T0's nearest available lower (C0, .10) and upper
    # (C2, .40) are both outside: T0 stays unmatched.
    distance = np.array([0.10, 0.20, 0.30, 0.32, 0.60])
    treated = np.array([False, True, False, True, False])
    order = match_order(distance[treated], "largest", None)
    assert list(order) == [1, 0]
    assert greedy_nearest(distance, treated, order).tolist() == [[0], [2]]
    assert greedy_nearest(distance, treated, order, caliper=0.05).tolist() == [[-1], [2]]
    # Equally near below and above (.25 between .20 and .30): MatchIt's "<=" takes the lower one.
    tie = np.array([0.20, 0.25, 0.30])
    assert greedy_nearest(tie, np.array([False, True, False]), np.array([0])).tolist() == [[0]]
    # A caliper exactly equal to the gap still matches ("> caliper" excludes).
    assert greedy_nearest(np.array([0.0, 0.5]), np.array([False, True]), np.array([0]), caliper=0.5).tolist() == [[0]]


def test_random_order_is_seeded_and_reproducible() -> None:
    data = cohort(10)
    a = match(data, "slow", ["age", "bmi"], order="random", seed=42, caliper=None)
    b = match(data, "slow", ["age", "bmi"], order="random", seed=42, caliper=None)
    assert a.pairs == b.pairs
    order = match_order(np.arange(50.0), "random", 42)
    assert sorted(order) == list(range(50)) and list(order) != list(range(50))


def test_caliper_that_matches_nobody_is_a_warning_with_nan_balance() -> None:
    data = cohort(11)
    res = match(data, "slow", ["age", "bmi"], caliper=1e-12)
    assert res.n_pairs == 0 and res.pairs == []
    assert any("no treated unit has a control within the caliper" in w for w in res.warnings)
    assert res.balance["smd_after"].isna().all()
    assert res.to_dict()["balance"][0]["smd_after"] is None


def test_missing_covariates_are_counted_and_rows_left_out() -> None:
    data = cohort(12)
    data.loc[[3, 4], "age"] = np.nan
    data.loc[5, "sex"] = None
    res = match(data, "slow", ["age", "sex"], caliper=None)
    assert res.missing.missing == {"slow": 0, "age": 2, "sex": 1} and res.missing.n_used == len(data) - 3
    assert any("age 2, sex 1" in w for w in res.warnings)


@pytest.mark.parametrize(("change", "message"), [
    ({"slow": 1}, "1 distinct value"),
    ({"age": 50.0}, "same for every patient"),
    ({"slow": "x"}, "1 distinct value"),
])
def test_bad_input_is_a_clear_error(change: dict[str, object], message: str) -> None:
    data = cohort(13).assign(**change)
    with pytest.raises(ValueError, match=message):
        match(data, "slow", ["age", "bmi"])


def test_duplicated_ids_are_refused() -> None:
    data = cohort(16)
    data.loc[1, "pid"] = data.loc[0, "pid"]
    with pytest.raises(ValueError, match="'P000' appears more than once"):
        match(data, "slow", ["age"], id_column="pid")


def test_binary_sd_is_decided_on_all_units_as_matchit() -> None:
    from rushrater.stats.matching import smd_att

    # Treated values are 0/1 but the controls hold a 2: not a binary variable, so the denominator
    # is sd() of the treated (0.5774 for 0, 1, 1), not sqrt(p(1 - p)) (0.4714).
    x = np.array([0.0, 1, 1, 2, 1, 1])
    treated = np.array([True, True, True, False, False, False])
    assert smd_att(x, treated) == pytest.approx((2 / 3 - 4 / 3) / np.std([0, 1, 1], ddof=1))
    # All units 0/1: sqrt(p(1 - p)) of the treated.
    b = np.array([0.0, 1, 1, 1, 1, 1])
    assert smd_att(b, treated) == pytest.approx((2 / 3 - 1) / np.sqrt(2 / 3 * 1 / 3))


def test_complete_separation_of_the_treatment_is_refused() -> None:
    data = cohort(14)
    data["age"] = np.where(data["slow"] == 1, 80.0, 40.0) + np.arange(len(data)) * 1e-3
    with pytest.raises(ValueError, match="separation by age"):
        match(data, "slow", ["age", "bmi"])
