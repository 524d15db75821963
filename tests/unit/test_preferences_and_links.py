"""Per-user preferences (versioned file with upgrades, kept apart from window state), study links
for double-click, and the desktop files that register them."""

from __future__ import annotations

import configparser
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rushrater.domain.errors import NotAStudyError, ValidationError
from rushrater.services import preferences as prefs_module
from rushrater.services.preferences import CURRENT_VERSION, PreferenceStore, RecentStudy, upgrade
from rushrater.services.study_link import LINK_SUFFIX, MIME_TYPE, resolve_study_location, write_study_link

ROOT = Path(__file__).resolve().parents[2]


def _fake_study(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "study.db").write_bytes(b"")
    return folder


def test_preferences_live_in_the_platform_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert prefs_module.default_path() == tmp_path / "cfg" / "rushrater" / "preferences.json"


def test_recent_studies_and_language_are_saved_versioned_and_read_back(tmp_path):
    store = PreferenceStore(tmp_path / "p.json")
    assert store.load().recent_studies == ()
    store.add_recent(tmp_path / "a", "Pilot")
    store.add_recent(tmp_path / "b", "Main")
    store.add_recent(tmp_path / "a", "Pilot renamed")  # moves to the top, no duplicate
    store.set_language("zh_CN")
    again = PreferenceStore(tmp_path / "p.json").load()
    assert [r.path for r in again.recent_studies] == [tmp_path / "a", tmp_path / "b"]
    assert again.recent_studies[0].title == "Pilot renamed"
    assert again.language == "zh_CN"
    raw = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert raw["version"] == CURRENT_VERSION
    assert "geometry" not in json.dumps(raw)  # window state is not a preference
    with pytest.raises(ValidationError):
        store.set_language("klingon")


def test_the_recent_list_keeps_at_most_eight(tmp_path):
    store = PreferenceStore(tmp_path / "p.json")
    for i in range(10):
        store.add_recent(tmp_path / f"s{i}", f"Study {i}")
    entries = store.load().recent_studies
    assert len(entries) == 8 and entries[0] == RecentStudy(tmp_path / "s9", "Study 9")


def test_values_an_older_version_kept_in_qsettings_are_carried_over_once(tmp_path):
    legacy_calls = []

    def legacy():
        legacy_calls.append(1)
        return {"recent/studies": json.dumps([{"path": str(tmp_path / "old"), "title": "Old"}]), "dialogs/lastDirectory": str(tmp_path)}

    store = PreferenceStore(tmp_path / "p.json", legacy=legacy)
    loaded = store.load()
    assert [r.title for r in loaded.recent_studies] == ["Old"]
    assert loaded.last_directory == str(tmp_path)
    assert (tmp_path / "p.json").is_file()
    store.load()
    assert legacy_calls == [1]


def test_upgrade_steps_run_in_order_from_version_zero():
    doc = upgrade({"recent/studies": "not json"})
    assert doc["version"] == CURRENT_VERSION and doc["recent_studies"] == []


def test_a_file_from_a_newer_version_is_read_but_never_overwritten(tmp_path):
    path = tmp_path / "p.json"
    newer = {"version": CURRENT_VERSION + 1, "language": "zh_CN", "recent_studies": [], "theme": "dark"}
    path.write_text(json.dumps(newer), encoding="utf-8")
    store = PreferenceStore(path)
    assert store.load().language == "zh_CN"
    store.add_recent(tmp_path / "x", "X")
    assert json.loads(path.read_text(encoding="utf-8")) == newer


def test_a_damaged_file_gives_defaults_and_is_left_for_inspection(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("{not json", encoding="utf-8")
    assert PreferenceStore(path).load().language == ""
    assert path.read_text(encoding="utf-8") == "{not json"


def test_a_study_link_opens_the_study_and_survives_moving_both(tmp_path):
    study = _fake_study(tmp_path / "trial" / "hip-study")
    link = write_study_link(study)
    assert link == tmp_path / "trial" / f"hip-study{LINK_SUFFIX}"
    assert resolve_study_location(link).resolve() == study.resolve()
    moved = tmp_path / "moved"
    (tmp_path / "trial").rename(moved)
    assert resolve_study_location(moved / link.name).resolve() == (moved / "hip-study").resolve()
    # a study.db and a folder are accepted as they are
    assert resolve_study_location(moved / "hip-study" / "study.db") == moved / "hip-study"
    assert resolve_study_location(moved / "hip-study") == moved / "hip-study"


def test_bad_study_links_are_refused_with_a_fix(tmp_path):
    bad = tmp_path / "x.rushrater"
    bad.write_text("garbage", encoding="utf-8")
    with pytest.raises(NotAStudyError) as err:
        resolve_study_location(bad)
    assert "rushrater link" in err.value.fix
    with pytest.raises(NotAStudyError):
        write_study_link(tmp_path / "not-a-study")
    with pytest.raises(ValidationError):
        write_study_link(_fake_study(tmp_path / "s"), tmp_path / "s.txt")


def test_the_desktop_file_and_mime_type_register_study_links():
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str
    desktop.read(ROOT / "packaging" / "linux" / "rushrater.desktop", encoding="utf-8")
    entry = desktop["Desktop Entry"]
    assert entry["Exec"] == "rushrater gui %f"
    assert MIME_TYPE in entry["MimeType"].split(";")
    assert entry["Icon"] == "rushrater"
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    mime = ET.parse(ROOT / "packaging" / "linux" / "rushrater-study.xml").getroot().find("m:mime-type", ns)
    assert mime.get("type") == MIME_TYPE
    assert mime.find("m:glob", ns).get("pattern") == f"*{LINK_SUFFIX}"
    icons = ROOT / "resources" / "icons"
    for size in (16, 32, 48, 128, 256, 512):
        assert (icons / f"rushrater-{size}.png").is_file()
    assert (icons / "rushrater.ico").is_file() and (icons / "rushrater.icns").is_file()
