"""Creating/opening studies, enrolling raters and the manifest import, including bad input."""

import sqlite3
from pathlib import Path

import pytest

from factories import image_rows, write_manifest, write_png
from rushrater.domain.errors import (
    DuplicateError,
    InputFileError,
    NotAStudyError,
    StudyExistsError,
    StudyNotFoundError,
    ValidationError,
)
from rushrater.services.imports import import_manifest
from rushrater.services.raters import add_rater, list_raters
from rushrater.services.status import study_status
from rushrater.services.study import create_study, open_study


def _stored_files(study) -> list[Path]:
    return [p for p in (study.root / "images").rglob("*") if p.is_file()]


def test_init_creates_a_study_folder_with_wal_database(study):
    assert (study.root / "study.db").is_file()
    assert (study.root / "images").is_dir()
    with sqlite3.connect(study.root / "study.db") as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    status = study_status(study)
    assert [t["key"] for t in status["timepoints"]] == ["day1", "month1"]
    assert status["study"]["title"] == "Test study"


def test_custom_timepoints_and_rubric_copy_in_the_study(make_study):
    s = make_study("custom", timepoints="day1,week6,month3")
    assert [t["key"] for t in study_status(s)["timepoints"]] == ["day1", "week6", "month3"]
    assert s.rubric.item_keys[0] == "bridging_medial" and len(s.rubric.items) == 10


def test_reopening_a_study_keeps_everything(study):
    add_rater(study, "Dr A", "resident")
    study.close()
    with open_study(study.root) as again:
        assert [r.name for r in list_raters(again)] == ["Dr A"]


def test_unknown_study_path(tmp_path):
    with pytest.raises(StudyNotFoundError) as err:
        open_study(tmp_path / "nowhere")
    assert "nowhere" in str(err.value) and "rushrater init" in str(err.value)


def test_folder_that_is_not_a_study(tmp_path):
    (tmp_path / "holiday-photos").mkdir()
    with pytest.raises(NotAStudyError, match="not a RUSH Rater study"):
        open_study(tmp_path / "holiday-photos")


def test_database_of_another_application(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    with sqlite3.connect(folder / "study.db") as con:
        con.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(NotAStudyError, match="not a RUSH Rater study"):
        open_study(folder)


def test_corrupt_database_file(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "study.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(NotAStudyError, match="cannot read the study database"):
        open_study(folder)


def test_init_refuses_an_existing_study(study):
    with pytest.raises(StudyExistsError):
        create_study(study.root, "Again")


def test_init_needs_a_title(tmp_path):
    with pytest.raises(ValidationError, match="title"):
        create_study(tmp_path / "x", "  ")


def test_rater_name_used_twice_is_refused(study):
    add_rater(study, "Dr Li", "resident")
    with pytest.raises(DuplicateError, match="already enrolled"):
        add_rater(study, "dr  LI", "attending")
    assert len(list_raters(study)) == 1


def test_raters_get_codes_and_groups_are_shared(study):
    a = add_rater(study, "A", "resident")
    b = add_rater(study, "B", "Resident")
    c = add_rater(study, "C", "attending")
    assert (a.code, b.code, c.code) == ("R01", "R02", "R03")
    assert b.group == "resident"
    groups = {g["name"]: g["raters"] for g in study_status(study)["groups"]}
    assert groups == {"attending": ["R03"], "resident": ["R01", "R02"]}


def test_manifest_import_creates_cases_with_both_views(study, tmp_path):
    source = tmp_path / "src"
    manifest = write_manifest(tmp_path / "m.csv", image_rows(source, 3))
    report = import_manifest(study, source, manifest)
    assert report.imported == 12 and report.skipped == 0
    status = study_status(study)
    assert (status["patients"], status["cases"], status["complete_cases"], status["images"]) == (3, 6, 6, 12)
    assert len(_stored_files(study)) == 12
    # Stored names are random, never the source names (which may carry identifiers).
    assert not any("P001" in p.name for p in _stored_files(study))
    assert Path(report.report_path).is_file()


def test_importing_the_same_manifest_twice_adds_nothing(study, tmp_path):
    source = tmp_path / "src"
    manifest = write_manifest(tmp_path / "m.csv", image_rows(source, 2))
    import_manifest(study, source, manifest)
    again = import_manifest(study, source, manifest)
    assert again.imported == 0 and again.skipped == 8
    assert study_status(study)["images"] == 8 and len(_stored_files(study)) == 8


def _assert_nothing_stored(study):
    status = study_status(study)
    assert (status["patients"], status["cases"], status["images"]) == (0, 0, 0)
    assert _stored_files(study) == []


def test_manifest_row_naming_a_missing_file(study, tmp_path):
    source = tmp_path / "src"
    rows = image_rows(source, 2)
    rows[5] = ("gone.png", rows[5][1], rows[5][2], rows[5][3])
    manifest = write_manifest(tmp_path / "m.csv", rows)
    with pytest.raises(InputFileError) as err:
        import_manifest(study, source, manifest)
    assert [p.line for p in err.value.problems] == [7]
    assert "gone.png" in str(err.value) and "not found" in str(err.value)
    _assert_nothing_stored(study)


def test_same_image_twice_in_one_manifest(study, tmp_path):
    source = tmp_path / "src"
    rows = image_rows(source, 2)
    write_png(source / "copy.png", 0)  # same pixels as the first image
    rows.append(("copy.png", "P009", "day1", "AP"))
    with pytest.raises(InputFileError, match="the same image as line 2"):
        import_manifest(study, source, write_manifest(tmp_path / "m.csv", rows))
    _assert_nothing_stored(study)


def test_image_already_stored_under_another_case(study, tmp_path):
    source = tmp_path / "src"
    import_manifest(study, source, write_manifest(tmp_path / "m.csv", image_rows(source, 1)))
    write_png(source / "copy.png", 0)
    with pytest.raises(InputFileError, match="already in the study as case"):
        import_manifest(study, source, write_manifest(tmp_path / "m2.csv", [("copy.png", "P777", "day1", "AP")]))
    assert study_status(study)["images"] == 4


def test_view_other_than_ap_or_lateral(study, tmp_path):
    source = tmp_path / "src"
    rows = image_rows(source, 1)
    rows[1] = (rows[1][0], rows[1][1], rows[1][2], "oblique")
    with pytest.raises(InputFileError) as err:
        import_manifest(study, source, write_manifest(tmp_path / "m.csv", rows))
    assert "line 3" in str(err.value) and "'oblique'" in str(err.value) and "AP or LAT" in str(err.value)
    _assert_nothing_stored(study)


def test_unknown_timepoint_and_bad_patient_code(study, tmp_path):
    source = tmp_path / "src"
    rows = image_rows(source, 1)
    rows[0] = (rows[0][0], rows[0][1], "month6", rows[0][3])
    rows[1] = (rows[1][0], "Smith, John", rows[1][2], rows[1][3])
    with pytest.raises(InputFileError) as err:
        import_manifest(study, source, write_manifest(tmp_path / "m.csv", rows))
    assert [p.line for p in err.value.problems] == [2, 3]
    assert "month6" in str(err.value) and "day1, month1" in str(err.value)
    _assert_nothing_stored(study)


@pytest.mark.parametrize(
    "header,expected",
    [
        ("file,patient,timepoint", "missing column(s): view"),
        ("file,patient,time,view", "unknown column(s): 'time'"),
        ("", "empty"),
    ],
)
def test_manifest_with_wrong_or_missing_column(study, tmp_path, header, expected):
    manifest = tmp_path / "m.csv"
    manifest.write_text(header + ("\na.png,P1,day1" if header else ""), encoding="utf-8")
    (tmp_path / "src").mkdir()
    with pytest.raises(InputFileError) as err:
        import_manifest(study, tmp_path / "src", manifest)
    assert expected in str(err.value) and "line 1" in str(err.value)


def test_undecodable_image_is_reported_with_its_line(study, tmp_path):
    # Bad files no longer stop the others (issue 3): the damaged one is rejected with its reason
    # and manifest line, the rest are imported, and no file of the rejected one is left behind.
    source = tmp_path / "src"
    rows = image_rows(source, 1)
    (source / rows[2][0]).write_bytes(b"\x89PNG\r\n\x1a\n" + b"truncated")
    report = import_manifest(study, source, write_manifest(tmp_path / "m.csv", rows))
    rejected = [r for r in report.rows if r.status == "rejected"]
    assert [r.line for r in rejected] == [4]
    assert "cannot decode PNG" in rejected[0].reason
    assert report.imported == 3
    assert study_status(study)["images"] == 3 and len(_stored_files(study)) == 3


def test_dicom_and_tiff_inputs(study, tmp_path):
    import datetime

    import numpy as np
    import tifffile

    from rushrater.imaging.writers import write_dicom_radiograph

    source = tmp_path / "src"
    source.mkdir()
    rng = np.random.default_rng(5)
    write_dicom_radiograph(
        source / "a.dcm",
        rng.integers(0, 4096, (64, 48), dtype=np.uint16),
        patient_id="12345",
        patient_name="DOE^JANE",
        view="AP",
        study_date=datetime.date(2026, 1, 2),
    )
    tifffile.imwrite(source / "b.tif", rng.integers(0, 65535, (64, 48), dtype=np.uint16))
    report = import_manifest(
        study, source, write_manifest(tmp_path / "m.csv", [("a.dcm", "P1", "day1", "AP"), ("b.tif", "P1", "day1", "LAT")])
    )
    assert report.imported == 2
    assert study_status(study)["complete_cases"] == 1
    # Only pixels are kept: nothing in the study folder carries the DICOM identifiers.
    for path in study.root.rglob("*"):
        if path.is_file():
            assert b"DOE^JANE" not in path.read_bytes()
