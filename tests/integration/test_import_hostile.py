"""Hostile DICOM headers (issue 18): free text that must not reach raters, identifiers the blinding
check must see, numbers that must not break the import, and decoder bombs.

Every file is built here with pydicom; a header value that pydicom would refuse to write is planted
as a raw element (as a hostile or broken exporter writes it)."""

from __future__ import annotations

import csv
import datetime
import json
import struct
from pathlib import Path

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom")
from pydicom.data import get_testdata_file  # noqa: E402
from pydicom.dataelem import RawDataElement  # noqa: E402
from pydicom.datadict import tag_for_keyword  # noqa: E402
from pydicom.tag import Tag  # noqa: E402

from rushrater.cli.main import main  # noqa: E402
from rushrater.imaging.writers import write_dicom_radiograph  # noqa: E402
from rushrater.services.blinding import check_blinding, read_key_file  # noqa: E402
from rushrater.services.imports import import_images  # noqa: E402
from rushrater.services.status import study_status  # noqa: E402
from rushrater.storage import models  # noqa: E402

_SEED = iter(range(100, 10_000))
REFERRER = "Referred by Dr Quagga 5/3/24"


def dicom(path: Path, patient: str = "MRN5501", name: str = "QUAGGA^ROSALIND", view: str = "AP", day: int = 0, **header) -> Path:
    rng = np.random.default_rng(next(_SEED))
    write_dicom_radiograph(path, rng.integers(0, 4096, (40, 32), dtype=np.uint16), patient_id=patient, patient_name=name,
                           view=view, study_date=datetime.date(2025, 3, 1) + datetime.timedelta(days=day))
    if header:
        ds = pydicom.dcmread(path)
        for key, value in header.items():
            setattr(ds, key, value)
        ds.save_as(path)
    return path


def plant_raw(path: Path, **values: tuple[str, str]) -> Path:
    """Write each keyword's value bytes as given (VR, text), as no validating writer would."""
    ds = pydicom.dcmread(path)
    for keyword, (vr, text) in values.items():
        tag = Tag(tag_for_keyword(keyword))
        data = text.encode("latin-1")
        data += b" " * (len(data) % 2)
        ds[tag] = RawDataElement(tag, vr, len(data), data, 0, False, True)
    ds.save_as(path)
    return path


def _rows(report) -> dict[str, tuple[str, str]]:
    return {Path(r.file).name: (r.status, r.reason) for r in report.rows}


def _cli(*args) -> tuple[int, str]:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main([str(a) for a in args])
    return code, buffer.getvalue()


def _db_text(study) -> str:
    from rushrater.storage import queries

    with study.db.read() as session:
        return "\n".join(text for _, _, _, text in queries.all_text_values(session))


# --- 1. free text in display attributes -------------------------------------------------------


def test_free_text_header_fields_never_reach_the_display_attributes(study, tmp_path):
    src = tmp_path / "src"
    path = dicom(src / "a.dcm", WindowCenter=[1000, 2000], WindowWidth=[500, 800],
                 WindowCenterWidthExplanation=[REFERRER, "Dr Zebra 6/3/24"], RescaleType="Dr Quagga's HU")
    ds = pydicom.dcmread(path)
    from pydicom.dataset import Dataset

    lut = Dataset()
    lut.LUTDescriptor = [4, 0, 16]
    lut.LUTData = struct.pack("<4H", 0, 100, 200, 300)
    lut.LUTExplanation = "Seen by Dr Quagga on 5/3/24"
    ds.VOILUTSequence = [lut]
    ds.save_as(path)
    report = import_images(study, [src], key_file=tmp_path / "key.csv")
    assert report.imported == 1
    with study.db.read() as session:
        display = session.query(models.Image).one().display
    text = json.dumps(display)
    for leaked in ("Quagga", "Zebra", "5/3/24", "6/3/24", "Referred"):
        assert leaked not in text
    assert "Quagga" not in _db_text(study)
    # The presets still exist, with neutral names.
    from rushrater.imaging.attributes import DisplayAttributes
    from rushrater.imaging.display import DisplayPipeline

    attributes = DisplayAttributes.from_dict(display)
    assert [(w.center, w.width) for w in attributes.windows] == [(1000.0, 500.0), (2000.0, 800.0)]
    labels = [p.label for p in DisplayPipeline(attributes, np.uint16).presets(np.zeros((4, 4), np.uint16))]
    assert labels[:3] == ["File window 1", "File window 2", "File VOI LUT 1"]


def test_presets_of_an_old_study_never_show_the_files_own_explanation():
    from rushrater.imaging.attributes import DisplayAttributes
    from rushrater.imaging.display import DisplayPipeline

    old = DisplayAttributes.from_dict({"windows": [{"center": 10, "width": 5, "explanation": REFERRER}],
                                       "voi_luts": [{"first_mapped": 0, "bits": 16, "data": [0, 1], "explanation": REFERRER}]})
    pixels = np.zeros((4, 4), np.uint16)
    labels = [p.label for p in DisplayPipeline(old, np.uint16).presets(pixels)]
    assert REFERRER not in labels and labels[:2] == ["File window 1", "File VOI LUT 1"]


def test_view_descriptions_are_not_copied_into_the_staged_reason(study, tmp_path):
    src = tmp_path / "src"
    dicom(src / "a.dcm", ViewPosition="", SeriesDescription="AP LATERAL for Dr Quagga")
    report = import_images(study, [src], key_file=tmp_path / "key.csv")
    assert report.needs_assignment == 1
    assert "Quagga" not in _db_text(study)
    assert "Quagga" not in Path(report.report_path).read_text()


# --- 2. manufacturer and model ------------------------------------------------------------------


def test_manufacturer_and_model_stay_out_of_the_study_and_go_to_the_key_file(study, tmp_path):
    src = tmp_path / "src"
    dicom(src / "a.dcm", Manufacturer="Nordfjord Röntgen", ManufacturerModelName="Site7 Bucky")
    dicom(src / "b.dcm", view="LAT", Manufacturer="Nordfjord Röntgen", ManufacturerModelName="Site7 Bucky")
    key = tmp_path / "key.csv"
    report = import_images(study, [src], key_file=key)
    assert report.imported == 2
    text = _db_text(study)
    assert "Nordfjord" not in text and "Site7" not in text
    with study.db.read() as session:
        records = session.query(models.ImageDeidentification).all()
    codes = {r.device for r in records}
    assert len(codes) == 1  # both images of one device share one code (redaction templates need it)
    rows = read_key_file(key)
    assert {r["device"] for r in rows} == {"Nordfjord Röntgen / Site7 Bucky"}
    assert {r["device_code"] for r in rows} == codes
    # A later import of the same device keeps the code.
    later = tmp_path / "later"
    dicom(later / "c.dcm", day=40, Manufacturer="Nordfjord Röntgen", ManufacturerModelName="Site7 Bucky")
    import_images(study, [later], key_file=key)
    with study.db.read() as session:
        assert {r.device for r in session.query(models.ImageDeidentification).all()} == codes
    assert check_blinding(study, key).clean


# --- 3. multi-valued elements in the key file ---------------------------------------------------


def test_other_patient_names_are_kept_by_value_and_searched(study, tmp_path):
    src = tmp_path / "src"
    dicom(src / "a.dcm", OtherPatientNames="ALIASOVA^HEDDA")
    dicom(src / "b.dcm", patient="MRN5502", name="ORM^BENTE", OtherPatientNames=["VOSSBERG^ILSE", "TRAUNSTEIN^MARTA"])
    key = tmp_path / "key.csv"
    import_images(study, [src], key_file=key)
    others = sorted(r["other_names"] for r in read_key_file(key))
    assert others == ["ALIASOVA^HEDDA", "VOSSBERG^ILSE\\TRAUNSTEIN^MARTA"]
    assert check_blinding(study, key).clean
    # Planted in a rater-visible place, each value (and each long name part) is found.
    (study.root / "reports" / "traunstein.txt").write_text("x")
    (study.root / "reports" / "Hedda Aliasova.txt").write_text("x")
    hits = {(h.where, h.location) for h in check_blinding(study, key).hits}
    assert ("file name", "reports/traunstein.txt") in hits and ("file name", "reports/Hedda Aliasova.txt") in hits


# --- 4. rejection reasons never echo header text ------------------------------------------------


def test_rejection_reasons_name_the_attribute_not_its_value(study, tmp_path):
    src = tmp_path / "src"
    dicom(src / "good.dcm")
    plant_raw(dicom(src / "frames.dcm", view="LAT", day=3), NumberOfFrames=("LO", "QUAGGA ROSALIND"))
    plant_raw(dicom(src / "rows.dcm", patient="MRN5503", name="ORM^BENTE"), BitsStored=("LO", "ORM BENTE"))
    plant_raw(dicom(src / "colour.dcm", patient="MRN5504"), PhotometricInterpretation=("CS", "QUAGGA ROSALIND"))
    syntax = dicom(src / "syntax.dcm", patient="MRN5505")
    ds = pydicom.dcmread(syntax)
    ds.file_meta.TransferSyntaxUID = "1.2.999.55011.19840101"  # not registered: never repeated
    ds.save_as(syntax, enforce_file_format=False)
    report = import_images(study, [src], key_file=tmp_path / "key.csv")
    rows = _rows(report)
    assert rows["good.dcm"][0] == "imported"
    assert rows["frames.dcm"][0] == "rejected" and "Number of Frames" in rows["frames.dcm"][1]
    assert rows["rows.dcm"][0] == "rejected" and "Bits Stored" in rows["rows.dcm"][1]
    assert rows["colour.dcm"][0] == "rejected" and "unknown photometric" in rows["colour.dcm"][1]
    assert rows["syntax.dcm"][0] == "rejected" and "unregistered transfer syntax" in rows["syntax.dcm"][1]
    kept = Path(report.report_path).read_text()
    for leaked in ("QUAGGA", "ROSALIND", "ORM BENTE", "55011", "19840101"):
        assert leaked not in kept and all(leaked not in reason for _, reason in rows.values())


def test_check_blinding_searches_report_files(study, tmp_path):
    src = tmp_path / "src"
    dicom(src / "a.dcm")
    key = tmp_path / "key.csv"
    report = import_images(study, [src], key_file=key)
    assert check_blinding(study, key).clean
    path = Path(report.report_path)
    data = json.loads(path.read_text())
    data["rows"][0]["reason"] = "invalid literal for int() with base 10: 'QUAGGA ROSALIND'"
    path.write_text(json.dumps(data))
    hits = check_blinding(study, key).hits
    assert any(h.where == "report file" and h.location == f"reports/{path.name}" for h in hits)
    code, out = _cli("check-blinding", study.root, "--key-file", key)
    assert code == 1 and "report file" in out and "blinding is broken" in out


# --- 5. check-blinding fails on each leak, planted ----------------------------------------------


@pytest.mark.parametrize("leak", ["display", "device", "other_names", "report"])
def test_check_blinding_fails_on_each_planted_leak(study, tmp_path, leak):
    src = tmp_path / "src"
    dicom(src / "a.dcm", OtherPatientNames="ALIASOVA^HEDDA", Manufacturer="Nordfjord Röntgen", ManufacturerModelName="Site7 Bucky")
    key = tmp_path / "key.csv"
    report = import_images(study, [src], key_file=key)
    assert check_blinding(study, key).clean
    with study.db.write() as session:
        image = session.query(models.Image).one()
        record = session.query(models.ImageDeidentification).one()
        if leak == "display":
            display = dict(image.display)
            display["windows"] = [{"center": 1.0, "width": 2.0, "explanation": "QUAGGA^ROSALIND"}]
            image.display = display
        elif leak == "device":
            record.device = "Nordfjord Röntgen / Site7 Bucky"
        elif leak == "other_names":
            record.template = "seen as Hedda Aliasova"
    if leak == "report":
        path = Path(report.report_path)
        path.write_text(path.read_text().replace('"reason": ""', '"reason": "ALIASOVA"', 1))
    code, out = _cli("check-blinding", study.root, "--key-file", key)
    expected = {"display": "image.display", "device": "image_deidentification.device",
                "other_names": "image_deidentification.template", "report": "report file"}[leak]
    assert code == 1 and expected in out, out


# --- 7. numbers ----------------------------------------------------------------------------------


BAD_NUMBERS = {
    "slope_nan.dcm": ("RescaleSlope", ("DS", "NaN"), "Rescale Slope"),
    "slope_huge.dcm": ("RescaleSlope", ("DS", "1e308"), "Rescale Slope"),
    "intercept_inf.dcm": ("RescaleIntercept", ("DS", "-inf"), "Rescale Intercept"),
    "spacing_inf.dcm": ("PixelSpacing", ("DS", "inf\\inf"), "Pixel Spacing"),
    "spacing_huge.dcm": ("PixelSpacing", ("DS", "1e308\\1e308"), "Pixel Spacing"),
    "center_nan.dcm": ("WindowCenter", ("DS", "NaN"), "Window Center"),
    "width_huge.dcm": ("WindowWidth", ("DS", "1e308"), "Window Width"),
    "padding_text.dcm": ("PixelPaddingValue", ("LO", "FJORD"), "Pixel Padding Value"),
}


def test_a_bad_number_rejects_that_file_only_and_the_rest_import(study, tmp_path):
    src = tmp_path / "src"
    dicom(src / "good_ap.dcm")
    dicom(src / "good_lat.dcm", view="LAT")
    for n, (name, (keyword, raw, _)) in enumerate(BAD_NUMBERS.items()):
        plant_raw(dicom(src / name, patient=f"MRN66{n:02d}"), **{keyword: raw})
    report = import_images(study, [src], key_file=tmp_path / "key.csv")
    rows = _rows(report)
    assert rows["good_ap.dcm"][0] == rows["good_lat.dcm"][0] == "imported"
    for name, (_, _, label) in BAD_NUMBERS.items():
        status, reason = rows[name]
        assert status == "rejected" and label in reason, (name, reason)
    assert study_status(study)["images"] == 2
    assert len([p for p in study.images.root.rglob("*") if p.is_file()]) == 2
    assert "NaN" not in Path(report.report_path).read_text() and "Infinity" not in _db_text(study)


# --- 6. decoder bombs ----------------------------------------------------------------------------


def _jpeg_ls_with_claimed_size(path: Path, rows: int, columns: int) -> Path:
    source = get_testdata_file("MR_small_jpeg_ls_lossless.dcm", download=False)
    if source is None:
        pytest.skip("MR_small_jpeg_ls_lossless.dcm is not bundled with this pydicom")
    ds = pydicom.dcmread(source)
    from pydicom.encaps import encapsulate, generate_frames

    frame = bytearray(next(generate_frames(ds.PixelData, number_of_frames=1)))
    sof = frame.index(b"\xff\xf7")
    frame[sof + 5 : sof + 9] = struct.pack(">HH", rows, columns)
    ds.PixelData = encapsulate([bytes(frame)])
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path)
    return path


def test_a_codestream_larger_than_its_header_is_refused_before_decoding(study, tmp_path):
    src = tmp_path / "src"
    bomb = _jpeg_ls_with_claimed_size(src / "bomb.dcm", 60000, 60000)
    assert bomb.stat().st_size < 20_000
    dicom(src / "good.dcm")
    report = import_images(study, [src], key_file=tmp_path / "key.csv")
    rows = _rows(report)
    assert rows["good.dcm"][0] == "imported"
    status, reason = rows["bomb.dcm"]
    assert status == "rejected" and "60000 x 60000" in reason and "64 x 64" in reason


def test_codestream_sizes_are_read_from_jpeg_jpeg_ls_and_jpeg_2000():
    from rushrater.imaging.readers import codestream_size

    for name, size in (("MR_small_jpeg_ls_lossless.dcm", (64, 64)), ("MR_small_jp2klossless.dcm", (64, 64)),
                       ("JPGExtended.dcm", None), ("JPEG2000.dcm", None)):
        path = get_testdata_file(name, download=False)
        if path is None:
            continue
        ds = pydicom.dcmread(path)
        from pydicom.encaps import generate_frames

        frame = next(generate_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1) or 1)))
        assert codestream_size(frame) == (size or (ds.Rows, ds.Columns)), name


def _hog_prepare(path, options):
    from rushrater.imaging.sources import prepare

    if path.endswith("hog.dcm"):
        hog = np.ones(int(6e9), dtype=np.uint8)  # as a decoder fooled into a huge allocation would
        return hog.sum()
    if path.endswith("slow.dcm"):
        import time

        time.sleep(120)  # as a decoder stuck in a loop would (native code ignores Python signals)
    return prepare(path, options)


def test_decoder_memory_and_time_are_capped_per_file(study, tmp_path, monkeypatch):
    import rushrater.services.decode_pool as decode_pool

    src = tmp_path / "src"
    dicom(src / "a.dcm")
    dicom(src / "b.dcm", view="LAT")
    dicom(src / "hog.dcm", patient="MRN7701")
    dicom(src / "slow.dcm", patient="MRN7702")
    monkeypatch.setattr(decode_pool, "prepare", _hog_prepare)
    monkeypatch.setattr(decode_pool, "DECODE_SECONDS", 3)
    monkeypatch.setattr(decode_pool, "DECODE_MEMORY_BYTES", 1 << 30)
    report = import_images(study, [src], key_file=tmp_path / "key.csv", workers=2)
    rows = _rows(report)
    assert rows["a.dcm"][0] == rows["b.dcm"][0] == "imported"
    assert rows["hog.dcm"][0] == "rejected" and "memory" in rows["hog.dcm"][1]
    assert rows["slow.dcm"][0] == "rejected" and "3 s" in rows["slow.dcm"][1]


def test_a_single_file_import_is_capped_too(study, tmp_path, monkeypatch):
    import rushrater.services.decode_pool as decode_pool

    src = tmp_path / "src"
    dicom(src / "hog.dcm")
    monkeypatch.setattr(decode_pool, "prepare", _hog_prepare)
    monkeypatch.setattr(decode_pool, "DECODE_MEMORY_BYTES", 1 << 30)
    report = import_images(study, [src], key_file=tmp_path / "key.csv")
    assert _rows(report)["hog.dcm"][0] == "rejected"


# --- key file shape ------------------------------------------------------------------------------


def test_key_file_has_one_value_per_cell(study, tmp_path):
    src = tmp_path / "src"
    dicom(src / "a.dcm", OtherPatientNames="ALIASOVA^HEDDA")
    key = tmp_path / "key.csv"
    import_images(study, [src], key_file=key)
    with key.open(newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["other_names"] == "ALIASOVA^HEDDA"


def test_a_study_imported_before_device_codes_gets_its_device_names_replaced(study, tmp_path):
    src = tmp_path / "src"
    dicom(src / "a.dcm", Manufacturer="Nordfjord Röntgen", ManufacturerModelName="Site7 Bucky")
    key = tmp_path / "key.csv"
    import_images(study, [src], key_file=key)
    name = "Nordfjord Röntgen / Site7 Bucky"
    # As an older version stored it: the name itself, and a template keyed by it.
    with study.db.write() as session:
        record = session.query(models.ImageDeidentification).one()
        record.device, record.template = name, f"{name} | 32x40"
        session.add(models.RedactionTemplate(key=f"{name} | 32x40", rects={"rects": [[0, 0, 2, 2]]},
                                             updated_at=datetime.datetime.now(datetime.timezone.utc)))
    rows = read_key_file(key)
    for row in rows:
        row["device"] = row["device_code"] = ""
    from rushrater.services.blinding import PendingKeyFile

    PendingKeyFile(key, rows).commit()
    later = tmp_path / "later"
    dicom(later / "b.dcm", view="LAT", Manufacturer="Nordfjord Röntgen", ManufacturerModelName="Site7 Bucky")
    report = import_images(study, [later], key_file=key)
    assert report.imported == 1
    assert "Nordfjord" not in _db_text(study)
    with study.db.read() as session:
        devices = {r.device for r in session.query(models.ImageDeidentification).all()}
        keys = {t.key for t in session.query(models.RedactionTemplate).all()}
    assert len(devices) == 1 and keys == {f"{devices.pop()} | 32x40"}
    assert check_blinding(study, key).clean


# --- 8. workers die with a killed import ---------------------------------------------------------

_KILLED_IMPORT = r"""
import sys, time
from pathlib import Path
import rushrater.services.decode_pool as decode_pool
import rushrater.services.imports as imports
from rushrater.services.study import create_study

def slow_prepare(path, options):
    time.sleep(300)

decode_pool.prepare = slow_prepare
study = create_study(Path(sys.argv[1]), "Killed import", "day1,month1", actor="test")
imports.import_images(study, [Path(sys.argv[2])], key_file=Path(sys.argv[3]), workers=2)
"""


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_killed_import_leaves_no_workers(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    src = tmp_path / "src"
    for n in range(4):
        dicom(src / f"{n}.dcm", patient=f"MRN88{n}")
    process = subprocess.Popen([sys.executable, "-c", _KILLED_IMPORT, str(tmp_path / "study"), str(src), str(tmp_path / "key.csv")],
                               env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            workers = _children(process.pid)
        assert len(workers) >= 2, "the import never started its workers"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)], "workers outlived the killed import"
    finally:
        process.kill()
        for pid in workers:  # only if the test failed: never leave them behind
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


# --- 9. a seeded fuzz corpus ---------------------------------------------------------------------


def test_a_seeded_fuzz_corpus_imports_without_a_crash_and_names_every_rejection(study, tmp_path):
    from rushrater.imaging.fuzz import MUTATIONS, write_corpus

    src = tmp_path / "fuzz"
    paths = write_corpus(src, 4 * len(MUTATIONS), seed=18)
    key = tmp_path / "key.csv"
    report = import_images(study, [src], key_file=key, workers=2)
    rows = _rows(report)
    assert sorted(rows) == sorted(p.name for p in paths)  # every file accounted for, by name
    for name, (status, reason) in rows.items():
        assert status in ("imported", "needs assignment", "rejected") or status.startswith("skipped"), name
        if status == "rejected":
            assert reason, name
        if "_intact" in name or "_free_text" in name:
            assert status == "imported", (name, reason)
        if "_number" in name or "_pixel_length" in name:
            assert status == "rejected", (name, reason)
    for name, (status, reason) in rows.items():
        if "_codestream" in name and status == "rejected":
            assert "the compressed image declares" in reason, (name, reason)
    # Nothing half-stored: exactly the kept images are in the store and the database.
    stored = [p for p in study.images.root.rglob("*") if p.is_file()]
    assert len(stored) == report.imported + report.needs_assignment
    assert study_status(study)["images"] == report.imported
    text = _db_text(study) + Path(report.report_path).read_text()
    for leaked in ("Referred", "SUBJECT", "QUAGGA"):
        assert leaked.lower() not in text.lower(), leaked
    assert ": NaN" not in text and "Infinity" not in text  # as json.dumps writes them
    assert check_blinding(study, key).clean



def test_a_ct_series_keeps_no_manufacturer_or_model(populated_study, tmp_path):
    from factories import write_ct_series

    from rushrater.services import bodycomp
    from rushrater.storage import queries

    with populated_study.db.read() as session:
        patient = sorted(queries.patient_codes(session))[0]
    write_ct_series(tmp_path / "ct", np.full((3, 16, 16), 40, dtype=np.int16))  # Manufacturer "Phantom"
    series = bodycomp.import_ct(populated_study, patient, tmp_path / "ct", actor="test")
    assert series.device == ""
    assert "Phantom" not in _db_text(populated_study)


@pytest.mark.parametrize("keyword,raw,message", [
    ("PixelSpacing", ("DS", "NaN\\NaN"), "PixelSpacing"),
    ("PixelSpacing", ("DS", "1e308\\1e308"), "PixelSpacing"),
    ("ImagePositionPatient", ("DS", "0\\inf\\0"), "ImagePositionPatient"),
    ("RescaleSlope", ("LO", "QUAGGA ROSALIND"), "Rescale Slope"),
    ("RescaleIntercept", ("DS", "-inf"), "Rescale Intercept"),
])
def test_a_ct_series_with_a_bad_number_is_refused_naming_it(populated_study, tmp_path, keyword, raw, message):
    from factories import write_ct_series

    from rushrater.domain.errors import ValidationError
    from rushrater.services import bodycomp
    from rushrater.storage import queries

    with populated_study.db.read() as session:
        patient = sorted(queries.patient_codes(session))[0]
    folder = write_ct_series(tmp_path / "ct", np.full((3, 16, 16), 40, dtype=np.int16))
    plant_raw(sorted(folder.glob("*.dcm"))[1], **{keyword: raw})
    with pytest.raises(ValidationError, match=message) as caught:
        bodycomp.import_ct(populated_study, patient, folder, actor="test")
    assert "QUAGGA" not in str(caught.value)


def test_a_bomb_past_the_codestream_check_is_stopped_by_the_worker_limits(study, tmp_path, monkeypatch):
    import time

    import rushrater.imaging.readers as readers
    import rushrater.services.decode_pool as decode_pool

    src = tmp_path / "src"
    _jpeg_ls_with_claimed_size(src / "bomb.dcm", 60000, 60000)
    monkeypatch.setattr(readers, "_check_codestream", lambda *args: None)  # as if a codestream fooled it
    monkeypatch.setattr(decode_pool, "DECODE_SECONDS", 10)
    started = time.monotonic()
    report = import_images(study, [src], key_file=tmp_path / "key.csv")
    status, reason = _rows(report)["bomb.dcm"]
    # libjpeg decodes it row by row within the memory cap, so the time limit ends it (twice: once
    # in the pool, once alone to tell which file it was); unlimited, it ran for 5 minutes.
    assert status == "rejected" and "longer than 10 s" in reason
    assert time.monotonic() - started < 60


def test_free_text_an_older_import_kept_fails_check_blinding_and_the_next_import_removes_it(study, tmp_path):
    src = tmp_path / "src"
    dicom(src / "a.dcm")
    key = tmp_path / "key.csv"
    import_images(study, [src], key_file=key)
    with study.db.write() as session:  # as an import before issue 18 stored it
        image = session.query(models.Image).one()
        image.display = {**image.display, "windows": [{"center": 9.0, "width": 4.0, "explanation": REFERRER}],
                         "extra": {"rescale_type": "Dr Quagga's HU"}}
    code, out = _cli("check-blinding", study.root, "--key-file", key)
    assert code == 1 and "free-text header field" in out and "image.display, row 1" in out
    later = tmp_path / "later"
    dicom(later / "b.dcm", view="LAT")
    assert import_images(study, [later], key_file=key).imported == 1
    assert "Quagga" not in _db_text(study)
    with study.db.read() as session:
        kept = [i.display for i in session.query(models.Image).order_by(models.Image.id)][0]
    assert kept["windows"] == [{"center": 9.0, "width": 4.0, "explanation": ""}]  # the window itself stays
    assert check_blinding(study, key).clean
