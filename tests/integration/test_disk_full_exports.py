"""A full disk during an export (xlsx, sav, dta, SPSS folder) or the report: one message that says
the disk is full and names the file, nothing partial left (issue 18). Uses a tiny tmpfs; skipped
where mounting one is not permitted."""

import subprocess
import sys

import pytest

from factories import AGREEMENT_RATERS, image_rows, simulated_ratings_csv, write_manifest
from rushrater.services.imports import import_manifest
from rushrater.services.raters import add_rater
from rushrater.services.ratings import import_ratings


@pytest.fixture
def full_disk(tmp_path):
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        (mount / "filler").write_bytes(b"x" * 30_000)  # leaves too little for any export
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.fixture
def rated(make_study, tmp_path):
    study = make_study()
    source = tmp_path / "src"
    import_manifest(study, source, write_manifest(tmp_path / "m.csv", image_rows(source, 20)), actor="test")
    codes = [add_rater(study, name, group, actor="test").code for name, group, *_ in AGREEMENT_RATERS]
    import_ratings(study, simulated_ratings_csv(tmp_path / "r.csv", study.rubric.item_keys, 20, codes), actor="test")
    return study


@pytest.mark.parametrize("fmt, name", [("xlsx", "out.xlsx"), ("sav", "out.sav"), ("dta", "out.dta"), ("spss", "spss")])
def test_export_to_a_full_disk_is_one_message(rated, full_disk, fmt, name):
    location = str(rated.root) if rated.db.is_sqlite else rated.db.url
    run = subprocess.run([sys.executable, "-m", "rushrater.cli.main", "export", location, "--format", fmt,
                          "--out", str(full_disk / name)], capture_output=True, text=True)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert "the disk is full: cannot write" in run.stderr and str(full_disk) in run.stderr
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]
