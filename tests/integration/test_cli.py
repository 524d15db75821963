"""The command line: what a coordinator types, what they see, and the exit codes."""

import json
import os
import subprocess
import sys

import pytest

from factories import image_rows, write_manifest
from rushrater.cli.main import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_full_coordinator_flow(tmp_path, capsys):
    study = tmp_path / "hip"
    code, out, _ = run(capsys, "init", study, "--title", "Hip study", "--timepoints", "day1,month1")
    assert code == 0 and "Created study" in out
    for name, group in [("Dr A", "resident"), ("Dr B", "attending")]:
        assert run(capsys, "raters", "add", study, name, "--group", group)[0] == 0
    source = tmp_path / "src"
    manifest = write_manifest(tmp_path / "m.csv", image_rows(source, 3))
    code, out, _ = run(capsys, "import", study, source, "--manifest", manifest)
    assert code == 0 and "12 image(s) imported" in out
    code, out, _ = run(capsys, "plan", study, "--seed", "99")
    assert code == 0 and "seed 99" in out
    code, out, _ = run(capsys, "status", study, "--json")
    status = json.loads(out)
    assert status["cases"] == 6 and status["plan"]["seed"] == 99
    assert [(r["code"], r["assigned"], r["done"]) for r in status["raters"]] == [("R01", 6, 0), ("R02", 6, 0)]
    code, out, _ = run(capsys, "status", study)
    assert "R01" in out and "Dr A" in out and "seed 99" in out

    keys = ["bridging_medial", "fxline_medial", "bridging_lateral", "fxline_lateral", "bridging_anterior",
            "fxline_anterior", "bridging_posterior", "fxline_posterior", "trab_consolidation", "trab_fxline"]
    paper = tmp_path / "paper.csv"
    paper.write_text("rater,patient,timepoint," + ",".join(keys) + "\nR02,P001,month1," + ",".join("3" * 10) + "\n")
    code, out, _ = run(capsys, "ratings", "import", study, paper)
    assert code == 0 and "Stored 1 ratings" in out
    assert json.loads(run(capsys, "status", study, "--json")[1])["ratings"] == 1


@pytest.mark.parametrize(
    "argv,message",
    [
        (["status", "{tmp}/nope"], "no such study"),
        (["status", "{tmp}"], "not a RUSH Rater study"),
        (["raters", "add", "{tmp}/nope", "X", "--group", "g"], "rushrater init"),
    ],
)
def test_bad_study_paths_give_one_clear_message_and_exit_1(tmp_path, capsys, argv, message):
    code, out, err = run(capsys, *[a.format(tmp=tmp_path) for a in argv])
    assert code == 1 and out == ""
    assert message in err and "fix:" in err and "Traceback" not in err


def test_rater_name_twice_via_cli(tmp_path, capsys):
    run(capsys, "init", tmp_path / "s", "--title", "T")
    run(capsys, "raters", "add", tmp_path / "s", "Dr A", "--group", "resident")
    code, _, err = run(capsys, "raters", "add", tmp_path / "s", "Dr A", "--group", "resident")
    assert code == 1 and "already enrolled" in err


def test_bad_manifest_via_cli_names_the_row_and_stores_nothing(tmp_path, capsys):
    run(capsys, "init", tmp_path / "s", "--title", "T")
    source = tmp_path / "src"
    rows = image_rows(source, 1)
    rows[3] = ("missing.png", "P001", "month1", "LAT")
    code, _, err = run(capsys, "import", tmp_path / "s", source, "--manifest", write_manifest(tmp_path / "m.csv", rows))
    assert code == 1 and "m.csv: line 5" in err and "missing.png" in err and "nothing was stored" in err
    assert json.loads(run(capsys, "status", tmp_path / "s", "--json")[1])["images"] == 0


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["plan"])
    assert exc.value.code == 2


def test_installed_entry_point_and_module_run(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "rushrater", "--version"], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and result.stdout.startswith("rushrater ")
    result = subprocess.run(
        [sys.executable, "-m", "rushrater", "init", str(tmp_path / "x"), "--title", "T", "--timepoints", "day1,day1"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1 and "listed twice: day1" in result.stderr
