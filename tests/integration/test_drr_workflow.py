"""DRRs through the services and CLI: a CT series imported, projected, placed as a case, read in
the workstation service and exported (PNG/TIFF/DICOM SC + manifest), reproducibly.

The real series is the TotalSegmentator example (CC BY 4.0, Wasserthal et al. 2023; see
tests/data/README.md)."""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from factories import DATA, image_rows, lps_phantom, write_ct_series, write_manifest

from rushrater.cli.main import main
from rushrater.domain.errors import RushRaterError
from rushrater.imaging import drr as projector
from rushrater.services import bodycomp
from rushrater.services import drr as drr_service
from rushrater.services.blinding import scan
from rushrater.services.imports import import_manifest
from rushrater.services.planning import plan_reading
from rushrater.services.raters import add_rater
from rushrater.services.reading import ReadingSession
from rushrater.storage import models, queries

CT = DATA / "ct-totalsegmentator"
REAL_SERIES = CT / "example_ct_dicom"


def _hip_world(x, y, z):
    """A body of water with a 'femur' (bone rod) on the patient's right and a marker on the left."""
    hu = np.where(((x - 60) / 50) ** 2 + ((y - 50) / 35) ** 2 <= 1, 20.0, -1000.0)
    hu = np.where((x - 35) ** 2 + (y - 50) ** 2 <= 64, 1200.0, hu)  # patient's right (x small)
    hu = np.where((x - 95) ** 2 + (y - 50) ** 2 + (z - 40) ** 2 <= 36, 1500.0, hu)
    return hu


@pytest.fixture
def drr_study(make_study, tmp_path):
    study = make_study("drr", timepoints="day1,month1,month3")
    source = tmp_path / "source"
    import_manifest(study, source, write_manifest(tmp_path / "manifest.csv", image_rows(source, 2)), actor="test")
    add_rater(study, "Dr Resident One", "resident", actor="test")
    volume = lps_phantom(_hip_world, (24, 50, 60), (2.5, 2.0, 2.0))
    write_ct_series(tmp_path / "ct", volume.hu, spacing=(2.0, 2.0), origins=volume.origins, orientation=volume.orientation)
    series = bodycomp.import_ct(study, "P001", tmp_path / "ct", actor="test")
    return study, series.id


def _counts(study):
    with study.db.read() as session:
        return {t.__tablename__: session.query(t).count() for t in (models.Image, models.StagedImage, models.Case)}


def test_drrs_placed_as_a_case_are_read_like_radiographs(drr_study):
    study, series_id = drr_study
    made = drr_service.make_drrs(study, series_id, ("frontal", "lateral", "axial"), as_case=("P001", "month3"), actor="test")
    assert [(d.view, d.view_code) for d in made] == [("frontal", "AP"), ("lateral", "LAT"), ("axial", None)]
    assert made[0].case and made[0].case == made[1].case and made[2].case is None and made[2].item
    with study.db.read() as session:
        case = queries.case_by_code(session, made[0].case)
        assert (case.patient.code, case.timepoint.key) == ("P001", "month3")
        images = {i.view: i for i in case.images}
        frontal = images["AP"]
        assert frontal.source_format == "DRR" and frontal.pixel_spacing_mm == 2.0 and frontal.photometric == "MONOCHROME2"
        provenance = frontal.display["extra"]["drr"]
        assert provenance["series"] == series_id and provenance["parameters"]["geometry"] == "parallel"
        assert provenance["software"].startswith("rushrater ") and provenance["patient_orientation"] == ["L", "F"]
        record = queries.image_deidentification(session, frontal.id)
        assert record.patient_identity_removed == "YES" and "DRR" in record.method
        events = [e.action for e in session.query(models.AuditEvent)]
    assert "drr.create" in events and "images.assign" in events
    text = str(frontal.display) + str(frontal.__dict__)
    for leak in ("Doe", "MRN-4711", "20260101", "Phantom"):  # the CT's identifiers, date and device
        assert leak not in text
    assert scan(study, [{"patient_id": "MRN-4711", "patient_name": "Doe^Jane"}]).clean

    plan_reading(study, seed=1, actor="test")
    with study.db.read() as session:
        rater = queries.raters(session)[0].code
    reading = ReadingSession.login(study, rater)
    seen = [c for c in reading.upcoming(100) if any(i.id == frontal.id for i in c.images)]
    assert seen, "the DRR case is in the rater's list"
    case_view = seen[0]
    assert {i.view for i in case_view.images} == {"AP", "LAT"}
    pixels = reading.load_pixels(case_view.image("AP"))
    assert pixels.dtype == np.uint16 and pixels.shape == (frontal.height, frontal.width)
    # Orientation survives storage: the femur (patient's right) on the image left, the marker right.
    columns = pixels.astype(float).sum(axis=0)
    assert np.argmax(columns) < pixels.shape[1] / 2
    assert reading.submit(case_view, {item.key: 2 for item in study.rubric.items}) is not None


def test_same_parameters_twice_is_refused_and_nothing_half_stored(drr_study):
    study, series_id = drr_study
    drr_service.make_drrs(study, series_id, ("frontal",), actor="test")
    before = _counts(study)
    with pytest.raises(RushRaterError, match="already in the study"):
        drr_service.make_drrs(study, series_id, ("lateral", "frontal"), actor="test")
    assert _counts(study) == before
    with pytest.raises(RushRaterError, match="P001 day1 already has a AP image"):
        drr_service.make_drrs(study, series_id, ("frontal",), projector.DrrParameters(bone_boost=1.0), as_case=("P001", "day1"))
    with pytest.raises(RushRaterError, match="belongs to patient P001, not P002"):
        drr_service.make_drrs(study, series_id, ("frontal",), projector.DrrParameters(bone_boost=1.0), as_case=("P002", "month3"))
    with pytest.raises(RushRaterError, match="crop box is outside") as info:
        drr_service.make_drrs(study, series_id, ("frontal",), projector.DrrParameters(crop=(0, 0, 0, 99, 50, 24)))
    assert info.value.where == f"CT series {series_id}"
    with pytest.raises(RushRaterError, match="no CT series 99"):
        drr_service.make_drrs(study, 99, ("frontal",))
    assert _counts(study) == before
    assert len(study.images.keys()) == before["image"] + before["staged_image"] + 1  # + the CT volume


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_export_is_reproducible_bit_for_bit_and_valid_dicom(drr_study, tmp_path):
    import pydicom
    import tifffile
    from PIL import Image

    study, series_id = drr_study
    drr_service.make_drrs(study, series_id, ("frontal", "lateral"), as_case=("P001", "month3"), actor="test")
    drr_service.make_drrs(study, series_id, ("frontal",), projector.DrrParameters(geometry="cone", sid_mm=1000), actor="test")
    first = drr_service.export_drrs(study, tmp_path / "a")
    second = drr_service.export_drrs(study, tmp_path / "b")
    assert _hashes(first.parent) == _hashes(second.parent)
    with pytest.raises(RushRaterError, match="not empty"):
        drr_service.export_drrs(study, tmp_path / "a")
    rows = list(csv.DictReader(first.open(encoding="utf-8")))
    assert len(rows) == 3 and {r["geometry"] for r in rows} == {"parallel", "cone"}
    cone = next(r for r in rows if r["geometry"] == "cone")
    assert float(cone["magnification"]) > 1.0 and cone["sid_mm"] == "1000.0" and cone["timepoint"] == ""
    placed = next(r for r in rows if r["view"] == "frontal" and r["geometry"] == "parallel")
    assert (placed["patient"], placed["timepoint"], placed["pixel_spacing_mm"], placed["patient_orientation"]) == ("P001", "month3", "2.0", "L\\F")
    folder = first.parent
    png = np.asarray(Image.open(folder / placed["file_png"]))
    tif = tifffile.imread(folder / placed["file_tiff"])
    ds = pydicom.dcmread(folder / placed["file_dicom"])
    assert png.dtype == np.uint16 and np.array_equal(png, tif) and np.array_equal(ds.pixel_array, png)
    assert [float(v) for v in ds.PixelSpacing] == [2.0, 2.0] and ds.SOPClassUID == drr_service.SECONDARY_CAPTURE
    assert ds.PatientID == "P001" and list(ds.PatientOrientation) == ["L", "F"] and ds.PatientIdentityRemoved == "YES"
    assert "StudyDate" not in ds or ds.StudyDate == ""
    assert np.allclose(ds.pixel_array * float(ds.RescaleSlope), png * projector.FULL_SCALE / 65535)
    if shutil.which("dciodvfy"):
        check = subprocess.run(["dciodvfy", str(folder / placed["file_dicom"])], capture_output=True, text=True)
        errors = [line for line in (check.stdout + check.stderr).splitlines() if line.startswith("Error")]
        assert not errors, errors


def test_cli_drr_and_export(drr_study, tmp_path, capsys):
    study, series_id = drr_study
    location = str(study.root)
    study.close()
    assert main(["drr", location, "--series", str(series_id), "--views", "frontal,lateral", "--geometry", "cone",
                 "--sid", "1000", "--as-case", "--patient", "P001", "--timepoint", "month3"]) == 0
    out = capsys.readouterr().out
    assert "frontal:" in out and "-> case C" in out and "magnification 1.0" in out
    assert main(["drr", location, "--series", str(series_id), "--crop", "0,0,0,500,50,24"]) == 1
    assert "crop box is outside" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["drr", location, "--series", str(series_id), "--as-case"])
    assert usage.value.code == 2
    assert main(["drr-export", location, "--out", str(tmp_path / "export"), "--format", "png,dicom"]) == 0
    assert sorted(p.suffix for p in (tmp_path / "export").iterdir()) == [".csv", ".dcm", ".dcm", ".png", ".png"]


def test_real_ct_series_projects(make_study, tmp_path):
    study = make_study("real")
    source = tmp_path / "source"
    import_manifest(study, source, write_manifest(tmp_path / "manifest.csv", image_rows(source, 1)), actor="test")
    series = bodycomp.import_ct(study, "P001", REAL_SERIES, actor="test")
    made = drr_service.make_drrs(study, series.id, ("frontal", "lateral"), actor="test")
    frontal = made[0]
    assert frontal.height == int((series.slice_count - 1) * series.slice_spacing_mm / frontal.pixel_mm) + 1
    assert frontal.width == series.columns and frontal.pixel_mm == pytest.approx(series.column_spacing_mm)


def test_real_series_liver_on_the_image_left_and_spleen_on_the_right():
    """Orientation on real data, checked against an independent source: TotalSegmentator's labels
    for the same series (NIfTI, RAS world coordinates) put the liver on the patient's right. A DRR
    of each organ alone, on the DICOM series' own geometry, must show it on that side of the AP."""
    import dataclasses

    import nibabel as nib

    from rushrater.imaging import ct

    volume = ct.read_ct_series(REAL_SERIES).volume
    seg = nib.load(str(CT / "example_seg_dicom.nii.gz"))
    labels = np.asarray(seg.dataobj)
    orientation = np.asarray(volume.orientation)
    k, i, j = np.meshgrid(*(np.arange(n) for n in volume.hu.shape), indexing="ij")
    origins = np.asarray(volume.origins)
    lps = (origins[k] + j[..., None] * volume.column_spacing_mm * orientation[:3]
           + i[..., None] * volume.row_spacing_mm * orientation[3:])
    voxel = np.rint(nib.affines.apply_affine(np.linalg.inv(seg.affine), lps * [-1, -1, 1])).astype(int)
    voxel = np.clip(voxel, 0, np.array(labels.shape) - 1)
    organ_of = labels[voxel[..., 0], voxel[..., 1], voxel[..., 2]]
    for label, name, on_image_left in ((5, "liver", True), (1, "spleen", False)):
        mask = organ_of == label
        assert mask.sum() > 1000, name
        alone = dataclasses.replace(volume, hu=np.where(mask, 1000, -1000).astype(np.int16))
        image = projector.project(alone, "frontal").line_integral
        column = float((image.sum(axis=0) * np.arange(image.shape[1])).sum() / image.sum())
        assert (column < image.shape[1] / 2) == on_image_left, name
        lateral = projector.project(alone, "lateral").line_integral  # right side: anterior on the left
        assert lateral.sum() == pytest.approx(image.sum(), rel=1e-3)  # the same organ seen from the side


def test_cli_series_list_and_stl(drr_study, tmp_path, capsys):
    from rushrater.imaging import bone

    study, series_id = drr_study
    location = str(study.root)
    study.close()
    assert main(["drr-series", location, "--json"]) == 0
    listed = __import__("json").loads(capsys.readouterr().out)
    assert listed[0]["series"] == series_id and listed[0]["patient"] == "P001" and listed[0]["slices"] == 24
    out = tmp_path / "hip.stl"
    assert main(["drr-surface", location, "--series", str(series_id), "--out", str(out), "--threshold", "600"]) == 0
    mesh = bone.read_stl(out)
    assert mesh.triangle_count > 100 and mesh.volume_mm3() > 0
    # The 'femur' rod is on the patient's right (x ≈ 35 mm), the marker on the left (x ≈ 95 mm).
    assert mesh.vertices[:, 0].min() < 30 and mesh.vertices[:, 0].max() > 98
    assert main(["drr-surface", location, "--series", str(series_id), "--out", str(out)]) == 1
    assert "file exists" in capsys.readouterr().err
    assert main(["drr-surface", location, "--series", str(series_id), "--out", str(tmp_path / "x.stl"), "--threshold", "5000"]) == 1
    assert "no voxel reaches the bone threshold" in capsys.readouterr().err
    assert not (tmp_path / "x.stl").exists() and not list(tmp_path.glob("*.partial"))


def test_the_workstation_sees_nothing_that_says_drr(drr_study):
    """Raters score DRRs like any radiograph: no series description, date or 'DRR' in what the
    workstation shows (the window's explanation is its preset label)."""
    study, series_id = drr_study
    made = drr_service.make_drrs(study, series_id, ("frontal", "lateral"), as_case=("P001", "month3"), actor="test")
    plan_reading(study, seed=2, actor="test")
    with study.db.read() as session:
        rater = queries.raters(session)[0].code
    reading = ReadingSession.login(study, rater)
    case = next(c for c in reading.upcoming(100) if any(i.id == made[0].image_id for i in c.images))
    for image in case.images:
        assert all(not w.explanation for w in image.attributes.windows)


def test_a_series_that_is_not_ct_never_reaches_the_projector(drr_study, tmp_path):
    study, _ = drr_study
    volume = lps_phantom(_hip_world, (12, 20, 20), (2.5, 2.0, 2.0))
    write_ct_series(tmp_path / "mr", volume.hu, spacing=(2.0, 2.0), origins=volume.origins, modality="MR")
    with pytest.raises(RushRaterError, match=r"not a CT series \(modality MR\)"):
        bodycomp.import_ct(study, "P002", tmp_path / "mr", actor="test")
    assert drr_service.list_series(study)[-1]["patient"] == "P001"  # nothing stored for P002


def test_a_drr_can_only_be_assigned_as_the_view_it_was_made_as(drr_study):
    from rushrater.services import staging

    study, series_id = drr_study
    frontal, axial = drr_service.make_drrs(study, series_id, ("frontal", "axial"), actor="test")
    with pytest.raises(RushRaterError, match=f"item {frontal.item} is a frontal DRR: it can only be placed as AP"):
        staging.assign(study, [staging.Assignment(frontal.item, "P001", "month3", "LAT")])
    with pytest.raises(RushRaterError, match="axial DRR: it is for export only"):
        staging.assign(study, [staging.Assignment(axial.item, "P001", "month3", "LAT")])
    assert staging.assign(study, [staging.Assignment(frontal.item, "P001", "month3", "AP")])


def test_the_drr_window_reads_through_the_services(drr_study):
    """What the DRR window shows comes from service reads (issue 13: the GUI opens no session)."""
    from rushrater.domain.errors import NotFoundError
    from rushrater.services.study import timepoint_choices

    study, series_id = drr_study
    assert [(t.key, t.label) for t in timepoint_choices(study)] == [
        (tp.key, tp.label) for tp in _timepoints(study)]
    assert [t.key for t in timepoint_choices(study)] == ["day1", "month1", "month3"]
    volume = drr_service.series_volume(study, series_id)
    assert volume.hu.shape == (24, 50, 60)
    with pytest.raises(NotFoundError, match="no CT series 999"):
        drr_service.series_volume(study, 999)


def _timepoints(study):
    with study.db.read() as session:
        return queries.timepoints(session)
