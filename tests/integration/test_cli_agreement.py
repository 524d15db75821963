"""``rushrater icc``, ``agreement``, ``consensus`` and ``plan --reread-fraction`` from the command line."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from factories import AGREEMENT_RATERS, image_rows, simulated_ratings_csv, write_manifest
from rushrater import stats
from rushrater.cli.main import main
from rushrater.services.imports import import_manifest
from rushrater.services.raters import add_rater
from rushrater.services.ratings import import_ratings

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
SF = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
SF_ICC = {"ICC(1,1)": 0.1657, "ICC(2,1)": 0.2898, "ICC(3,1)": 0.7148,
          "ICC(1,k)": 0.4428, "ICC(2,k)": 0.6201, "ICC(3,k)": 0.9093}
TOP_KEYS = {"n_targets", "n_raters", "n_ratings", "excluded_targets", "results"}
RESULT_KEYS = ["form", "model", "type", "unit", "icc", "ci_low", "ci_high", "f", "df1", "df2", "p"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_long(path, rows, header=("case", "rater", "score")):
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(header) + "\n")
        for row in rows:
            handle.write(",".join("" if v is None else str(v) for v in row) + "\n")
    return path


def sf_rows(groups=("x", "x", "y", "y")):
    return [(t + 1, "ABCD"[r], v, groups[r]) for t, row in enumerate(SF) for r, v in enumerate(row)]


def test_icc_json_has_exactly_the_documented_shape(tmp_path, capsys):
    csv = write_long(tmp_path / "sf.csv", [r[:3] for r in sf_rows()])
    code, out, _ = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == TOP_KEYS
    assert (result["n_targets"], result["n_raters"], result["n_ratings"], result["excluded_targets"]) == (6, 4, 24, 0)
    assert [r["form"] for r in result["results"]] == list(stats.FORMS)
    for row in result["results"]:
        assert list(row) == RESULT_KEYS
        assert row["icc"] == pytest.approx(SF_ICC[row["form"]], abs=5e-5)
    a1 = result["results"][1]
    assert (a1["model"], a1["type"], a1["unit"]) == ("two-way random", "absolute agreement", "single")
    assert a1["ci_low"] == pytest.approx(0.0188, abs=5e-5) and a1["ci_high"] == pytest.approx(0.7611, abs=5e-5)
    # full precision, not rounded
    assert len(repr(a1["icc"]).split(".")[1]) > 6


def test_icc_with_group_and_confidence(tmp_path, capsys):
    csv = write_long(tmp_path / "g.csv", sf_rows(), header=("case", "rater", "score", "panel"))
    code, out, _ = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score",
                       "--group", "panel", "--confidence", "0.9", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == TOP_KEYS | {"groups"} and set(result["groups"]) == {"x", "y"}
    for name, cols in (("x", [0, 1]), ("y", [2, 3])):
        group = result["groups"][name]
        assert set(group) == TOP_KEYS and group["n_raters"] == 2
        long = pd.DataFrame([(t, c, SF[t][c]) for t in range(6) for c in cols], columns=["t", "r", "s"])
        direct = stats.icc(long, "t", "r", "s", confidence=0.9)
        assert group["results"][2]["ci_low"] == pytest.approx(direct.form("ICC(3,1)")["ci_low"], rel=1e-12)


def test_missing_cells_give_complete_case_plus_all_available(tmp_path, capsys):
    rows = [r[:3] for r in sf_rows()]
    rows[-1] = (6, "D", None)  # one missing cell
    csv = write_long(tmp_path / "m.csv", rows)
    code, out, err = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["excluded_targets"] == 1 and result["n_targets"] == 5
    avail = result["all_available"]
    assert set(avail) == TOP_KEYS - {"excluded_targets"} and avail["n_ratings"] == 23
    assert [r["form"] for r in avail["results"]] == list(stats.FORMS)
    assert "excluded 1 of 6" in err
    code, out, _ = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score")
    assert code == 0 and "All available data" in out and "1 target(s) excluded" in out


def test_constant_scores_give_null_with_the_reason(tmp_path, capsys):
    csv = write_long(tmp_path / "c.csv", [(t, r, 2) for t in range(5) for r in "AB"])
    code, out, err = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score", "--json")
    assert code == 0
    result = json.loads(out)
    assert all(r["icc"] is None for r in result["results"])
    assert "zero variance" in err
    code, out, _ = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score")
    assert code == 0 and "NaN" in out and "zero variance" in out


@pytest.mark.parametrize(
    "rows, message",
    [
        ([(t, "A", t) for t in range(5)], "at least two raters"),
        ([(1, r, i) for i, r in enumerate("ABC")], "at least two rated targets"),
        ([(1, "A", 2), (1, "B", "three"), (2, "A", 1), (2, "B", 2)], "line 3: score 'three' is not a number"),
        ([(1, "A", 2), (1, "A", 3), (1, "B", 2), (2, "A", 1), (2, "B", 2)], "line 2"),
        ([(1, "A", 2), (1, "B", "inf"), (2, "A", 1), (2, "B", 2)], "not a number"),
    ],
    ids=["one rater", "one target", "non-numeric", "duplicate", "infinite"],
)
def test_bad_inputs_give_a_clear_message_and_exit_1(tmp_path, capsys, rows, message):
    csv = write_long(tmp_path / "bad.csv", rows)
    code, out, err = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score", "--json")
    assert code == 1 and out == ""
    assert message in err and "Traceback" not in err


def test_duplicates_may_be_averaged_explicitly(tmp_path, capsys):
    rows = [r[:3] for r in sf_rows()] + [(1, "A", 7)]
    csv = write_long(tmp_path / "d.csv", rows)
    code, out, err = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score", "--json")
    assert code == 1 and "line 2" in err and "line 26" in err and "--duplicates mean" in err
    code, out, err = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score",
                         "--duplicates", "mean", "--json")
    assert code == 0 and json.loads(out)["n_targets"] == 6 and "averaged" in err


def test_a_rater_with_no_ratings_is_absent_and_named(tmp_path, capsys):
    rows = [r[:3] for r in sf_rows()] + [(t, "E", None) for t in range(1, 7)]
    csv = write_long(tmp_path / "e.csv", rows)
    code, out, err = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score", "--json")
    assert code == 0 and json.loads(out)["n_raters"] == 4
    assert "'E'" in err


def test_a_group_with_one_rater_is_null_not_a_crash(tmp_path, capsys):
    csv = write_long(tmp_path / "g1.csv", sf_rows(groups=("x", "x", "x", "y")), header=("case", "rater", "score", "g"))
    code, out, err = run(capsys, "icc", csv, "--target", "case", "--rater", "rater", "--score", "score", "--group", "g",
                         "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result["groups"]["y"]) == TOP_KEYS and all(r["icc"] is None for r in result["groups"]["y"]["results"])
    assert "g y: ICC undefined" in err


def test_bad_arguments(tmp_path, capsys):
    csv = write_long(tmp_path / "sf.csv", [r[:3] for r in sf_rows()])
    code, _, err = run(capsys, "icc", csv, "--target", "patient", "--rater", "rater", "--score", "score")
    assert code == 1 and "no column 'patient'" in err
    code, _, err = run(capsys, "icc", tmp_path / "none.csv", "--target", "case", "--rater", "rater", "--score", "score")
    assert code == 1 and "file not found" in err
    with pytest.raises(SystemExit) as exc:
        main(["icc", str(csv), "--target", "case", "--rater", "rater", "--score", "score", "--confidence", "95"])
    assert exc.value.code == 2


@pytest.fixture
def cli_study(make_study, tmp_path):
    study = make_study("cli")
    source = tmp_path / "src"
    import_manifest(study, source, write_manifest(tmp_path / "m.csv", image_rows(source, 10)), actor="test")
    codes = [add_rater(study, n, g, actor="test").code for n, g, *_ in AGREEMENT_RATERS]
    import_ratings(study, simulated_ratings_csv(tmp_path / "r.csv", study.rubric.item_keys, 10, codes), actor="test")
    return study


def test_agreement_table_text_and_json(cli_study, capsys):
    code, out, _ = run(capsys, "agreement", cli_study.root)
    assert code == 0
    assert "ICC(2,1) with 95% CI" in out and "attending vs resident" in out
    assert "day1:" in out and "month1:" in out and "All raters" in out
    total_line = next(line for line in out.splitlines() if line.startswith("total"))
    first_cell = total_line.split()[1]
    assert len(first_cell.split(".")[1]) == 3  # three decimals, as published
    code, out, _ = run(capsys, "agreement", cli_study.root, "--json", "--confidence", "0.9")
    report = json.loads(out)
    assert code == 0 and report["confidence"] == 0.9
    assert len(report["icc"]) == 2 * 3 * 15 * 6 and report["counts"]["first_reads"] == 120
    cell = next(r for r in report["icc"] if (r["timepoint"], r["group"], r["score"], r["form"]) ==
                ("day1", "all", "total", "ICC(2,1)"))
    assert total_line.split()[1] == f"{cell['icc']:.3f}"


def test_consensus_and_plan_rereads_from_the_cli(cli_study, capsys):
    code, out, _ = run(capsys, "consensus", cli_study.root, "--spread", "3")
    assert code == 0 and "discordant" in out
    code, out, _ = run(capsys, "consensus", cli_study.root, "--json")
    result = json.loads(out)
    assert code == 0 and result["spread_threshold"] == 4 and len(result["consensus"]) == 20 * 3
    code, out, _ = run(capsys, "plan", cli_study.root, "--seed", "9", "--reread-fraction", "0.2", "--washout-days", "28")
    assert code == 0 and "re-read(s) added to R01's list" in out and "4 re-read(s)" in out
    code, out, err = run(capsys, "plan", cli_study.root, "--washout-days", "28")
    assert code == 1 and "--reread-fraction" in err


def test_demo_without_gui_prints_the_agreement_table(tmp_path, capsys):
    code, out, _ = run(capsys, "demo", tmp_path / "demo", "--no-gui", "--patients", "4")
    assert code == 0
    assert "ICC(2,1) with 95% CI, by time point and rater group" in out
    assert "attending vs resident" in out and "Healing status" in out
