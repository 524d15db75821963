"""Synthetic hip radiographs: pixel format, determinism, anatomy, fracture healing, validation."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from rushrater.imaging.synthetic import (
    DEFAULT_SHAPE,
    VIEWS,
    fracture_line_segment,
    hip_geometry,
    render_hip_radiograph,
)

SMALL = (320, 256)
TOP = (1 << 12) - 1


def _render(view: str, healing: float, seed: int = 3, shape=SMALL, bits: int = 12) -> np.ndarray:
    return render_hip_radiograph(view, healing, seed=seed, shape=shape, bits_stored=bits)


def _disc_mean(img: np.ndarray, point, radius: float) -> float:
    rows, cols = np.ogrid[: img.shape[0], : img.shape[1]]
    mask = (rows - point[0]) ** 2 + (cols - point[1]) ** 2 <= radius**2
    assert mask.any(), f"sample disc at {point} is outside the image"
    return float(img[mask].mean())


def _fracture_dip(img: np.ndarray, segment, top: int = TOP) -> float:
    """How much darker the fracture line is than the bone either side, as a fraction of range.

    Profiles are taken across the segment at many positions along it; positions whose profile
    touches the (saturated) implant or the edge-enhancement halo around it are skipped.
    """
    (r0, c0), (r1, c1) = segment
    length = math.hypot(r1 - r0, c1 - c0)
    t = np.array([r1 - r0, c1 - c0]) / length
    n = np.array([-t[1], t[0]])
    half = max(5.0, 0.07 * length)
    along = np.linspace(0.08 * length, 0.92 * length, 60)
    across = np.linspace(-half, half, 33)
    rr = r0 + along[:, None] * t[0] + across[None, :] * n[0]
    cc = c0 + along[:, None] * t[1] + across[None, :] * n[1]
    values = ndimage.map_coordinates(img.astype(np.float64), [rr, cc], order=1)
    metal = ndimage.binary_dilation(img >= 0.97 * top, iterations=2)
    blocked = ndimage.map_coordinates(metal.astype(np.float64), [rr, cc], order=0).any(axis=1)
    assert (~blocked).sum() >= 3, "the implant hides the whole fracture line"
    profile = values[~blocked].mean(axis=0)
    centre = profile[np.abs(across) <= 0.3 * half].mean()
    sides = profile[np.abs(across) >= 0.6 * half].mean()
    return float((sides - centre) / top)


# -- pixel format -------------------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("healing", [0.0, 0.5, 1.0])
def test_small_image_is_uint16_of_the_requested_shape_within_12_bits(view, healing):
    img = _render(view, healing)
    assert img.dtype == np.uint16
    assert img.shape == SMALL
    assert int(img.max()) <= TOP
    # The whole range is used: dark air, saturated implant.
    assert int(img.min()) < 0.15 * TOP
    assert int(img.max()) >= 0.97 * TOP


@pytest.mark.parametrize("bits", [8, 10, 16])
def test_bits_stored_bounds_the_values(bits):
    img = _render("AP", 0.3, bits=bits)
    assert img.dtype == np.uint16
    assert int(img.max()) <= (1 << bits) - 1
    assert int(img.max()) >= 0.97 * ((1 << bits) - 1)


@pytest.mark.parametrize("shape", [(256, 200), (200, 400), (333, 251)])
def test_other_shapes_render_with_proportional_geometry(shape):
    img = render_hip_radiograph("LAT", 0.4, seed=5, shape=shape)
    assert img.shape == shape and img.dtype == np.uint16
    geo, ref = hip_geometry("LAT", shape, 5), hip_geometry("LAT", DEFAULT_SHAPE, 5)
    scale = min(shape[0] / DEFAULT_SHAPE[0], shape[1] / DEFAULT_SHAPE[1])
    assert geo.head_radius == pytest.approx(ref.head_radius * scale, rel=1e-6)
    assert geo.pixel_spacing_mm == pytest.approx(ref.pixel_spacing_mm / scale, rel=1e-6)
    # The head lies inside the image at every shape.
    r, c = geo.head_center
    assert 0 < r < shape[0] and 0 < c < shape[1]


def test_default_size_renders_both_views_and_shows_the_fracture():
    for view in VIEWS:
        day1 = render_hip_radiograph(view, 0.0, seed=11)
        united = render_hip_radiograph(view, 1.0, seed=11)
        assert day1.shape == DEFAULT_SHAPE == united.shape
        assert day1.dtype == np.uint16 and int(day1.max()) <= TOP
        segment = fracture_line_segment(view, DEFAULT_SHAPE, 11)
        assert _fracture_dip(day1, segment) > 0.08
        assert _fracture_dip(united, segment) < 0.03


# -- determinism and variation ------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_same_seed_and_arguments_give_identical_pixels(view):
    a = _render(view, 0.37, seed=42)
    b = _render(view, 0.37, seed=42)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("view", VIEWS)
def test_different_seeds_give_different_patients(view):
    a = _render(view, 0.5, seed=1).astype(np.float64)
    b = _render(view, 0.5, seed=2).astype(np.float64)
    assert np.abs(a - b).mean() > 0.02 * TOP
    assert hip_geometry(view, SMALL, 1) != hip_geometry(view, SMALL, 2)


def test_ap_and_lateral_views_differ_substantially():
    for seed in (1, 2):
        ap = _render("AP", 0.5, seed=seed).astype(np.float64)
        lat = _render("LAT", 0.5, seed=seed).astype(np.float64)
        assert np.abs(ap - lat).mean() > 0.05 * TOP
        assert np.corrcoef(ap.ravel(), lat.ravel())[0, 1] < 0.8
        g_ap, g_lat = hip_geometry("AP", SMALL, seed), hip_geometry("LAT", SMALL, seed)
        assert g_ap.fracture_line != g_lat.fracture_line


# -- anatomy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_bone_is_brighter_than_soft_tissue_which_is_brighter_than_air(view, seed):
    img = _render(view, 0.5, seed=seed).astype(np.float64)
    geo = hip_geometry(view, SMALL, seed)
    radius = max(1.0, 0.3 * geo.shaft_cortex)
    bone = _disc_mean(img, geo.bone_point, radius)
    soft = _disc_mean(img, geo.soft_tissue_point, 3.0)
    air = _disc_mean(img, geo.air_point, 2.0)
    assert bone > soft + 0.08 * TOP
    assert soft > air + 0.1 * TOP
    assert air < 0.15 * TOP


@pytest.mark.parametrize("view", VIEWS)
def test_the_shaft_is_a_tube_with_bright_cortices_and_a_darker_canal(view):
    img = _render(view, 0.5, seed=4).astype(np.float64)
    geo = hip_geometry(view, SMALL, 4)
    # shaft_axis ends level with bone_point, below the plate
    (r_j, c_j), (r_b, c_b) = geo.shaft_axis
    axis = np.array([r_b - r_j, c_b - c_j]) / math.hypot(r_b - r_j, c_b - c_j)
    normal = np.array([-axis[1], axis[0]])
    centre = np.array([r_b, c_b])
    across = np.linspace(-1.3 * geo.shaft_radius, 1.3 * geo.shaft_radius, 81)
    pts = centre[:, None] + normal[:, None] * across[None, :]
    profile = ndimage.map_coordinates(img, pts, order=1)
    canal = profile[np.abs(across) < 0.3 * geo.shaft_radius].mean()
    walls = [profile[(s * across > 0.6 * geo.shaft_radius) & (s * across < geo.shaft_radius)].max() for s in (-1, 1)]
    outside = profile[np.abs(across) > 1.15 * geo.shaft_radius].mean()
    assert min(walls) > canal + 0.03 * TOP
    assert canal > outside


def test_landmarks_sit_where_the_anatomy_puts_them():
    for view in VIEWS:
        geo = hip_geometry(view, DEFAULT_SHAPE, 9)
        assert geo.head_center[0] < DEFAULT_SHAPE[0] / 2
        assert 60 < geo.head_radius < 110
        (r_a, c_a), (r_b, c_b) = geo.fracture_line
        # the fracture lies below the head and spans a bone-sized stretch
        assert min(r_a, r_b) > geo.head_center[0]
        assert 1.0 * geo.shaft_radius < math.hypot(r_b - r_a, c_b - c_a) < 6.0 * geo.shaft_radius


# -- fracture and healing -----------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_fracture_line_is_a_clear_dip_on_day_1_and_fades_when_united(view, seed):
    segment = fracture_line_segment(view, SMALL, seed)
    assert segment == hip_geometry(view, SMALL, seed).fracture_line
    fresh = _fracture_dip(_render(view, 0.0, seed=seed), segment)
    month = _fracture_dip(_render(view, 0.6, seed=seed), segment)
    united = _fracture_dip(_render(view, 1.0, seed=seed), segment)
    assert fresh > 0.07
    assert united < 0.35 * fresh
    assert united < 0.03
    assert united < month < fresh


@pytest.mark.parametrize("view", VIEWS)
def test_day_1_and_month_1_differ_visibly_around_the_fracture(view):
    seed = 6
    geo = hip_geometry(view, SMALL, seed)
    day1 = _render(view, 0.05, seed=seed).astype(np.float64)
    month1 = _render(view, 0.6, seed=seed).astype(np.float64)
    (r_a, c_a), (r_b, c_b) = geo.fracture_line
    pad = 4.0 * geo.shaft_cortex
    r0, r1 = int(min(r_a, r_b) - pad), int(max(r_a, r_b) + pad)
    c0, c1 = int(min(c_a, c_b) - pad), int(max(c_a, c_b) + pad)
    region = (slice(max(r0, 0), r1), slice(max(c0, 0), c1))
    metal = (day1[region] >= 0.97 * TOP) | (month1[region] >= 0.97 * TOP)
    change = np.abs(month1[region] - day1[region])[~metal]
    assert change.mean() > 0.02 * TOP
    # Callus: the bone outline at the fracture gains bright new bone outside the cortex.
    gains = []
    for end in ((r_a, c_a), (r_b, c_b)):
        gains.append(_disc_mean(month1, end, 0.9 * geo.shaft_cortex) - _disc_mean(day1, end, 0.9 * geo.shaft_cortex))
    assert max(gains) > 0.04 * TOP


def test_the_patient_is_the_same_at_every_healing_stage():
    seed, view = 8, "AP"
    day1 = _render(view, 0.0, seed=seed).astype(np.float64)
    united = _render(view, 1.0, seed=seed).astype(np.float64)
    geo = hip_geometry(view, SMALL, seed)
    # Away from the fracture (the distal shaft and the soft tissue) nothing but noise changes.
    for point in (geo.bone_point, geo.soft_tissue_point, geo.air_point):
        assert abs(_disc_mean(united, point, 3.0) - _disc_mean(day1, point, 3.0)) < 0.02 * TOP


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["PA", "lat", "lateral", "", None, 3])
def test_unknown_view_is_rejected_naming_the_allowed_values(view):
    with pytest.raises(ValueError, match="AP.*LAT"):
        render_hip_radiograph(view, 0.5, seed=1, shape=SMALL)
    with pytest.raises(ValueError, match="AP.*LAT"):
        fracture_line_segment(view, SMALL, 1)


@pytest.mark.parametrize("healing", [-0.01, 1.01, float("nan"), float("inf"), "half", None])
def test_healing_outside_0_to_1_is_rejected(healing):
    with pytest.raises(ValueError, match="healing"):
        render_hip_radiograph("AP", healing, seed=1, shape=SMALL)


@pytest.mark.parametrize("kwargs", [{"shape": (10, 10)}, {"shape": (100,)}, {"bits_stored": 7},
                                    {"bits_stored": 17}, {"seed": -1}])
def test_other_bad_arguments_are_rejected(kwargs):
    args = {"seed": 1, "shape": SMALL} | kwargs
    with pytest.raises(ValueError):
        render_hip_radiograph("AP", 0.5, **args)


def test_healing_bounds_are_accepted():
    for healing in (0, 1, 0.0, 1.0, np.float32(0.5)):
        assert _render("AP", healing).shape == SMALL


def test_module_does_not_import_qt():
    code = (
        "import sys, rushrater.imaging.synthetic\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
