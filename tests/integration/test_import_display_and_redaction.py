"""What display needs is read from the (de-identified) header, and redaction masks black on screen."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom")
from pydicom.dataset import Dataset  # noqa: E402

from rushrater.imaging.attributes import DisplayAttributes  # noqa: E402
from rushrater.imaging.readers import read_image  # noqa: E402
from rushrater.imaging.redaction import black_value, template_key  # noqa: E402
from rushrater.imaging.writers import write_dicom_radiograph  # noqa: E402
from rushrater.services.imports import import_images  # noqa: E402
from rushrater.services.redaction import redact_image, set_template  # noqa: E402
from rushrater.storage import queries  # noqa: E402


def _write(path: Path, pixels: np.ndarray, view: str = "AP", patient: str = "MRN31", **header) -> Path:
    write_dicom_radiograph(path, pixels, patient_id=patient, patient_name="STRAND^LIV", view=view,
                           study_date=datetime.date(2025, 4, 4))
    ds = pydicom.dcmread(path)
    for key, value in header.items():
        setattr(ds, key, value)
    for key in ("PixelPaddingValue", "PixelPaddingRangeLimit"):
        if key in ds:
            ds[key].VR = "SS" if ds.get("PixelRepresentation", 0) == 1 else "US"
    for sequence in ("VOILUTSequence", "ModalityLUTSequence"):
        for item in ds.get(sequence, None) or ():
            item["LUTDescriptor"].VR = "US"
            item["LUTData"].VR = "US"
    ds.save_as(path)
    return path


def test_every_display_attribute_is_read_from_the_header(tmp_path):
    pixels = np.arange(64 * 48, dtype=np.uint16).reshape(64, 48) % 4096
    voi = Dataset()
    voi.LUTDescriptor = [4, 100, 8]
    voi.LUTData = [0, 80, 160, 255]
    voi.LUTExplanation = "BONE"
    modality = Dataset()
    modality.LUTDescriptor = [3, 0, 12]
    modality.LUTData = [10, 20, 30]
    modality.LUTExplanation = "OD"
    path = _write(
        tmp_path / "a.dcm",
        pixels,
        WindowCenter=[2048, 1000],
        WindowWidth=[4096, 500],
        WindowCenterWidthExplanation=["FULL", "BONE"],
        VOILUTFunction="SIGMOID",
        VOILUTSequence=[voi],
        ModalityLUTSequence=[modality],
        PresentationLUTShape="INVERSE",
        PixelPaddingValue=0,
        PixelPaddingRangeLimit=5,
        PhotometricInterpretation="MONOCHROME1",
    )
    attrs = read_image(path).display
    assert attrs.photometric == "MONOCHROME1" and attrs.bits_stored == 12
    # Explanations are free text (issue 18: a referrer's name and a date reached raters): not kept.
    assert [(w.center, w.width, w.explanation) for w in attrs.windows] == [(2048, 4096, ""), (1000, 500, "")]
    assert attrs.voi_lut_function == "SIGMOID"
    assert attrs.voi_luts[0].first_mapped == 100 and attrs.voi_luts[0].data == (0, 80, 160, 255)
    assert attrs.voi_luts[0].explanation == ""
    assert attrs.modality_lut.data == (10, 20, 30) and attrs.modality_lut.bits == 12
    assert attrs.presentation_lut_shape == "INVERSE"
    assert (attrs.pixel_padding_value, attrs.pixel_padding_range_limit) == (0, 5)
    assert attrs.pixel_spacing_mm == pytest.approx(0.15)
    assert DisplayAttributes.from_dict(attrs.to_dict()) == attrs


def test_signed_pixels_are_stored_unsigned_with_the_shift_in_the_rescale(tmp_path):
    pixels = (np.arange(40 * 32, dtype=np.int16).reshape(40, 32) - 600)
    path = _write(tmp_path / "s.dcm", np.zeros((40, 32), np.uint16), PixelRepresentation=1, RescaleIntercept=-1000,
                  PixelPaddingValue=-600)
    ds = pydicom.dcmread(path)
    ds.PixelData = pixels.astype("<i2").tobytes()
    ds.save_as(path)
    image = read_image(path)
    attrs = image.display
    restored = image.pixels.astype(np.float64) * attrs.rescale_slope + attrs.rescale_intercept
    assert np.allclose(restored, pixels.astype(np.float64) - 1000)
    assert attrs.pixel_padding_value - attrs.extra["signed_offset"] == -600


def test_unused_high_bits_are_masked(tmp_path):
    pixels = np.full((40, 32), 0xF123, dtype=np.uint16)  # high nibble: overlay bits or noise
    path = _write(tmp_path / "h.dcm", pixels)
    assert int(read_image(path).pixels.max()) == 0x123


@pytest.mark.parametrize("photometric,inverse,expected", [("MONOCHROME2", False, 0), ("MONOCHROME1", False, 4095),
                                                          ("MONOCHROME2", True, 4095)])
def test_black_is_the_value_the_display_shows_black(photometric, inverse, expected):
    attrs = DisplayAttributes(photometric=photometric, bits_stored=12, presentation_lut_shape="INVERSE" if inverse else "IDENTITY")
    assert black_value(attrs, np.dtype(np.uint16)) == expected


def test_template_and_per_image_redaction_mask_stored_pixels(study, tmp_path):
    src = tmp_path / "src"
    rng = np.random.default_rng(8)
    _write(src / "ap.dcm", rng.integers(100, 3000, (64, 48), dtype=np.uint16), "AP", PhotometricInterpretation="MONOCHROME1")
    _write(src / "lat.dcm", rng.integers(100, 3000, (64, 48), dtype=np.uint16), "LAT")
    import_images(study, [src], key_file=tmp_path / "key.csv")
    with study.db.read() as session:
        images = {i.view: (i.id, i.photometric, i.storage_key) for c in queries.cases(session) for i in c.images}
        record = queries.image_deidentification(session, images["AP"][0])
        assert record.patient_identity_removed == "YES" and "PS3.15" in record.method
    key = template_key(record.device, 48, 64)
    assert set_template(study, key, [[0, 0, 10, 5]]) == 2
    redact_image(study, images["LAT"][0], [[40, 60, 20, 20]])  # clipped to the image
    with study.db.read() as session:
        rows = {i.view: i for c in queries.cases(session) for i in c.images}
        ap = study.images.load(rows["AP"].storage_key, rows["AP"].file_sha256)
        lat = study.images.load(rows["LAT"].storage_key, rows["LAT"].file_sha256)
        lat_record = queries.image_deidentification(session, rows["LAT"].id)
    assert (ap[:5, :10] == 4095).all() and (ap[5:, :] != 4095).any()  # MONOCHROME1: high is black
    assert (lat[:5, :10] == 0).all() and (lat[60:, 40:] == 0).all()  # MONOCHROME2: low is black
    assert lat_record.redactions["rects"] == [[0, 0, 10, 5], [40, 60, 20, 20]]
    # The unmasked files are gone: only masked pixels remain in the store.
    assert len([p for p in study.images.root.rglob("*") if p.is_file()]) == 2
    # A later import of the same device and size is masked on the way in.
    _write(src / "later.dcm", rng.integers(100, 3000, (64, 48), dtype=np.uint16), "AP", patient="MRN32")
    import_images(study, [src / "later.dcm"], key_file=tmp_path / "key.csv")
    with study.db.read() as session:
        newest = max((i for c in queries.cases(session) for i in c.images), key=lambda i: i.id)
        pixels = study.images.load(newest.storage_key, newest.file_sha256)
    assert (pixels[:5, :10] == 0).all()


def test_png_text_chunks_and_jpeg_exif_never_reach_the_study(study, tmp_path):
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    from factories import write_manifest

    src = tmp_path / "src"
    src.mkdir()
    info = PngInfo()
    info.add_text("Comment", "Patient SMITHERSON^JOHN born 1950-02-03")
    Image.fromarray(np.random.default_rng(1).integers(0, 65535, (40, 32), dtype=np.uint16)).save(src / "SMITHERSON_ap.png", pnginfo=info)
    exif = Image.Exif()
    exif[0x010E] = "SMITHERSON^JOHN hip"  # ImageDescription
    Image.fromarray(np.random.default_rng(2).integers(0, 255, (40, 32), dtype=np.uint8)).save(src / "SMITHERSON_lat.jpg", exif=exif)
    manifest = write_manifest(tmp_path / "m.csv", [("SMITHERSON_ap.png", "P1", "day1", "AP"), ("SMITHERSON_lat.jpg", "P1", "day1", "LAT")])
    from rushrater.services.imports import import_manifest

    assert import_manifest(study, src, manifest).imported == 2
    for path in study.root.rglob("*"):
        assert "SMITHERSON" not in path.name.upper()
        if path.is_file():
            assert b"SMITHERSON" not in path.read_bytes().upper(), path
