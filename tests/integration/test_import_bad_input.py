"""Bad input: each file rejected with its reason, the rest imported, nothing half-imported; a fuzz
test with corrupted copies of pydicom's test files; and one test per transfer syntax."""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom")
from pydicom.data import get_testdata_file  # noqa: E402

from rushrater.imaging.readers import read_image  # noqa: E402
from rushrater.imaging.writers import write_dicom_radiograph  # noqa: E402
from rushrater.services.imports import import_images  # noqa: E402
from rushrater.services.status import study_status  # noqa: E402


def _testfile(name: str) -> Path:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"{name} is not bundled with this pydicom")
    return Path(path)


def _good(path: Path, seed: int, view: str = "AP", day: int = 0, patient: str = "MRN42") -> Path:
    rng = np.random.default_rng(seed)
    write_dicom_radiograph(path, rng.integers(0, 4096, (40, 32), dtype=np.uint16), patient_id=patient,
                           patient_name="FJORD^KARI", view=view, study_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=day))
    return path


def test_each_bad_file_is_rejected_with_its_reason_and_the_rest_imported(study, tmp_path):
    src = tmp_path / "src"
    _good(src / "good_ap.dcm", 1, "AP")
    _good(src / "good_lat.dcm", 2, "LAT")
    truncated = _good(src / "truncated.dcm", 3)
    truncated.write_bytes(truncated.read_bytes()[:-1500])
    (src / "notes.dcm").write_text("this is not DICOM at all, just text " * 10)
    report_only = pydicom.dcmread(_testfile("test-SR.dcm"))
    report_only.save_as(src / "report.dcm")
    shutil.copy(_testfile("SC_rgb.dcm") if get_testdata_file("SC_rgb.dcm", download=False) else _testfile("examples_rgb_color.dcm"), src / "colour.dcm")
    frames = pydicom.dcmread(_good(src / "frames.dcm", 7, patient="MRN44"))
    frames.NumberOfFrames = 2
    frames.PixelData = bytes(frames.PixelData) * 2
    frames.save_as(src / "frames.dcm")
    (src / "empty.dcm").write_bytes(b"")
    unreadable = _good(src / "locked.dcm", 4, patient="MRN43")
    big = pydicom.dcmread(_good(src / "big.dcm", 5))
    big.Rows = 12000
    big.save_as(src / "big.dcm")
    unsupported = pydicom.dcmread(_good(src / "unsupported.dcm", 6))
    unsupported.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"  # MPEG2: no decoder exists
    from pydicom.encaps import encapsulate

    unsupported.PixelData = encapsulate([bytes(unsupported.PixelData)])
    unsupported.save_as(src / "unsupported.dcm", enforce_file_format=False)
    os.chmod(unreadable, 0)
    can_lock = not os.access(unreadable, os.R_OK)  # root reads anything

    report = import_images(study, [src], key_file=tmp_path / "key.csv")
    reasons = {Path(r.file).name: (r.status, r.reason) for r in report.rows}
    os.chmod(unreadable, 0o644)
    assert reasons["good_ap.dcm"][0] == reasons["good_lat.dcm"][0] == "imported"
    expected = {
        "truncated.dcm": "truncated",
        "notes.dcm": "not a DICOM, PNG, TIFF or JPEG",
        "report.dcm": "no pixel data",
        "colour.dcm": "colour image",
        "frames.dcm": "multi-frame",
        "empty.dcm": "empty",
        "big.dcm": "over 10,000",
        "unsupported.dcm": "MPEG2",
    }
    if can_lock:
        expected["locked.dcm"] = "cannot read the file"
    for name, words in expected.items():
        status, reason = reasons[name]
        assert status == "rejected" and words.lower() in reason.lower(), (name, reason)
    assert len(report.rows) == 11  # every input file is accounted for
    # Only the good images are stored; nothing of the rejected files was left behind.
    good = 2 if can_lock else 3
    assert study_status(study)["images"] == good
    assert len([p for p in study.images.root.rglob("*") if p.is_file()]) == good


def test_a_missing_decoder_is_named(tmp_path, monkeypatch):
    import pydicom.pixels.decoders.base as base

    path = tmp_path / "j2k.dcm"
    shutil.copy(_testfile("MR_small_jp2klossless.dcm"), path)
    monkeypatch.setattr(base.Decoder, "is_available", property(lambda self: False))
    monkeypatch.setattr(base.Decoder, "missing_dependencies", property(lambda self: {"pylibjpeg": ["pylibjpeg-openjpeg"]}))
    from rushrater.imaging.readers import ImageReadError

    with pytest.raises(ImageReadError, match="pylibjpeg-openjpeg"):
        read_image(path)


FUZZ_FILES = ["CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm", "JPEG2000.dcm",
              "MR_small_jpeg_ls_lossless.dcm", "JPGExtended.dcm", "image_dfl.dcm", "examples_overlay.dcm"]


def test_fuzzed_copies_never_crash_and_every_file_is_accounted_for(study, tmp_path):
    rng = np.random.default_rng(2026)
    src = tmp_path / "fuzz"
    src.mkdir()
    made = 0
    for name in FUZZ_FILES:
        path = get_testdata_file(name, download=False)
        if path is None:
            continue
        data = Path(path).read_bytes()
        for n in range(6):
            broken = bytearray(data)
            if n % 2 == 0:
                broken = broken[: int(rng.integers(1, len(broken)))]
            else:
                for _ in range(int(rng.integers(1, 40))):
                    broken[int(rng.integers(0, len(broken)))] = int(rng.integers(0, 256))
            (src / f"{Path(name).stem}_{n}.dcm").write_bytes(bytes(broken))
            made += 1
    report = import_images(study, [src], key_file=tmp_path / "key.csv", workers=2)
    assert len(report.rows) == made
    assert all(r.status in ("imported", "needs assignment", "rejected") or r.status.startswith("skipped") for r in report.rows)
    assert all(r.reason for r in report.rows if r.status == "rejected")
    stored = len([p for p in study.images.root.rglob("*") if p.is_file()])
    assert stored == report.imported + report.needs_assignment


# One test file per transfer syntax: the pixels decode to the same values as the reference.
SYNTAXES = [
    ("Explicit VR Little Endian", "CT_small.dcm"),
    ("Implicit VR Little Endian", "MR_small_implicit.dcm"),
    ("Explicit VR Big Endian", "MR_small_bigendian.dcm"),
    ("Deflated Explicit VR Little Endian", "image_dfl.dcm"),
    ("RLE Lossless", "MR_small_RLE.dcm"),
    ("JPEG Extended (Process 2 and 4)", "JPGExtended.dcm"),
    ("JPEG-LS Lossless", "MR_small_jpeg_ls_lossless.dcm"),
    ("JPEG-LS Near-Lossless", "JPEGLSNearLossless_16.dcm"),
    ("JPEG 2000 Lossless", "MR_small_jp2klossless.dcm"),
    ("JPEG 2000", "JPEG2000.dcm"),
]


@pytest.mark.parametrize("syntax,name", SYNTAXES, ids=[s for s, _ in SYNTAXES])
def test_transfer_syntax_decodes(syntax, name):
    path = _testfile(name)
    image = read_image(path)
    ds = pydicom.dcmread(path)
    assert image.source_format == "DICOM"
    assert (image.height, image.width) == (ds.Rows, ds.Columns)
    reference = ds.pixel_array
    if reference.ndim == 3:
        reference = reference[0]
    if name in ("MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm"):
        # Lossless: identical to the uncompressed original.
        reference = pydicom.dcmread(_testfile("MR_small.dcm")).pixel_array
    shift = image.display.extra.get("signed_offset", 0)
    assert np.array_equal(image.pixels.astype(np.int64) - shift, reference.astype(np.int64))


@pytest.mark.parametrize("name", ["SC_rgb_jpeg_gdcm.dcm", "SC_rgb_jpeg_dcmtk.dcm"])
def test_jpeg_lossless_and_baseline_decode_but_colour_is_refused(name):
    # The only bundled JPEG baseline/lossless files are colour: decoding works (the refusal names
    # the colour, not a missing decoder).
    from rushrater.imaging.readers import ImageReadError

    with pytest.raises(ImageReadError, match="colour image"):
        read_image(_testfile(name))


def _crashing_prepare(path, options):
    from rushrater.imaging.sources import prepare

    if path.endswith("crash.dcm"):
        os._exit(3)  # as a native decoder crash would end the worker process
    return prepare(path, options)


def test_a_decoder_crash_costs_only_that_file(study, tmp_path, monkeypatch):
    import rushrater.services.decode_pool as decode_pool

    src = tmp_path / "src"
    _good(src / "a.dcm", 11, "AP")
    _good(src / "b.dcm", 12, "LAT")
    _good(src / "crash.dcm", 13, "AP", patient="MRN77")
    monkeypatch.setattr(decode_pool, "prepare", _crashing_prepare)
    report = import_images(study, [src], key_file=tmp_path / "key.csv", workers=2)
    results = {Path(r.file).name: (r.status, r.reason) for r in report.rows}
    assert results["crash.dcm"] == ("rejected", "the decoder crashed on this file (damaged?)")
    assert results["a.dcm"][0] == results["b.dcm"][0] == "imported"
    assert len([p for p in study.images.root.rglob("*") if p.is_file()]) == 2
