"""Crash windows and leftovers (issue 18): a kill on either side of the import's database commit
leaves a key file that still names every imported patient once the next import reconciles it; a
failed import leaves no image files behind; ``rushrater gc`` finds and removes unreferenced files."""

from __future__ import annotations

import csv
import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("pydicom")

from test_import_folder import pacs_export  # noqa: E402

from rushrater.cli.main import main  # noqa: E402
from rushrater.domain import files  # noqa: E402
from rushrater.services import keyfile  # noqa: E402
from rushrater.services.blinding import check_blinding  # noqa: E402
from rushrater.services.gc import collect_garbage  # noqa: E402
from rushrater.services.imports import import_images  # noqa: E402
from rushrater.services.status import study_status  # noqa: E402

HERE = Path(__file__).resolve().parent

# Runs an import that dies (os._exit: no cleanup, like SIGKILL) at the chosen moment.
KILLED_IMPORT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from rushrater.services import keyfile, imports
    from rushrater.services.study import open_study
    moment, study_path, export, key = sys.argv[1:5]
    original = keyfile.write_key_file
    def write(path, rows):
        pending = any(r.get(keyfile.PENDING) for r in rows)
        if moment == "after-commit" and not pending:
            os._exit(9)  # the database committed; the key's pending marks are never cleared
        original(path, rows)
        if moment == "before-commit" and pending:
            os._exit(9)  # the key file is written; the database never commits
    keyfile.write_key_file = write
    with open_study(Path(study_path)) as study:
        imports.import_images(study, [Path(export)], key_file=Path(key), workers=1)
""")


def _killed_import(study, export, key, moment):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", KILLED_IMPORT, moment, str(study.root), str(export), str(key)],
                         env=env, capture_output=True, text=True)
    assert run.returncode == 9, run.stderr


def _key_rows(key):
    with key.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def folder_study(make_study):
    study = make_study()
    if not study.db.is_sqlite:
        pytest.skip("kills an import of a folder study")
    return study


def test_kill_after_the_commit_keeps_the_link_to_every_patient(folder_study, tmp_path):
    study, export, key = folder_study, tmp_path / "export", tmp_path / "secure" / "key.csv"
    pacs_export(export, patients=2)
    _killed_import(study, export, key, "after-commit")
    assert study_status(study)["images"] == 8
    rows = _key_rows(key)
    assert len(rows) == 8 and all(r[keyfile.PENDING] for r in rows)  # written before the commit
    # The next import settles them: kept, because their import committed; nothing imported twice.
    again = import_images(study, [export], key_file=key, workers=1)
    assert again.imported == 0 and again.skipped == 8
    rows = _key_rows(key)
    assert len(rows) == 8 and not any(r[keyfile.PENDING] for r in rows)
    assert {r["patient_id"] for r in rows} == {"MRN77310", "MRN77311"}
    assert check_blinding(study, key).clean


def test_kill_before_the_commit_drops_the_pending_rows_and_the_reimport_repairs_it(folder_study, tmp_path):
    study, export, key = folder_study, tmp_path / "export", tmp_path / "key.csv"
    pacs_export(export, patients=2)
    _killed_import(study, export, key, "before-commit")
    assert study_status(study)["images"] == 0
    assert len(_key_rows(key)) == 8  # pending rows of an import that never committed
    leftovers = collect_garbage(study)  # the killed workers' files: reported, not yet removed
    assert len(leftovers.unreferenced) == 8 and not leftovers.removed
    report = import_images(study, [export], key_file=key, workers=1)
    assert report.imported == 8
    rows = _key_rows(key)
    assert len(rows) == 8 and not any(r[keyfile.PENDING] for r in rows)
    with study.db.read() as session:
        from rushrater.storage import queries
        codes = {c.patient.code for c in queries.cases(session)}
    assert {r["patient_code"] for r in rows} == codes


def test_gc_reports_by_default_and_removes_with_delete(folder_study, tmp_path, capsys):
    study, export, key = folder_study, tmp_path / "export", tmp_path / "key.csv"
    pacs_export(export, patients=1)
    import_images(study, [export], key_file=key, workers=1)
    orphan = study.images.root / "ab" / ("ab" + "0" * 30 + ".tif")
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"II*\x00leftover")
    assert main(["gc", str(study.root)]) == 0
    out = capsys.readouterr().out
    assert "1 unreferenced image file(s)" in out and "dry run, nothing removed" in out and orphan.name in out
    assert orphan.exists()
    assert main(["gc", str(study.root), "--delete"]) == 0
    assert "removed" in capsys.readouterr().out and not orphan.exists()
    assert study_status(study)["images"] == 4 and len(collect_garbage(study).unreferenced) == 0


def test_disk_full_while_writing_the_key_file_is_one_message_and_leaves_nothing(folder_study, tmp_path, monkeypatch,
                                                                                  capsys):
    study, export, key = folder_study, tmp_path / "export", tmp_path / "key.csv"
    pacs_export(export, patients=1)

    real_fsync = files._fsync

    def key_file_full(path):  # the images fit; the key file's flush to disk finds the disk full
        if Path(path).name.startswith(".key.csv."):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(path)

    monkeypatch.setattr(files, "_fsync", key_file_full)
    code = main(["import", str(study.root), str(export), "--key-file", str(key), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "disk is full" in err and "the key file" in err and "Traceback" not in err
    assert study_status(study)["images"] == 0 and not key.exists()
    assert collect_garbage(study).unreferenced == ()
    assert not list(tmp_path.glob(".key.csv.*"))


def test_disk_full_while_storing_images_is_one_message_and_leaves_no_orphan(folder_study, tmp_path, monkeypatch,
                                                                             capsys):
    study, export, key = folder_study, tmp_path / "export", tmp_path / "key.csv"
    pacs_export(export, patients=1)
    real_fsync, calls = files._fsync, []

    def third_image_fails(path):  # two images stored, then the disk is full
        if study.images.root in Path(path).parents:
            calls.append(path)
            if len(calls) >= 3:
                raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(path)

    monkeypatch.setattr(files, "_fsync", third_image_fails)
    code = main(["import", str(study.root), str(export), "--key-file", str(key), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "disk is full" in err and "Traceback" not in err, err
    assert study_status(study)["images"] == 0
    assert [p for p in study.images.root.rglob("*") if p.is_file()] == []
