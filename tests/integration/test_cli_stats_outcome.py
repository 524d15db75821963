"""``rushrater stats compare|match|logistic|correlate|roc`` from the command line: JSON schema of
issue 14, readable tables, and bad input as one message with exit 1 (usage errors exit 2)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rushrater.cli import stats as stats_cli
from rushrater.cli.main import build_parser, main
from rushrater.stats.matching import match
from rushrater.stats.roc import roc


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cohort_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    n = 120
    age = rng.normal(60, 10, n)
    slow = (rng.random(n) < 1 / (1 + np.exp(-(age - 60) / 8))).astype(int)
    frame = pd.DataFrame({"pid": [f"P{i:03d}" for i in range(n)], "slow": slow, "age": age,
                          "smi": rng.normal(45, 6, n) - 3 * slow, "vfi": rng.gamma(4, 10, n),
                          "sex": rng.choice(["F", "M"], n), "delta": rng.normal(3, 2, n)})
    frame.loc[5, "smi"] = np.nan
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    return path


def test_compare_json_schema(capsys: pytest.CaptureFixture[str], cohort_csv: Path) -> None:
    code, out, _ = run(capsys, "stats", "compare", cohort_csv, "--group", "slow", "--vars", "age,smi,sex", "--json")
    assert code == 0
    rows = {r["variable"]: r for r in json.loads(out)["rows"]}
    for row in rows.values():
        assert {"variable", "kind", "test", "statistic", "p", "smd", "groups"} <= set(row)
        assert set(row["groups"]) == {"0", "1"}
    assert {"t_p", "welch_p", "mw_u", "mw_p"} <= set(rows["age"])
    assert {"chi2", "chi2_p", "fisher_p"} <= set(rows["sex"])
    assert sum(g["missing"] for g in rows["smi"]["groups"].values()) == 1


def test_match_json_pairs_equal_the_library_and_out_csv(capsys: pytest.CaptureFixture[str], cohort_csv: Path,
                                                        tmp_path: Path) -> None:
    out_csv = tmp_path / "matched.csv"
    code, out, _ = run(capsys, "stats", "match", cohort_csv, "--treatment", "slow", "--covariates", "age,sex",
                       "--id", "pid", "--out", out_csv, "--json")
    assert code == 0
    obj = json.loads(out)
    assert {"n_treated", "n_control", "n_pairs", "pairs", "balance"} <= set(obj)
    expected = match(pd.read_csv(cohort_csv), "slow", ["age", "sex"], id_column="pid")
    assert [tuple(p) for p in obj["pairs"]] == expected.pairs and obj["caliper"] == 0.05
    assert {"variable", "smd_before", "smd_after"} == set(obj["balance"][0])
    matched = pd.read_csv(out_csv)
    assert len(matched) == 2 * obj["n_pairs"] and matched.groupby("pair")["slow"].sum().eq(1).all()


def test_match_logit_sd_default_caliper_is_0_2(capsys: pytest.CaptureFixture[str], cohort_csv: Path) -> None:
    code, out, _ = run(capsys, "stats", "match", cohort_csv, "--treatment", "slow", "--covariates", "age",
                       "--caliper-scale", "logit-sd", "--json")
    assert code == 0
    obj = json.loads(out)
    expected = match(pd.read_csv(cohort_csv), "slow", ["age"], caliper=0.2, caliper_scale="logit-sd")
    ps = expected.propensity.to_numpy()
    assert obj["caliper"] == pytest.approx(0.2 * np.std(np.log(ps / (1 - ps)), ddof=1))
    assert obj["n_pairs"] == expected.n_pairs


def test_logistic_json_and_univariable(capsys: pytest.CaptureFixture[str], cohort_csv: Path) -> None:
    code, out, _ = run(capsys, "stats", "logistic", cohort_csv, "--outcome", "slow", "--predictors", "age,smi", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["n"] == 119 and obj["events"] > 0
    assert [t["term"] for t in obj["terms"]] == ["(Intercept)", "age", "smi"]
    assert {"term", "or", "ci_low", "ci_high", "p"} <= set(obj["terms"][1])
    code, out, _ = run(capsys, "stats", "logistic", cohort_csv, "--outcome", "slow", "--predictors", "age,smi",
                       "--univariable", "--json")
    uni = json.loads(out)["univariable"]
    assert code == 0 and [m["n"] for m in uni] == [120, 119]


def test_correlate_and_roc_json(capsys: pytest.CaptureFixture[str], cohort_csv: Path) -> None:
    code, out, _ = run(capsys, "stats", "correlate", cohort_csv, "--x", "delta", "--y", "smi,vfi", "--json")
    rows = json.loads(out)["rows"]
    assert code == 0 and [r["y"] for r in rows] == ["smi", "vfi"]
    assert {"x", "y", "method", "r", "ci_low", "ci_high", "p", "n"} <= set(rows[0]) and rows[0]["n"] == 119
    code, out, _ = run(capsys, "stats", "roc", cohort_csv, "--outcome", "slow", "--markers", "smi,vfi", "--json")
    obj = json.loads(out)
    assert code == 0
    assert {"marker", "direction", "auc", "ci_low", "ci_high", "threshold", "sensitivity", "specificity", "ppv",
            "npv"} <= set(obj["markers"][0])
    assert {"a", "b", "z", "p"} <= set(obj["comparisons"][0])
    expected = roc(pd.read_csv(cohort_csv), "slow", ["smi", "vfi"]).markers
    assert obj["markers"][0]["auc"] == pytest.approx(expected.loc[0, "auc"], abs=1e-15)


def test_readable_tables(capsys: pytest.CaptureFixture[str], cohort_csv: Path) -> None:
    for argv, needle in [
        (("compare", "--group", "slow", "--vars", "age,sex"), "SMD"),
        (("match", "--treatment", "slow", "--covariates", "age"), "SMD before"),
        (("logistic", "--outcome", "slow", "--predictors", "age"), "Hosmer-Lemeshow"),
        (("correlate", "--x", "delta", "--y", "age"), "spearman"),
        (("roc", "--outcome", "slow", "--markers", "smi"), "DeLong"),
    ]:
        code, out, _ = run(capsys, "stats", argv[0], cohort_csv, *argv[1:])
        assert code == 0 and needle in out, argv


@pytest.mark.parametrize(("argv", "message"), [
    (("compare", "--group", "sex", "--vars", "nope"), "'nope' not in the data"),
    (("roc", "--outcome", "age", "--markers", "smi"), "must be binary"),
    (("logistic", "--outcome", "slow", "--predictors", "slow"), "cannot also be a predictor"),
    (("match", "--treatment", "sex", "--covariates", "age", "--caliper", "1e-9"), None),
])
def test_bad_input_is_one_message_exit_1(capsys: pytest.CaptureFixture[str], cohort_csv: Path,
                                         argv: tuple[str, ...], message: str | None) -> None:
    code, out, err = run(capsys, "stats", argv[0], cohort_csv, *argv[1:])
    if message is None:  # a caliper that matches nobody is a result with a note, not an error
        assert code == 0 and "no treated unit has a control within the caliper" in out
        return
    assert code == 1 and message in err and "Traceback" not in err
    assert err.startswith(f"error: {cohort_csv}:")


def test_missing_file_and_bad_caliper(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "stats", "roc", tmp_path / "none.csv", "--outcome", "y", "--markers", "x")
    assert code == 1 and "does not exist" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["stats", "match", "x.csv", "--treatment", "t", "--covariates", "a", "--caliper", "-1"])
    assert exit_info.value.code == 2


def test_other_modules_can_add_stats_subcommands(monkeypatch: pytest.MonkeyPatch) -> None:
    class Extra:
        @staticmethod
        def register(stats_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
            stats_sub.add_parser("extra-statistic").set_defaults(func=lambda args: 0)

    monkeypatch.setattr(stats_cli, "STATS_SUBCOMMAND_MODULES", (*stats_cli.STATS_SUBCOMMAND_MODULES, Extra))
    assert build_parser().parse_args(["stats", "extra-statistic"]).stats_command == "extra-statistic"
