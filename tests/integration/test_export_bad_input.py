"""Bad input for export and report: an existing output (refused unless --force), an unwritable
folder, a study without ratings. A clear message, exit 1, and never a half-written file."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from rushrater.cli.main import main
from rushrater.services.export import ExportError, export_study, writers
from test_export_formats import rated_study

pytest.importorskip("pyreadstat")


@pytest.fixture
def rated(make_study, tmp_path):
    return rated_study(make_study, tmp_path, name="bad")


def test_existing_output_is_refused_unless_force(rated, tmp_path, capsys):
    out = tmp_path / "ratings.csv"
    out.write_text("keep me\n")
    code = main(["export", str(rated.root), "--format", "csv", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "already exists" in err and "--force" in err
    assert out.read_text() == "keep me\n"
    assert not (tmp_path / "ratings_codebook.csv").exists()
    assert main(["export", str(rated.root), "--format", "csv", "--out", str(out), "--force"]) == 0
    assert len(pd.read_csv(out)) > 0
    # a folder export over an existing folder, with --force, replaces it whole
    folder = tmp_path / "for-r"
    folder.mkdir()
    (folder / "old.txt").write_text("old")
    assert main(["export", str(rated.root), "--format", "r", "--out", str(folder)]) == 1
    assert (folder / "old.txt").exists()
    assert main(["export", str(rated.root), "--format", "r", "--out", str(folder), "--force"]) == 0
    assert not (folder / "old.txt").exists() and (folder / "analysis.R").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_sibling_file_that_exists_is_refused_too(rated, tmp_path, capsys):
    (tmp_path / "x_codebook.csv").write_text("mine")
    assert main(["export", str(rated.root), "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 1
    assert "x_codebook.csv" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_unwritable_folder_is_a_clear_error(rated, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(["export", str(rated.root), "--format", "xlsx", "--out", str(locked / "x.xlsx")]) == 1
        assert "not writable" in capsys.readouterr().err
        assert main(["report", str(rated.root), "--out", str(locked / "r.pdf")]) == 1
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_unwritable_folder_as_an_ordinary_user(rated):
    """The same check run as 'nobody' when the tests run as root (CI containers)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("covered by the test above")
    import shutil
    import tempfile
    from pathlib import Path

    import rushrater

    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed: cannot run a command as 'nobody'")
    # A checkout (or interpreter) in a private 0700 folder is out of 'nobody''s reach: then it either
    # cannot start Python or imports another copy of rushrater (an editable install elsewhere).
    # Nothing to test in either case.
    probe = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                            "import rushrater.services.export; print(rushrater.__file__)"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"'nobody' cannot run this interpreter and checkout: {probe.stderr.strip()[-200:]}")
    if os.path.realpath(probe.stdout.strip()) != os.path.realpath(rushrater.__file__):
        pytest.skip(f"'nobody' cannot read this checkout ({Path(rushrater.__file__).parent.parent}); "
                    f"it imports {probe.stdout.strip()} instead")
    base = Path(tempfile.mkdtemp(prefix="rushrater-locked-"))  # /tmp: reachable by every user
    base.chmod(0o755)
    locked = base / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    code = (
        "import sys\nfrom rushrater.services.export import check_output, ExportError\n"
        f"try:\n    check_output(__import__('pathlib').Path({str(locked / 'x.csv')!r}), False)\n"
        "except ExportError as e:\n    print(e); sys.exit(3)\n"
    )
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code],
                          capture_output=True, text=True)
    if "setpriv" in done.stderr and done.returncode not in (3, 0):
        pytest.skip(f"cannot drop privileges here: {done.stderr.strip()}")
    try:
        assert done.returncode == 3, done.stderr
        assert "not writable" in done.stdout
    finally:
        shutil.rmtree(base)


def test_missing_folder_is_a_clear_error(rated, tmp_path, capsys):
    assert main(["export", str(rated.root), "--format", "sav", "--out", str(tmp_path / "nope" / "x.sav")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_study_without_ratings_writes_nothing(study, tmp_path, capsys):
    for argv in (["export", str(study.root), "--format", "csv", "--out", str(tmp_path / "x.csv")],
                 ["export", str(study.root), "--format", "stata", "--out", str(tmp_path / "st")],
                 ["report", str(study.root), "--out", str(tmp_path / "r.html")]):
        assert main(argv) == 1
        assert "no ratings" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study"]


def test_a_writer_failing_half_way_leaves_nothing(rated, tmp_path, monkeypatch):
    real = writers.write_labelled

    def failing(frame, table, tables, path, kind):
        if table == "consensus":
            path.write_bytes(b"half")
            raise OSError(28, "No space left on device", str(path))
        return real(frame, table, tables, path, kind)

    monkeypatch.setattr(writers, "write_labelled", failing)
    with pytest.raises(ExportError, match="nothing was written"):
        export_study(rated, "sav", tmp_path / "x.sav")
    with pytest.raises(ExportError, match="nothing was written"):
        export_study(rated, "spss", tmp_path / "spss")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["bad", "bad-src", "bad-manifest.csv", "bad-ratings.csv"])
