"""Every command, with out-of-range and malformed values, ends in one message and exit 1 or 2, never a
traceback (issue 12). The commands are read from the parser, so a new command is swept automatically."""

from __future__ import annotations

import argparse
import shutil
import traceback

import numpy as np
import pytest

from factories import image_rows, write_ct_series, write_manifest
from rushrater.cli import main as cli_main
from rushrater.services.imports import import_manifest
from rushrater.services.planning import plan_reading
from rushrater.services.raters import add_rater
from rushrater.services.study import create_study

BAD_NUMBERS = ("-1", "99999999999999999999", "1e400", "inf", "nan", "abc")
BAD_PATHS = ("missing", "directory", "non-utf8", "empty", "file")
#: Arguments that name a file or folder to read (by dest).
READ_PATHS = {"study", "csv", "sources", "source", "manifest", "key_file", "series", "labels"}
#: Commands that create what their STUDY names (a missing path there is the normal case).
CREATES = {("init",), ("demo",)}
#: Commands that hand STUDY to the desktop app, which reports a bad path in its own window.
GUI_COMMANDS = {("gui",), ("read",)}
#: Baseline values of required arguments, by dest.
BASELINE = {
    "name": "Dr New", "group": "resident", "title": "T", "rater": "R01", "patient": "P001", "assessor": "a",
    "reviewer": "b", "target": "case", "score": "total", "item": "1", "reason": "r", "rect": "1,1,2,2",
    "format": None, "out": None, "key_file": None, "series": None, "destination": None,
}


def _leaf_commands():
    def walk(parser, prefix):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from walk(sub, (*prefix, name))
                return
        yield prefix, parser

    return list(walk(cli_main.build_parser(), ()))


def _cases():
    for path, parser in _leaf_commands():
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._StoreTrueAction, argparse._StoreFalseAction)):
                continue
            if action.choices is not None:
                yield pytest.param(path, action.dest, "not-a-choice", id=f"{' '.join(path)}-{action.dest}-choice")
                continue
            if action.type is not None:
                for value in BAD_NUMBERS:
                    yield pytest.param(path, action.dest, value, id=f"{' '.join(path)}-{action.dest}-{value}")
            if action.dest in READ_PATHS and path not in GUI_COMMANDS:
                for kind in BAD_PATHS:
                    if kind in ("missing", "directory") and path in CREATES:
                        continue  # a new or empty folder is where these commands build
                    if kind == "missing" and action.dest == "key_file" and path in (("import",), ("bodycomp-import",)):
                        continue  # the first import (of radiographs or of a CT series) creates the key file
                    yield pytest.param(path, action.dest, f"<{kind}>", id=f"{' '.join(path)}-{action.dest}-{kind}")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    study = create_study(root / "study", "Sweep", "day1,month1", actor="test")
    source = root / "images"
    import_manifest(study, source, write_manifest(root / "m.csv", image_rows(source, 3)), actor="test")
    add_rater(study, "Dr One", "resident", actor="test")
    add_rater(study, "Dr Two", "attending", actor="test")
    plan_reading(study, seed=1, actor="test")
    study.close()
    write_ct_series(root / "ct", np.full((2, 32, 32), -1000.0))
    return root


@pytest.fixture
def workdir(template, tmp_path, monkeypatch):
    shutil.copytree(template, tmp_path, dirs_exist_ok=True)
    # Preferences, demo and link files stay inside the test folder; nothing opens a window.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))
    monkeypatch.setattr(cli_main, "_launch_gui", lambda _path: 0)
    try:
        import rushrater.gui.workstation as workstation

        monkeypatch.setattr(workstation, "run_workstation", lambda *_a, **_k: 0)
    except ImportError:
        pass
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "latin1.csv").write_bytes("rater,case\nDr Mü\xe9ller,C1\n".encode("latin-1"))
    (tmp_path / "plain.txt").write_text("not a study\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    return tmp_path


def _path_value(kind: str, workdir) -> str:
    return str({
        "missing": workdir / "does-not-exist",
        "directory": workdir / "folder",
        "non-utf8": workdir / "latin1.csv",
        "empty": workdir / "empty.csv",
        "file": workdir / "plain.txt",
    }[kind])


def _argv(path, parser, dest, value, workdir) -> list[str]:
    baseline = {
        **BASELINE,
        "study": str(workdir / "study"), "csv": str(workdir / "m.csv"), "sources": str(workdir / "images"),
        "source": str(workdir / "study"), "destination": str(workdir / "copy"), "series": str(workdir / "ct"),
        "out": str(workdir / "out"), "key_file": str(workdir / "study" / "key.csv"),
    }
    if path in CREATES:
        baseline["study"] = str(workdir / "new-study")
    argv = list(path)
    if path == ("demo",):
        argv.append("--no-gui")
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or not (action.required or action.dest == dest
                                                              or (not action.option_strings and action.nargs != "?")):
            if not (not action.option_strings and action.nargs == "?" and action.dest == dest):
                continue
        chosen = value if action.dest == dest else baseline.get(action.dest)
        if chosen is None and action.choices is not None:
            chosen = sorted(action.choices)[0]
        if chosen is None:
            chosen = "x"
        if action.option_strings:
            argv += [action.option_strings[-1], chosen]
        else:
            argv.append(chosen)
    return argv


@pytest.mark.parametrize("path, dest, value", list(_cases()))
def test_bad_argument_gives_a_message_not_a_traceback(path, dest, value, workdir, capsys):
    parser = dict(_leaf_commands())[path]
    if value.startswith("<"):
        value = _path_value(value.strip("<>"), workdir)
    argv = _argv(path, parser, dest, value, workdir)
    try:
        code = cli_main.main(argv)
    except SystemExit as exc:  # argparse: a usage error
        code = exc.code
    except BaseException:
        pytest.fail(f"rushrater {' '.join(argv)} raised:\n{traceback.format_exc()}")
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (1, 2), f"rushrater {' '.join(argv)} exited {code}: {err}"
    assert err.strip(), "a refusal says why"


@pytest.mark.parametrize("slice_number", ["1", "-1"])
def test_bodycomp_slice_outside_a_one_slice_series_names_the_valid_range(workdir, capsys, slice_number):
    write_ct_series(workdir / "one-slice", np.full((1, 32, 32), -1000.0))
    code = cli_main.main(["bodycomp", str(workdir / "study"), "--patient", "P001", "--series", str(workdir / "one-slice"),
                          "--slice", slice_number, "--height", "1.7"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"slice {slice_number} is outside the series, which has 1 slice(s): valid slices are 0" in err
