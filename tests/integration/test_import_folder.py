"""Folder import: grouping by patient and date, views from the header, needs-assignment, the key
file, re-import, and the blinding check (including the roll-back when it finds an identifier)."""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom")

from rushrater.cli.main import main  # noqa: E402
from rushrater.domain.errors import ValidationError  # noqa: E402
from rushrater.imaging.writers import write_dicom_radiograph  # noqa: E402
from rushrater.services.blinding import BlindingError, check_blinding  # noqa: E402
from rushrater.services.imports import import_images  # noqa: E402
from rushrater.services.raters import add_rater  # noqa: E402
from rushrater.services.staging import Assignment, assign, list_staged  # noqa: E402
from rushrater.services.status import study_status  # noqa: E402

_SEED = iter(range(10_000))


def dicom(path: Path, patient: str, name: str, day: datetime.date, view: str, **header) -> Path:
    rng = np.random.default_rng(next(_SEED))
    write_dicom_radiograph(path, rng.integers(0, 4096, (40, 32), dtype=np.uint16), patient_id=patient,
                           patient_name=name, view=view, study_date=day)
    if header:
        ds = pydicom.dcmread(path)
        for key, value in header.items():
            if value is None:
                delattr(ds, key) if key in ds else None
            else:
                setattr(ds, key, value)
        ds.save_as(path)
    return path


def pacs_export(folder: Path, patients: int = 3) -> None:
    """Two visits a month apart per patient, AP and lateral each, in PACS-like folders."""
    for p in range(patients):
        for visit, offset in enumerate((0, 33)):
            day = datetime.date(2025, 2, 3) + datetime.timedelta(days=offset + p)
            for view in ("AP", "LAT"):
                dicom(folder / f"PAT{p}" / f"ST{visit}" / f"{view}.dcm", f"MRN7731{p}", f"KOWALSKI^ANNA{p}", day, view,
                      AccessionNumber=f"ACC99{p}{visit}")


def _files(study) -> list[Path]:
    return [p for p in study.images.root.rglob("*") if p.is_file()]


def test_folder_import_groups_patients_orders_dates_and_reads_views(study, tmp_path):
    pacs_export(tmp_path / "export")
    key = tmp_path / "secure" / "key.csv"
    report = import_images(study, [tmp_path / "export"], key_file=key)
    assert report.imported == 12 and report.needs_assignment == 0 and report.rejected == 0
    status = study_status(study)
    assert (status["patients"], status["cases"], status["complete_cases"]) == (3, 6, 6)
    # Every patient got one random code for both visits; the earlier visit is day1.
    by_patient: dict[str, set] = {}
    for row in report.rows:
        by_patient.setdefault(row.patient, set()).add((row.timepoint, row.view))
        assert (row.timepoint == "day1") == ("/ST0/" in row.file)
        assert row.view == Path(row.file).stem
    assert all(v == {("day1", "AP"), ("day1", "LAT"), ("month1", "AP"), ("month1", "LAT")} for v in by_patient.values())
    assert not any(code.startswith("MRN") or "7731" in code for code in by_patient)
    # The key file links each code to its identifiers, with study-relative days.
    rows = list(csv.DictReader(key.open(encoding="utf-8")))
    assert len(rows) == 12
    assert {(r["patient_code"], r["patient_id"]) for r in rows} == {(c, f"MRN7731{i}") for i, c in enumerate(
        sorted(by_patient, key=lambda c: next(r["patient_id"] for r in rows if r["patient_code"] == c)))}
    assert {r["study_day"] for r in rows} == {"0", "33"}
    # The study holds none of it, and the kept report has no source file names.
    assert check_blinding(study, key).clean
    kept = json.loads(Path(report.report_path).read_text())
    assert "file" not in kept["rows"][0] and "PAT0" not in Path(report.report_path).read_text()


def test_importing_the_same_folder_twice_adds_nothing(study, tmp_path):
    pacs_export(tmp_path / "export", patients=2)
    key = tmp_path / "key.csv"
    import_images(study, [tmp_path / "export"], key_file=key)
    files_before, key_before = sorted(_files(study)), key.read_text()
    again = import_images(study, [tmp_path / "export"], key_file=key)
    assert again.imported == 0 and again.skipped == 8
    assert study_status(study)["images"] == 8 and sorted(_files(study)) == files_before
    assert key.read_text() == key_before


def test_a_later_visit_imported_later_joins_the_same_patient_code(study, tmp_path):
    first = tmp_path / "first"
    later = tmp_path / "later"
    for view in ("AP", "LAT"):
        dicom(first / f"{view}.dcm", "MRN555", "NOWAK^PIOTR", datetime.date(2025, 5, 1), view)
        dicom(later / f"{view}.dcm", "MRN555", "NOWAK^PIOTR", datetime.date(2025, 6, 2), view)
    key = tmp_path / "key.csv"
    a = import_images(study, [first], key_file=key)
    b = import_images(study, [later], key_file=key)
    assert {r.patient for r in a.rows} == {r.patient for r in b.rows}
    assert {r.timepoint for r in b.rows} == {"month1"}
    assert study_status(study)["complete_cases"] == 2


def test_undecidable_images_need_assignment_and_the_coordinator_assigns_them(study, tmp_path):
    export = tmp_path / "export"
    dicom(export / "a.dcm", "MRN1", "LIND^EVA", datetime.date(2025, 1, 1), "AP")
    # No view position and a description that names no view.
    dicom(export / "b.dcm", "MRN1", "LIND^EVA", datetime.date(2025, 1, 1), "AP", ViewPosition="", SeriesDescription="HIP")
    # No study date at all.
    dicom(export / "c.dcm", "MRN2", "BERG^OLA", datetime.date(2025, 1, 1), "LAT",
          StudyDate=None, SeriesDate=None, ContentDate=None)
    # A PNG has no patient.
    from factories import write_png

    write_png(export / "scan.png", 77)
    key = tmp_path / "key.csv"
    report = import_images(study, [export], key_file=key)
    results = {Path(r.file).name: r for r in report.rows}
    assert results["a.dcm"].status == "imported"
    assert results["b.dcm"].status == "needs assignment" and "AP or lateral" in results["b.dcm"].reason
    assert results["c.dcm"].status == "needs assignment" and "no study date" in results["c.dcm"].reason
    assert results["scan.png"].status == "needs assignment" and "no patient" in results["scan.png"].reason
    staged = list_staged(study)
    assert len(staged) == 3 and study_status(study)["images"] == 1
    # The staged images are de-identified like the rest: nothing from the header reached the study.
    assert check_blinding(study, key).clean
    b_item = results["b.dcm"].staged
    patient = results["a.dcm"].patient
    assign(study, [Assignment(b_item, patient, "day1", "lat")])
    status = study_status(study)
    assert status["complete_cases"] == 1 and len(list_staged(study)) == 2
    # Re-importing the folder recognises the staged and assigned images.
    again = import_images(study, [export], key_file=key)
    assert again.imported == 0 and again.needs_assignment == 0 and again.skipped == 4


def test_two_images_for_one_visit_and_view_are_not_guessed(study, tmp_path):
    export = tmp_path / "export"
    for n in range(2):
        dicom(export / f"ap{n}.dcm", "MRN9", "HOLM^IDA", datetime.date(2025, 3, 3), "AP")
    report = import_images(study, [export], key_file=tmp_path / "key.csv")
    assert [r.status for r in report.rows] == ["needs assignment"] * 2
    assert "2 AP images for the same visit" in report.rows[0].reason


def test_more_visits_than_time_points_need_assignment(study, tmp_path):
    export = tmp_path / "export"
    for n in range(3):
        dicom(export / f"v{n}.dcm", "MRN4", "VIK^ARNE", datetime.date(2025, 3, 3) + datetime.timedelta(days=20 * n), "AP")
    report = import_images(study, [export], key_file=tmp_path / "key.csv")
    assert all(r.status == "needs assignment" and "3 imaging dates for 2 time points" in r.reason for r in report.rows)


def test_key_file_inside_the_study_is_refused(study, tmp_path):
    pacs_export(tmp_path / "export", patients=1)
    with pytest.raises(ValidationError, match="inside the study folder"):
        import_images(study, [tmp_path / "export"], key_file=study.root / "reports" / "key.csv")
    assert study_status(study)["images"] == 0 and _files(study) == []


def test_folder_import_without_key_file_is_refused(study, tmp_path):
    pacs_export(tmp_path / "export", patients=1)
    with pytest.raises(ValidationError, match="--key-file"):
        import_images(study, [tmp_path / "export"])


def test_an_identifier_already_in_the_study_rolls_the_import_back(study, tmp_path):
    # A coordinator enrolled a rater under a patient's name: the import must refuse loudly.
    add_rater(study, "Anna0 Kowalski", "resident")
    pacs_export(tmp_path / "export", patients=1)
    key = tmp_path / "key.csv"
    with pytest.raises(BlindingError) as err:
        import_images(study, [tmp_path / "export"], key_file=key)
    assert "rater.name" in str(err.value) and "rolled back" in str(err.value)
    assert study_status(study)["images"] == 0 and _files(study) == []
    assert not key.exists()


def test_a_rater_sharing_a_surname_with_a_patient_does_not_block_the_import(study, tmp_path):
    add_rater(study, "Dr Piotr Kowalski", "attending")
    pacs_export(tmp_path / "export", patients=1)
    report = import_images(study, [tmp_path / "export"], key_file=tmp_path / "key.csv")
    assert report.imported == 4


def test_check_blinding_finds_identifiers_in_database_file_names_and_image_bytes(study, tmp_path):
    pacs_export(tmp_path / "export", patients=1)
    key = tmp_path / "key.csv"
    import_images(study, [tmp_path / "export"], key_file=key)
    assert check_blinding(study, key).clean
    # Someone copies a file named after the patient into the study, and an image gains a date.
    (study.root / "reports" / "KOWALSKI_notes.txt").write_text("x")
    victim = _files(study)[0]
    victim.write_bytes(victim.read_bytes() + b"\x00MRN77310\x00" + "03.02.2025".encode("utf-16-le"))
    report = check_blinding(study, key)
    where = {(h.where, h.kind) for h in report.hits}
    assert ("file name", "name part") in where and ("image store", "patient ID") in where
    code, out = _cli("check-blinding", study.root, "--key-file", key)
    assert code == 1 and "HIT: patient ID" in out and "blinding is broken" in out


def _cli(*args) -> tuple[int, str]:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main([str(a) for a in args])
    return code, buffer.getvalue()


def test_cli_import_pending_assign_and_check_blinding(study, tmp_path):
    export = tmp_path / "export"
    dicom(export / "a.dcm", "MRN1", "LIND^EVA", datetime.date(2025, 1, 1), "AP")
    dicom(export / "b.dcm", "MRN1", "LIND^EVA", datetime.date(2025, 1, 1), "AP", ViewPosition="", SeriesDescription="HIP")
    key = tmp_path / "key.csv"
    code, out = _cli("import", study.root, export, "--key-file", key)
    assert code == 0 and "1 image(s) imported, 1 need assignment" in out
    code, out = _cli("pending", study.root)
    assert code == 0 and "AP or lateral" in out
    item = list_staged(study)[0].item
    patient = next(r["patient_code"] for r in csv.DictReader(key.open()))
    code, out = _cli("assign", study.root, "--item", item, "--patient", patient, "--timepoint", "day1", "--view", "LAT")
    assert code == 0 and "Assigned 1 image" in out
    code, out = _cli("check-blinding", study.root, "--key-file", key)
    assert code == 0 and "Blinding intact" in out
    code, _ = _cli("import", study.root, export, "--key-file", study.root / "key.csv")
    assert code == 1
