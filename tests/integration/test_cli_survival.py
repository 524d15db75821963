"""``rushrater stats cox|tdroc|nomogram|calibrate|validate|compare-risk`` on a CSV."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "stats"))
from _survival_testkit import rehab_like  # noqa: E402

from rushrater.cli.main import main  # noqa: E402
from rushrater.stats.cox import cox_fit  # noqa: E402

COX_KEYS = {"n", "events", "terms", "concordance", "concordance_se", "ph_test", "global_ph_p"}


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    data = rehab_like(300, seed=31)
    rng = np.random.default_rng(1)
    data["image_model"] = 0.03 * data["age"] + 0.02 * data["height"] - 0.5 * data["ct_guided"] + rng.normal(0, .1, 300)
    path = tmp_path / "cohort.csv"
    data.to_csv(path, index=False)
    return path


def test_cox_json_is_the_documented_schema_with_r_numbers(cohort: Path, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    code, out, _ = run(capsys, "stats", "cox", cohort, "--time", "time", "--event", "event",
                       "--predictors", "age,height,ct_guided", "--json", "--plot", tmp_path / "zph.svg")
    assert code == 0
    result = json.loads(out)
    assert COX_KEYS <= set(result)
    assert [t["term"] for t in result["terms"]] == ["age", "height", "ct_guided"]
    direct = cox_fit(pd.read_csv(cohort), "time", "event", ["age", "height", "ct_guided"])
    assert result["terms"][0]["coef"] == direct.terms[0].coef
    assert (tmp_path / "zph.svg").read_text().startswith("<?xml")


def test_cox_table_breslow_and_strata(cohort: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", "cox", cohort, "--time", "time", "--event", "event",
                       "--predictors", "age,ct_guided", "--ties", "breslow", "--strata", "institution")
    assert code == 0
    assert "ties = breslow, strata = institution" in out and "GLOBAL" in out


def test_tdroc_json(cohort: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "stats", "tdroc", cohort, "--time", "time", "--event", "event",
                       "--marker", "image_model", "--at", "1,3,6", "--json", "--plot", tmp_path / "roc.png")
    assert code == 0
    times = json.loads(out)["times"]
    assert [t["t"] for t in times] == [1.0, 3.0, 6.0]
    assert {"t", "auc", "ci_low", "ci_high"} <= set(times[0])
    assert all(t["ci_low"] < t["auc"] < t["ci_high"] for t in times)
    assert (tmp_path / "roc.png").stat().st_size > 1000


def test_nomogram_calibrate_validate_compare(cohort: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = ["--time", "time", "--event", "event"]
    code, out, _ = run(capsys, "stats", "nomogram", cohort, *base, "--predictors", "age,ct_guided", "--at", "3",
                       "--out", tmp_path / "nomogram.pdf", "--json")
    assert code == 0 and max(max(a["points"]) for a in json.loads(out)["axes"]) == pytest.approx(100)
    assert (tmp_path / "nomogram.pdf").read_bytes().startswith(b"%PDF")
    code, out, _ = run(capsys, "stats", "calibrate", cohort, *base, "--predictors", "age,ct_guided", "--at", "3",
                       "--bootstrap", "20", "--seed", "5", "--group-size", "75", "--json")
    first = json.loads(out)
    assert code == 0 and first["seed"] == 5 and len(first["times"][0]["groups"]) == 4
    # same seed, same numbers
    code, again, _ = run(capsys, "stats", "calibrate", cohort, *base, "--predictors", "age,ct_guided", "--at", "3",
                         "--bootstrap", "20", "--seed", "5", "--group-size", "75", "--json")
    assert json.loads(again) == first
    code, out, _ = run(capsys, "stats", "validate", cohort, *base, "--predictors", "age,ct_guided", "--at", "1,3",
                       "--train-where", "institution == 1", "--validate-where", "institution == 2",
                       "--bootstrap", "20")
    assert code == 0 and "validation" in out and "optimism-corrected C" in out
    code, out, _ = run(capsys, "stats", "compare-risk", cohort, *base, "--score-a", "image_model", "--score-b", "age",
                       "--at", "1,3", "--bootstrap", "50", "--json")
    result = json.loads(out)
    assert code == 0 and result["seed"] is not None and len(result["auc"]) == 2


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.assign(event=0), "no events"),
    (lambda d: d.assign(age=70), "'age' is constant"),
    (lambda d: d.assign(time=d["time"].where(d.index != 4, -2)), "negative on rows 6"),
])
def test_bad_data_exits_1_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str], edit, message) -> None:
    path = tmp_path / "bad.csv"
    edit(rehab_like(60, seed=2)).to_csv(path, index=False)
    code, out, err = run(capsys, "stats", "cox", path, "--time", "time", "--event", "event",
                         "--predictors", "age,ct_guided")
    assert code == 1
    assert message in err and "Traceback" not in err


def test_bad_times_option_is_a_usage_error(cohort: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["stats", "tdroc", str(cohort), "--time", "time", "--event", "event", "--marker", "age", "--at", "1,x"])
    assert exc.value.code == 2
    assert "not a number" in capsys.readouterr().err


def test_few_events_per_predictor_warns_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = rehab_like(40, seed=3)
    path = tmp_path / "small.csv"
    data.to_csv(path, index=False)
    code, _, err = run(capsys, "stats", "cox", path, "--time", "time", "--event", "event",
                       "--predictors", "age,weight,height,ct_guided")
    assert code == 0 and "TRIPOD" in err
