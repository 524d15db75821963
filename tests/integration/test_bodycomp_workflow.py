"""CT body composition through the services and CLI: real CT (TotalSegmentator example data,
CC BY 4.0, Wasserthal et al. 2023; see tests/data/README.md) and
synthetic series written with pydicom."""

import json

import numpy as np
import pytest

from rushrater.cli.main import main
from rushrater.domain.errors import RushRaterError
from rushrater.imaging import ct
from rushrater.services import bodycomp
from rushrater.storage import queries

from factories import DATA, write_ct_series as write_series

CT = DATA / "ct-totalsegmentator"
REAL_SERIES = CT / "example_ct_dicom"
REAL_LABELS = CT / "example_seg_dicom.nii.gz"


def phantom_volume(slices=5, spacing=0.8):
    image, exact = ct.phantom(spacing_mm=spacing, noise=10.0)
    return np.stack([image] * slices), exact


@pytest.fixture
def patient(populated_study):
    with populated_study.db.read() as session:
        return sorted(queries.patient_codes(session))[0]


def counts(study):
    with study.db.read() as session:
        from rushrater.storage import models
        return {t.__tablename__: session.query(t).count() for t in (models.CtSeries, models.BodyComposition, models.PatientAnthropometry)}


def test_phantom_series_measured_within_one_percent_and_reviewed_locked(populated_study, patient, tmp_path):
    study = populated_study
    volume, exact = phantom_volume()
    write_series(tmp_path / "ct", volume)
    series = bodycomp.import_ct(study, patient, tmp_path / "ct", actor="test")
    assert series.slice_count == 5 and series.patient_identity_removed == "YES"
    assert bodycomp.import_ct(study, patient, tmp_path / "ct", actor="test").id == series.id  # same series: kept once
    stored = study.images.path(series.storage_key).read_bytes()
    assert b"Doe" not in stored and b"MRN-4711" not in stored
    bodycomp.set_anthropometry(study, patient, 1.70, "F", actor="test")
    result = bodycomp.measure(study, patient, assessor="A1", slice_index=2)
    for key, value in exact.items():
        assert getattr(result, key) == pytest.approx(value, rel=0.01)
    assert result.smi == pytest.approx(result.muscle_cm2 / 1.7**2)
    with pytest.raises(RushRaterError, match="second assessor"):
        bodycomp.review(study, patient, "A1", reviewer="A1")
    with pytest.raises(RushRaterError, match="not been reviewed"):
        bodycomp.lock(study, patient, "A1", actor="coordinator")
    reviewed = bodycomp.review(study, patient, "A1", reviewer="A2")
    locked = bodycomp.lock(study, patient, "A1", actor="coordinator")
    assert (reviewed.version, locked.version, locked.status, locked.reviewed_by) == (2, 3, "locked", "A2")
    with pytest.raises(RushRaterError, match="locked"):
        bodycomp.measure(study, patient, assessor="A1", slice_index=1, reason="again")
    with study.db.read() as session:
        history = queries.body_composition_history(session, session.query(__import__("rushrater.storage.models", fromlist=["Patient"]).Patient).filter_by(code=patient).one().id)
        actions = [e.action for e in session.query(__import__("rushrater.storage.models", fromlist=["AuditEvent"]).AuditEvent).all()]
    assert [h.status for h in history] == ["measured", "reviewed", "locked"]
    assert actions.count("bodycomp.measure") == 1 and "bodycomp.review" in actions and "bodycomp.lock" in actions
    table = bodycomp.bodycomp_table(study)
    assert list(table["patient"]) == [patient] and table.loc[0, "status"] == "locked"


def test_measurements_are_append_only(populated_study, patient, tmp_path):
    import sqlite3

    volume, _ = phantom_volume(3)
    write_series(tmp_path / "ct", volume)
    bodycomp.import_ct(populated_study, patient, tmp_path / "ct", actor="test")
    bodycomp.set_anthropometry(populated_study, patient, 1.8, None, actor="test")
    bodycomp.measure(populated_study, patient, assessor="A1", slice_index=1)
    with sqlite3.connect(populated_study.root / "study.db") as con:
        for table in ("body_composition", "patient_anthropometry"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(f"UPDATE {table} SET height_m = 2.0")


def test_flags_follow_the_reference_table_and_need_sex(populated_study, patient, tmp_path):
    volume, _ = phantom_volume(3)
    write_series(tmp_path / "ct", volume)
    bodycomp.import_ct(populated_study, patient, tmp_path / "ct", actor="test")
    bodycomp.set_anthropometry(populated_study, patient, 1.9, None, actor="test")
    unknown = bodycomp.measure(populated_study, patient, assessor="A1", slice_index=1)
    assert unknown.flags["flags"] == [] and unknown.flags["not_assessed"]
    bodycomp.set_anthropometry(populated_study, patient, 1.9, "M", actor="test", reason="sex added")
    male = bodycomp.measure(populated_study, patient, assessor="A1", slice_index=1, reason="sex now known")
    table = bodycomp.reference_table()
    cutoff = float(table[(table["index"] == "smi") & (table["sex"] == "M")]["cutoff"].iloc[0])
    assert cutoff == 42.6
    assert (male.smi < cutoff) == bool(male.flags["flags"])
    assert male.version == 2


def test_two_assessors_give_an_icc_per_index(populated_study, tmp_path):
    study = populated_study
    with study.db.read() as session:
        codes = sorted(queries.patient_codes(session))[:4]
    for n, code in enumerate(codes):
        image, _ = ct.phantom(spacing_mm=0.6 + 0.1 * n, noise=10.0, seed=n)
        write_series(tmp_path / code, np.stack([image] * 3), spacing=(0.6 + 0.1 * n,) * 2)
        bodycomp.import_ct(study, code, tmp_path / code, actor="test")
        bodycomp.set_anthropometry(study, code, 1.6 + 0.05 * n, "F", actor="test")
        bodycomp.measure(study, code, assessor="A1", slice_index=1)
        bodycomp.measure(study, code, assessor="A2", slice_index=2)
    report = bodycomp.assessor_agreement(study)
    smi = report.set_index("index").loc["smi"]
    assert smi["n_patients"] == 4 and smi["n_assessors"] == 2 and smi["icc"] > 0.9


@pytest.mark.parametrize("case", ["spacing", "not_ct", "no_height", "no_t12", "crossing"])
def test_bad_input_is_refused_and_nothing_is_stored(populated_study, patient, tmp_path, case):
    study = populated_study
    volume, _ = phantom_volume(4)
    positions = [0.0, 3.0, 6.0, 12.0] if case == "spacing" else None
    write_series(tmp_path / "ct", volume, positions=positions, modality="MR" if case == "not_ct" else "CT")
    before = counts(study)
    with pytest.raises(RushRaterError) as info:
        if case in ("spacing", "not_ct"):
            bodycomp.import_ct(study, patient, tmp_path / "ct", actor="test")
        else:
            bodycomp.import_ct(study, patient, tmp_path / "ct", actor="test")
            before = counts(study)
            if case != "no_height":
                bodycomp.set_anthropometry(study, patient, 1.7, "M", actor="test")
                before = counts(study)
            if case == "no_t12":
                nib = pytest.importorskip("nibabel")
                labels = np.zeros((512, 512, 4), dtype=np.uint8)
                labels[200:300, 200:300, 1:3] = 33  # T11 only
                nib.save(nib.Nifti1Image(labels, np.diag([-0.8, -0.8, 3.0, 1.0])), str(tmp_path / "seg.nii.gz"))
                bodycomp.measure(study, patient, assessor="A1", labels=tmp_path / "seg.nii.gz")
            elif case == "crossing":
                bow = [[100, 100], [400, 400], [400, 100], [100, 400]]
                bodycomp.measure(study, patient, assessor="A1", slice_index=1,
                                 contours={"outer": bow, "inner": [[240, 240], [260, 240], [250, 260]]})
            else:
                bodycomp.measure(study, patient, assessor="A1", slice_index=1)
    expected = {"spacing": "inconsistent slice spacing", "not_ct": "not a CT series", "no_height": "no height",
                "no_t12": "does not reach T12", "crossing": "crosses itself"}[case]
    assert expected in info.value.message and info.value.fix
    assert counts(study) == before
    assert len(study.images.keys()) == len(set(study.images.keys()))


def test_jpeg2000_series_reads_the_same_hu(tmp_path):
    pytest.importorskip("openjpeg", reason="pylibjpeg-openjpeg encodes JPEG 2000")
    nib = pytest.importorskip("nibabel")
    source = CT / "example_ct_sm.nii.gz"
    data = np.asarray(nib.load(str(source)).dataobj).astype(np.int16)  # (x, y, z), RAS
    volume = np.clip(np.transpose(data, (2, 1, 0))[:, ::-1, ::-1], -1024, 3000)[:6]
    plain = ct.read_ct_series(write_series(tmp_path / "plain", volume, spacing=(3.0, 3.0)))
    j2k = ct.read_ct_series(write_series(tmp_path / "j2k", volume, spacing=(3.0, 3.0), jpeg2000=True))
    assert "JPEG 2000" in j2k.source_format
    np.testing.assert_array_equal(plain.volume.hu, j2k.volume.hu)
    np.testing.assert_array_equal(plain.volume.hu, volume)


def test_real_ct_t12_level_from_labels_and_plausible_indices(populated_study, patient, capsys):
    code = main(["bodycomp", str(populated_study.root), "--patient", patient, "--series", str(REAL_SERIES),
                 "--labels", str(REAL_LABELS), "--height", "1.75", "--sex", "M", "--assessor", "A1", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    # T12 (label 32) spans slices 0-16 of the 20 (2 mm apart): its middle is slice 8.
    assert out["slice_index"] == 8 and out["level_source"] == "labels"
    assert out["slice_position_mm"] == pytest.approx(-788.5)
    assert 20 < out["smi"] < 80 and 0 < out["vfi"] < 80 and 0 < out["sfi"] < 120
    assert 0 < out["vsr"] < 5 and -20 < out["muscle_mean_hu"] < 80
    assert out["warnings"]  # the label touches the volume edge: the vertebra may be cut off


def test_cli_height_csv_is_all_or_nothing(populated_study, patient, tmp_path, capsys):
    good = tmp_path / "h.csv"
    good.write_text(f"patient,height_m,sex\n{patient},1.68,F\n")
    assert main(["bodycomp-height", str(populated_study.root), "--csv", str(good)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(f"patient,height_m\n{patient},1.70\nP-NOPE,1.80\n{patient},172\n")
    assert main(["bodycomp-height", str(populated_study.root), "--csv", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 3" in err and "centimetres" in err
    assert bodycomp.anthropometry(populated_study, patient) == (1.68, "F")


def test_the_import_reports_progress_per_file_and_slice_and_a_stop_stores_nothing(populated_study, patient, tmp_path):
    study = populated_study
    write_series(tmp_path / "ct", phantom_volume(slices=4)[0])
    steps = []
    series = bodycomp.import_ct(study, patient, tmp_path / "ct", actor="test",
                                progress=lambda step, done, total: steps.append((step, done, total)))
    assert [s for s in steps if s[0] == "read"] == [("read", n, 4) for n in range(4)]
    assert [s for s in steps if s[0] == "decode"] == [("decode", n, 4) for n in range(4)]

    class Stop(Exception):
        pass

    def stop_at_the_second_slice(step, done, total):
        if step == "decode" and done == 1:
            raise Stop

    write_series(tmp_path / "other", phantom_volume(slices=6)[0])
    before = counts(study)
    with pytest.raises(Stop):
        bodycomp.import_ct(study, patient, tmp_path / "other", actor="test", progress=stop_at_the_second_slice)
    assert counts(study) == before
    assert bodycomp.latest_series(study, patient).id == series.id


def test_series_and_height_come_back_as_plain_frozen_records(populated_study, patient, tmp_path):
    """Issue 13: the services hand out data, not database rows (nothing to expunge or lazy-load)."""
    import dataclasses

    volume, _ = phantom_volume()
    write_series(tmp_path / "ct", volume)
    imported = bodycomp.import_ct(populated_study, patient, tmp_path / "ct", actor="test")
    latest = bodycomp.latest_series(populated_study, patient)
    height = bodycomp.set_anthropometry(populated_study, patient, 1.75, "M", actor="test")
    again = bodycomp.set_anthropometry(populated_study, patient, 1.75, "M", actor="test")  # same values: no new version
    assert imported == latest and latest.patient == patient and latest.slice_count == 5
    assert (height.patient, height.height_m, height.sex, height.version) == (patient, 1.75, "M", 1) and again == height
    for record in (imported, height):
        assert dataclasses.is_dataclass(record) and not hasattr(record, "_sa_instance_state")
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.id = 0  # type: ignore[misc]
    assert bodycomp.load_volume(populated_study, latest).hu.shape == volume.shape
