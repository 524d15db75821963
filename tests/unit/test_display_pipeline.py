"""The grayscale display pipeline: each step against hand-computed values, pydicom's own test files
(read and converted by pydicom as the independent reference) and synthetic radiographs."""

from __future__ import annotations

import numpy as np
import pytest

from rushrater.imaging.attributes import DisplayAttributes, LookupTable, Window
from rushrater.imaging.display import DisplayPipeline, downsample, pyramid
from rushrater.imaging.synthetic import render_hip_radiograph


def _px(*values, dtype=np.uint16) -> np.ndarray:
    return np.asarray([values], dtype=dtype)


def _show(attrs: DisplayAttributes, pixels: np.ndarray, window=None, **kw) -> list[int]:
    pipeline = DisplayPipeline(attrs, pixels.dtype)
    return pipeline.apply(pixels, pipeline.lut(window, **kw)).ravel().tolist()


# -- step by step, hand-computed -------------------------------------------------------------------


def test_linear_window_follows_the_dicom_formula():
    # c=100, w=21: black at or below 99.5 - 10 = 89.5, white above 109.5,
    # x=100 -> ((100 - 99.5) / 20 + 0.5) * 255 = 133.875 -> 134.
    attrs = DisplayAttributes(bits_stored=12, windows=(Window(100, 21),))
    # x=90: (90 - 99.5) / 20 + 0.5 = 0.025 -> 6.375 -> 6; x=109: 0.975 -> 248.6 -> 249
    assert _show(attrs, _px(89, 90, 100, 109, 110)) == [0, 6, 134, 249, 255]


def test_linear_exact_and_sigmoid_functions():
    exact = DisplayAttributes(bits_stored=12, windows=(Window(100, 20),), voi_lut_function="LINEAR_EXACT")
    # x<=90 black; x=105 -> (5/20+0.5)*255 = 191.25; x=110 is c+w/2, not above it -> 255
    assert _show(exact, _px(90, 100, 105, 110, 111)) == [0, 128, 191, 255, 255]
    sigmoid = DisplayAttributes(bits_stored=12, windows=(Window(100, 40),), voi_lut_function="SIGMOID")
    # y = 255 / (1 + exp(-4 (x - c) / w)): x=120 -> 255 / (1 + e^-2) = 224.6
    assert _show(sigmoid, _px(100, 120, 80)) == [128, 225, 30]


def test_unused_high_bits_are_masked():
    attrs = DisplayAttributes(bits_stored=12, windows=(Window(2048, 4096),))
    clean = _show(attrs, _px(0x0100, 0x0FFF))
    assert _show(attrs, _px(0xF100, 0xAFFF)) == clean


def test_signed_values_are_sign_extended_from_bits_stored():
    attrs = DisplayAttributes(bits_stored=12, windows=(Window(0, 4),), voi_lut_function="LINEAR_EXACT")
    # 0x0FFF in 12 bits is -1: (-1 - 0) / 4 + 0.5 = 0.25 -> 63.75 -> 64; +1 -> 0.75 -> 191.25 -> 191
    pixels = np.asarray([[0x0FFF, 0x0001, 0]], dtype=np.uint16).view(np.int16)
    assert _show(attrs, pixels) == [64, 191, 128]


def test_rescale_is_applied_before_the_window():
    # 150 * 2 - 100 = 200 = the window centre -> mid grey
    attrs = DisplayAttributes(bits_stored=12, rescale_slope=2.0, rescale_intercept=-100.0,
                              windows=(Window(200, 100),), voi_lut_function="LINEAR_EXACT")
    assert _show(attrs, _px(150, 125, 175)) == [128, 0, 255]


def test_modality_lut_sequence_replaces_rescale():
    table = LookupTable(first_mapped=10, bits=8, data=(0, 100, 200))
    attrs = DisplayAttributes(bits_stored=8, rescale_slope=5.0, modality_lut=table,
                              windows=(Window(100, 200),), voi_lut_function="LINEAR_EXACT")
    # stored 5 (below first mapped) -> 0; 11 -> 100; 50 (past the end) -> 200
    assert _show(attrs, _px(5, 11, 50, dtype=np.uint8)) == [0, 128, 255]


def test_voi_lut_sequence_is_used_instead_of_the_window():
    voi = LookupTable(first_mapped=0, bits=8, data=tuple(range(255, -1, -1)))  # a reversing ramp
    attrs = DisplayAttributes(bits_stored=8, windows=(Window(128, 256),), voi_luts=(voi,))
    assert _show(attrs, _px(0, 255, 300 % 256, dtype=np.uint8)) == [255, 0, 255 - 44]
    # A window preset can still be chosen explicitly.
    assert _show(attrs, _px(0, 255, dtype=np.uint8), Window(128, 256)) == [0, 255]


@pytest.mark.parametrize(
    "photometric, shape, expected",
    [
        ("MONOCHROME2", "IDENTITY", [0, 255]),
        ("MONOCHROME1", "IDENTITY", [255, 0]),
        ("MONOCHROME2", "INVERSE", [255, 0]),
        ("MONOCHROME1", "INVERSE", [255, 0]),  # both say "low is white": inverted once, not twice
    ],
)
def test_inversion_happens_exactly_once(photometric, shape, expected):
    attrs = DisplayAttributes(photometric=photometric, presentation_lut_shape=shape, bits_stored=12,
                              windows=(Window(2048, 4096),))
    assert _show(attrs, _px(0, 4095)) == expected
    # The reader's invert button flips it back.
    assert _show(attrs, _px(0, 4095), invert=True) == expected[::-1]


def test_padding_is_left_out_of_the_automatic_window():
    rng = np.random.default_rng(1)
    pixels = rng.integers(1000, 2001, size=(400, 400), dtype=np.uint16)
    pixels[:, :200] = 0  # a black border as wide as the anatomy
    with_padding = DisplayPipeline(DisplayAttributes(bits_stored=12, pixel_padding_value=0), np.uint16)
    window = with_padding.auto_window(pixels)
    assert 1000 <= window.center - window.width / 2 <= 1010
    assert 1990 <= window.center + window.width / 2 <= 2000
    without = DisplayPipeline(DisplayAttributes(bits_stored=12), np.uint16)
    assert without.auto_window(pixels).center - without.auto_window(pixels).width / 2 == 0
    # A padding range (value .. range limit) is left out as a whole.
    pixels[:, :100] = 5
    ranged = DisplayPipeline(DisplayAttributes(bits_stored=12, pixel_padding_value=0,
                                               pixel_padding_range_limit=10), np.uint16)
    assert ranged.auto_window(pixels).center - ranged.auto_window(pixels).width / 2 >= 1000


def test_presets_are_the_file_windows_then_bone_and_auto():
    pixels = render_hip_radiograph("AP", 0.5, seed=2, shape=(320, 256))
    attrs = DisplayAttributes(bits_stored=12, windows=(Window(2000, 3000, "NORMAL"), Window(2500, 1200)))
    pipeline = DisplayPipeline(attrs, pixels.dtype)
    presets = pipeline.presets(pixels)
    assert [p.key for p in presets] == ["file-1", "file-2", "bone", "auto"]
    # Numbered, never the file's own explanation (free text that has named people: issue 18).
    assert presets[0].label == "File window 1" and presets[0].window == Window(2000, 3000)
    assert pipeline.default_window(pixels) == attrs.windows[0]
    bone, auto = presets[2].window, presets[3].window
    assert bone.width < auto.width and bone.center > auto.center  # narrower, over the bright part


def test_no_file_window_gives_a_percentile_window():
    pixels = render_hip_radiograph("LAT", 0.2, seed=5, shape=(320, 256))
    pipeline = DisplayPipeline(DisplayAttributes(bits_stored=12), pixels.dtype)
    shown = pipeline.render(pixels, pipeline.default_window(pixels))
    # About 0.5 % of the pixels black and white (more white where metal saturates the detector):
    # the whole grey scale is used and little is crushed.
    assert 0.002 < (shown == 0).mean() < 0.02
    assert 0.002 < (shown == 255).mean() < 0.05
    assert len(np.unique(shown)) > 200


def test_monochrome1_radiograph_looks_the_same_as_its_monochrome2_twin():
    mono2 = render_hip_radiograph("AP", 0.8, seed=4, shape=(320, 256))
    mono1 = (4095 - mono2).astype(np.uint16)
    p2 = DisplayPipeline(DisplayAttributes(bits_stored=12), np.uint16)
    p1 = DisplayPipeline(DisplayAttributes(bits_stored=12, photometric="MONOCHROME1"), np.uint16)
    shown2 = p2.render(mono2, p2.auto_window(mono2))
    shown1 = p1.render(mono1, p1.auto_window(mono1))
    assert np.abs(shown1.astype(int) - shown2.astype(int)).max() <= 1
    # and bone is bright in both: the femoral shaft is brighter than the soft-tissue corner
    assert shown1[160, 128] > shown1[5, 5]


def test_pyramid_levels_are_block_means():
    pixels = np.asarray([[0, 1, 10, 10], [2, 3, 10, 10]], dtype=np.uint16)
    assert downsample(pixels).tolist() == [[2, 10]]  # (0+1+2+3+2)//4 = 2
    levels = pyramid(np.zeros((3000, 2500), np.uint16), smallest_side=384)
    assert [lv.shape for lv in levels] == [(3000, 2500), (1500, 1250), (750, 625)]


# -- pydicom's bundled files, converted by pydicom as the reference -------------------------------

pydicom = pytest.importorskip("pydicom")
from pydicom.data import get_testdata_file  # noqa: E402


def _dataset(name: str):
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"pydicom test file {name} is not bundled with this pydicom")
    return pydicom.dcmread(path)


def _attributes(ds) -> DisplayAttributes:
    """What an importer keeps from the header (built here by hand, independently of the importer)."""
    def values(name):
        value = ds.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, pydicom.multival.MultiValue) else [value]

    names = values("WindowCenterWidthExplanation")
    windows = tuple(
        Window(float(c), float(w), str(names[i]) if i < len(names) else "")
        for i, (c, w) in enumerate(zip(values("WindowCenter"), values("WindowWidth")))
    )
    return DisplayAttributes(
        photometric=str(ds.PhotometricInterpretation),
        bits_stored=int(ds.BitsStored),
        rescale_slope=float(ds.get("RescaleSlope", 1) or 1),
        rescale_intercept=float(ds.get("RescaleIntercept", 0) or 0),
        windows=windows,
        voi_lut_function=str(ds.get("VOILUTFunction", "LINEAR") or "LINEAR"),
        pixel_padding_value=int(ds.PixelPaddingValue) if "PixelPaddingValue" in ds else None,
    )


def _pydicom_display(ds, pixels: np.ndarray, index: int = 0) -> np.ndarray:
    """pydicom's modality LUT + windowing, rescaled from its output range to 0..255."""
    from pydicom.pixels import apply_modality_lut, apply_windowing

    values = apply_modality_lut(pixels, ds)
    shown = apply_windowing(values.astype(np.float64), ds, index=index)
    # pydicom maps onto the stored value range; find its ends by windowing two extreme values
    ends = apply_windowing(np.asarray([-1e12, 1e12]), ds, index=index)
    return (shown - ends[0]) / (ends[1] - ends[0]) * 255.0


@pytest.mark.parametrize(
    "name, index",
    [
        ("MR_small.dcm", 0),  # signed 16-bit, one window
        ("examples_overlay.dcm", 0),  # 12 of 16 bits, two windows, an overlay (ignored)
        ("examples_overlay.dcm", 1),
        ("693_J2KI.dcm", 0),  # JPEG 2000, 14 of 16 bits signed, rescale + window, padding value
    ],
)
def test_matches_pydicom_on_its_test_files(name, index):
    ds = _dataset(name)
    try:
        pixels = ds.pixel_array
    except Exception as exc:  # a decoder missing on this machine
        pytest.skip(f"pydicom cannot decode {name} here: {exc}")
    attrs = _attributes(ds)
    pipeline = DisplayPipeline(attrs, pixels.dtype)
    window = attrs.windows[index]
    ours = pipeline.apply(pixels, pipeline.lut(window)).astype(float)
    reference = _pydicom_display(ds, pixels, index)
    assert np.abs(ours - reference).max() <= 1.0
    assert ours.std() > 10  # a real image, not a flat field


def test_ct_padding_value_is_left_out_of_statistics():
    ds = _dataset("CT_small.dcm")  # Pixel Padding Value -2000, rescale intercept -1024
    pixels = ds.pixel_array.copy()
    pixels[:8, :] = -2000  # a padded band, as a scanner writes outside the field of view
    ds.PixelData = pixels.tobytes()
    attrs = _attributes(ds)
    assert attrs.pixel_padding_value == -2000
    window = DisplayPipeline(attrs, pixels.dtype).auto_window(pixels)
    real = pixels[8:].astype(float) - 1024
    assert window.center - window.width / 2 >= np.percentile(real, 0.2) - 1
    unpadded = DisplayPipeline(DisplayAttributes(bits_stored=16, rescale_intercept=-1024), pixels.dtype)
    assert unpadded.auto_window(pixels).center - unpadded.auto_window(pixels).width / 2 == -3024
