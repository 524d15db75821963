"""The one atomic writer (rushrater.domain.files.atomic_path): the new file appears whole or not at
all, the old one survives any failure (Ctrl+C included), and no temporary file is left behind."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from rushrater.domain import files
from rushrater.domain.files import (
    DiskFullError,
    FileWriteError,
    atomic_path,
    write_bytes_atomically,
)


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def _usual_mode(tmp_path, folder=False):
    """The mode a file (folder) the user creates the ordinary way gets here (0o666/0o777 less the umask)."""
    probe = tmp_path / "probe"
    probe.mkdir() if folder else probe.write_bytes(b"")
    mode = stat.S_IMODE(probe.stat().st_mode)
    probe.rmdir() if folder else probe.unlink()
    return mode


def test_replaces_the_file_whole_with_the_users_usual_mode(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    usual = _usual_mode(tmp_path)
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".out.csv.") and tmp.name.endswith(".partial")
        tmp.write_text("new")
        assert target.read_text() == "old"  # nothing at the real name until the block ends
    assert target.read_text() == "new"
    assert _names(tmp_path) == ["out.csv"]
    assert stat.S_IMODE(target.stat().st_mode) == usual  # not mkstemp's 0o600


def test_a_given_mode_is_kept(tmp_path):
    write_bytes_atomically(tmp_path / "key.csv", b"secret", mode=0o600, sync_folder=True)
    assert stat.S_IMODE((tmp_path / "key.csv").stat().st_mode) == 0o600


@pytest.mark.parametrize("failure", [RuntimeError("writer bug"), KeyboardInterrupt()])
def test_a_failing_block_leaves_the_old_file_and_no_temporary(tmp_path, failure):
    target = tmp_path / "out.sav"
    target.write_bytes(b"old")
    with pytest.raises(type(failure)), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise failure
    assert target.read_bytes() == b"old"
    assert _names(tmp_path) == ["out.sav"]


def test_a_failing_rename_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out.sav"
    target.write_bytes(b"old")

    def refuse(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link", str(src))

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OSError, match="cross-device"), atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"old"
    assert _names(tmp_path) == ["out.sav"]


def test_a_full_disk_is_the_clear_error_when_asked_and_the_oserror_otherwise(tmp_path):
    target = tmp_path / "key.csv"
    target.write_text("old")
    full = pytest.raises(DiskFullError, match="the disk is full: the key file could not be written")
    with full as caught, atomic_path(target, what="the key file") as tmp:
        tmp.write_text("ha")
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
    assert caught.value.where == str(target)  # the real name, not the hidden temporary one
    with pytest.raises(OSError) as raw, atomic_path(target):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert type(raw.value) is OSError and raw.value.errno == errno.ENOSPC
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["key.csv"]


def test_an_unwritable_folder_is_the_clear_error(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root writes anywhere: refuse as a read-only folder would
        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(locked))

        monkeypatch.setattr(files, "_create", refuse)
    else:
        locked.chmod(0o555)
    try:
        refused = pytest.raises(FileWriteError, match="preferences could not be written: Permission denied")
        with refused, atomic_path(locked / "prefs.json", what="preferences") as tmp:
            tmp.write_text("{}")
        assert _names(locked) == []
    finally:
        locked.chmod(0o755)


def test_a_folder_replaces_the_old_folder_whole(tmp_path):
    usual = _usual_mode(tmp_path, folder=True)
    target = tmp_path / "for-r"
    target.mkdir()
    (target / "stale.csv").write_text("old")
    with atomic_path(target, folder=True) as staging:
        assert staging.is_dir() and list(staging.iterdir()) == []
        (staging / "analysis.R").write_text("new")
    assert _names(target) == ["analysis.R"]
    assert _names(tmp_path) == ["for-r"]  # neither the staging folder nor the old one is left
    assert stat.S_IMODE(target.stat().st_mode) == usual


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_a_failing_folder_leaves_the_old_folder_and_no_staging(tmp_path, failure):
    target = tmp_path / "spss"
    target.mkdir()
    (target / "old.sav").write_bytes(b"old")
    with pytest.raises(type(failure)), atomic_path(target, folder=True) as staging:
        (staging / "half.sav").write_bytes(b"half")
        raise failure
    assert _names(target) == ["old.sav"]
    assert _names(tmp_path) == ["spss"]
