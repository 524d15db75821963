"""DRR projector: analytic line integrals, orientation from the CT's geometry, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from factories import lps_phantom

from rushrater.imaging import drr
from rushrater.imaging.drr import DrrInputError, DrrParameters

MU = drr.MU_WATER_PER_MM


def _sphere(radius, centre):
    cx, cy, cz = centre

    def world(x, y, z):
        return np.where((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 <= radius**2, 0.0, -1000.0)

    return world


def _cylinder(radius, centre):
    cx, cy, _ = centre

    def world(x, y, z):
        return np.where((x - cx) ** 2 + (y - cy) ** 2 <= radius**2, 0.0, -1000.0)

    return world


N, S, R = 64, 2.0, 40.0  # voxels a side, mm per voxel, radius (mm)
CENTRE = ((N - 1) * S / 2,) * 3  # the volume's centre in LPS (corner at 0)


@pytest.fixture(scope="module")
def sphere():
    return lps_phantom(_sphere(R, CENTRE), (N, N, N), (S, S, S), supersample=4)


@pytest.fixture(scope="module")
def cylinder():
    return lps_phantom(_cylinder(R, CENTRE), (N, N, N), (S, S, S), supersample=4)


def _centred(n, pixel):
    return (np.arange(n) - (n - 1) / 2.0) * pixel


def test_parallel_sphere_line_integrals_match_the_chord(sphere):
    image = drr.project(sphere, "frontal", DrrParameters()).line_integral / MU
    v, u = np.meshgrid(_centred(image.shape[0], S), _centred(image.shape[1], S), indexing="ij")
    b2 = u**2 + v**2
    inside = b2 <= (0.9 * R) ** 2
    chord = 2 * np.sqrt(R**2 - b2[inside])
    assert np.max(np.abs(image[inside] - chord) / chord) < 0.01
    assert np.all(image[b2 > (R + 2 * S) ** 2] < 0.01)  # air outside the sphere adds nothing


def test_parallel_cylinder_all_views(cylinder):
    frontal = drr.project(cylinder, "frontal").line_integral / MU
    u = _centred(frontal.shape[1], S)
    inside = np.abs(u) <= 0.9 * R
    chord = 2 * np.sqrt(R**2 - u[inside] ** 2)
    for row in frontal:  # the same chord on every row (the axis runs head-feet)
        assert np.max(np.abs(row[inside] - chord) / chord) < 0.01
    axial = drr.project(cylinder, "axial").line_integral / MU
    v, u = np.meshgrid(_centred(N, S), _centred(N, S), indexing="ij")
    disc = u**2 + v**2 <= (0.95 * R) ** 2
    assert np.allclose(axial[disc], N * S, rtol=0.01)  # along the axis: the whole length


@pytest.mark.parametrize("view", ["frontal", "lateral", "axial"])
def test_cone_sphere_line_integrals_match_the_chord(sphere, view):
    sid = 600.0
    result = drr.project(sphere, view, DrrParameters(geometry="cone", sid_mm=sid))
    geometry = result.geometry
    sod = geometry["sod_mm"]
    assert result.magnification == pytest.approx(sid / sod)
    assert result.detector_pixel_mm == pytest.approx(result.pixel_mm * result.magnification)
    image = result.line_integral / MU
    V, U = np.meshgrid(_centred(image.shape[0], result.detector_pixel_mm), _centred(image.shape[1], result.detector_pixel_mm), indexing="ij")
    rho = np.sqrt(U**2 + V**2)
    b = sod * rho / np.sqrt(sid**2 + rho**2)  # distance of each ray from the sphere's centre
    # Rays more than 3 voxels inside the rim: nearer it, bilinear sampling of the magnified planes
    # blurs the edge (-0.5 % at 0.85-0.9 R, a few % in the last two voxels).
    inside = b <= 0.85 * R
    chord = 2 * np.sqrt(R**2 - b[inside] ** 2)
    assert inside.sum() > 500
    assert np.max(np.abs(image[inside] - chord) / chord) < 0.01
    # Magnified: the sphere's shadow is wider on the detector than the sphere.
    shadow = (image > 1.0).sum(axis=1).max() * result.detector_pixel_mm
    assert shadow > 2 * R * 1.05


def test_cone_cylinder_frontal(cylinder):
    sid = 800.0
    result = drr.project(cylinder, "frontal", DrrParameters(geometry="cone", sid_mm=sid))
    sod = result.geometry["sod_mm"]
    image = result.line_integral / MU
    V, U = np.meshgrid(_centred(image.shape[0], result.detector_pixel_mm), _centred(image.shape[1], result.detector_pixel_mm), indexing="ij")
    b = sod * np.abs(U) / np.sqrt(sid**2 + U**2)
    central = (np.abs(V) < 20.0) & (b <= 0.85 * R)  # rays that stay inside the cylinder's length
    chord = 2 * np.sqrt(R**2 - b[central] ** 2) * np.sqrt(sid**2 + U[central] ** 2 + V[central] ** 2) / np.sqrt(sid**2 + U[central] ** 2)
    assert np.max(np.abs(image[central] - chord) / chord) < 0.01


def test_bone_boost_weights_only_voxels_above_the_threshold():
    def world(x, y, z):
        return np.where(np.abs(x - 30) < 10, 1000.0, 0.0)  # a bone slab in water

    volume = lps_phantom(world, (12, 12, 30), (2.0, 2.0, 2.0))
    plain = drr.project(volume, "frontal").line_integral
    boosted = drr.project(volume, "frontal", DrrParameters(bone_boost=1.0)).line_integral

    def column(img, x):
        return img[5, int(round(x / 2.0))]

    assert column(boosted, 10) == pytest.approx(column(plain, 10))  # water: unchanged
    assert column(boosted, 30) == pytest.approx(2 * column(plain, 30), rel=1e-5)


# --- orientation ------------------------------------------------------------------------------

# A body (water box) with three bone markers: on the patient's left, near the head and anterior.
LEFT, HEAD, FRONT = (70.0, 50.0, 30.0), (50.0, 50.0, 70.0), (30.0, 20.0, 30.0)


def _markers(x, y, z):
    hu = np.where((x > 10) & (x < 90) & (y > 10) & (y < 90) & (z > 5) & (z < 80), 0.0, -1000.0)
    for cx, cy, cz in (LEFT, HEAD, FRONT):
        hu = np.where((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 <= 36.0, 1500.0, hu)
    return hu


def _grid(orientation):
    """The 100 × 100 × 90 mm box (LPS 0..100) sampled with a given orientation: corner is the
    first slice's first voxel, wherever the axes point."""
    row_dir, col_dir = np.array(orientation[:3], float), np.array(orientation[3:], float)
    normal = np.cross(row_dir, col_dir)
    corner = np.zeros(3)
    for direction, extent in ((row_dir, 98.0), (col_dir, 98.0), (normal, 87.0)):
        corner += np.where(direction < 0, extent, 0.0) * np.abs(direction)
    return lps_phantom(_markers, (30, 50, 50), (3.0, 2.0, 2.0), orientation=orientation, corner=corner)


ORIENTATIONS = {
    "head-first supine": (1, 0, 0, 0, 1, 0),
    "rows flipped (prone-like)": (-1, 0, 0, 0, -1, 0),
    "feet-first (normal to the feet)": (1, 0, 0, 0, -1, 0),
    "columns along y (transposed)": (0, 1, 0, 1, 0, 0),
}


def _spot(image):
    """(row, column) of the brightest pixel, as fractions of the height and width."""
    r, c = np.unravel_index(int(np.argmax(image)), image.shape)
    return r / (image.shape[0] - 1), c / (image.shape[1] - 1)


def _spots(volume, view, side="right"):
    """Row/column fractions of each marker: project it alone (the others removed)."""
    out = {}
    params = DrrParameters(side=side)
    base = drr.project(volume, view, params).line_integral
    for name, marker in (("left", LEFT), ("head", HEAD), ("front", FRONT)):
        def without(x, y, z, marker=marker):
            hu = _markers(x, y, z)
            cx, cy, cz = marker
            return np.where((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 <= 36.0, 0.0, hu)
        out[name] = base - drr.project(_regrid(volume, without), view, params).line_integral
    return {name: _spot(image) for name, image in out.items()}


def _regrid(volume, world):
    return lps_phantom(world, volume.hu.shape, (abs(volume.slice_spacing_mm), volume.row_spacing_mm, volume.column_spacing_mm),
                       orientation=volume.orientation, corner=volume.origins[0])


@pytest.mark.parametrize("name", list(ORIENTATIONS))
def test_frontal_is_ap_with_the_patients_right_on_the_image_left_and_head_up(name):
    volume = _grid(ORIENTATIONS[name])
    spots = _spots(volume, "frontal")
    assert spots["left"][1] > 0.6  # patient's left on the image right
    assert spots["head"][0] < 0.3  # head at the top
    assert spots["front"][1] < 0.4  # x = 30 (patient's right half) on the image left
    reference = drr.project(_grid(ORIENTATIONS["head-first supine"]), "frontal").line_integral
    assert np.allclose(drr.project(volume, "frontal").line_integral, reference, atol=1e-4)


@pytest.mark.parametrize("name", list(ORIENTATIONS))
def test_lateral_from_the_affected_side(name):
    volume = _grid(ORIENTATIONS[name])
    right = _spots(volume, "lateral", "right")
    assert right["front"][1] < 0.4 and right["head"][0] < 0.3  # right hip: anterior on the image left
    left = _spots(volume, "lateral", "left")
    assert left["front"][1] > 0.6 and left["head"][0] < 0.3  # left hip: anterior on the image right


def test_axial_is_seen_from_the_feet():
    spots = _spots(_grid(ORIENTATIONS["feet-first (normal to the feet)"]), "axial")
    assert spots["front"][0] < 0.4  # anterior up
    assert spots["left"][1] > 0.6  # patient's left on the image right


def test_cone_frontal_keeps_the_orientation():
    volume = _grid(ORIENTATIONS["rows flipped (prone-like)"])
    image = drr.project(volume, "frontal", DrrParameters(geometry="cone", sid_mm=1000)).line_integral
    parallel = drr.project(_grid(ORIENTATIONS["head-first supine"]), "frontal").line_integral
    # The same picture, slightly magnified: compare the left/right and top/bottom balance.
    assert np.sign(image[:, image.shape[1] // 2:].sum() - image[:, : image.shape[1] // 2].sum()) == np.sign(
        parallel[:, parallel.shape[1] // 2:].sum() - parallel[:, : parallel.shape[1] // 2].sum())


def test_pixels_are_square_with_the_right_spacing():
    volume = _grid(ORIENTATIONS["head-first supine"])  # 2 mm in-plane, 3 mm slices
    result = drr.project(volume, "frontal")
    assert result.pixel_mm == 2.0
    assert result.line_integral.shape == (int(29 * 3 / 2) + 1, 50)  # 87 mm tall at 2 mm
    fine = drr.project(volume, "lateral", DrrParameters(pixel_mm=0.5))
    assert fine.line_integral.shape == (int(87 / 0.5) + 1, int(98 / 0.5) + 1)


def test_stored_pixels_and_display():
    volume = _grid(ORIENTATIONS["head-first supine"])
    result = drr.project(volume, "frontal")
    pixels = result.pixels()
    assert pixels.dtype == np.uint16
    attrs = result.display()
    assert np.allclose(pixels * attrs.rescale_slope, result.line_integral, atol=attrs.rescale_slope)
    assert attrs.pixel_spacing_mm == 2.0 and attrs.windows[0].width > 0
    assert drr.content_sha256(pixels) == drr.content_sha256(drr.project(volume, "frontal").pixels())


# --- bad input --------------------------------------------------------------------------------


def _water(shape=(20, 16, 16), spacing=(3.0, 1.0, 1.0), **kw):
    return lps_phantom(lambda x, y, z: np.zeros_like(x), shape, spacing, **kw)


def test_too_few_slices():
    with pytest.raises(DrrInputError, match="4 slice") as info:
        drr.project(_water(shape=(4, 16, 16)), "frontal", where="CT series 7")
    assert info.value.where == "CT series 7" and "complete axial series" in info.value.fix


def test_non_uniform_spacing():
    volume = _water()
    volume.positions_mm = volume.positions_mm.copy()
    volume.positions_mm[10:] += 3.0  # a missing slice
    with pytest.raises(DrrInputError, match="non-uniform slice spacing: 6.00 mm"):
        drr.project(volume, "frontal", where="CT series 7")


def test_gantry_tilt():
    volume = _water()
    volume.origins = [[0.0, 3.0 * k * np.tan(np.radians(12)), 3.0 * k] for k in range(20)]
    with pytest.raises(DrrInputError, match="gantry tilt of 12.0°") as info:
        drr.project(volume, "frontal", where="CT series 7")
    assert "without tilt" in info.value.fix


def test_oblique_orientation():
    c, s = np.cos(np.radians(10)), np.sin(np.radians(10))
    with pytest.raises(DrrInputError, match="oblique"):
        drr.project(_water(orientation=(c, s, 0, -s, c, 0)), "frontal")


def test_crop_box_outside_the_volume():
    with pytest.raises(DrrInputError, match=r"x \(columns\) 0-40 is outside 0-16") as info:
        drr.project(_water(), "frontal", DrrParameters(crop=(0, 0, 0, 40, 16, 20)), where="CT series 7")
    assert "0,0,0,16,16,20" in info.value.fix
    with pytest.raises(DrrInputError, match="six whole numbers"):
        drr.parse_crop("1,2,3")


def test_crop_keeps_the_part_inside():
    volume = _grid(ORIENTATIONS["head-first supine"])
    whole = drr.project(volume, "frontal").line_integral
    part = drr.project(volume, "frontal", DrrParameters(crop=(25, 0, 0, 50, 50, 30))).line_integral
    assert part.shape == (whole.shape[0], 25)
    assert np.allclose(part, whole[:, 25:], atol=1e-4)  # columns 25.. are the patient's left half


def test_volume_too_large_for_memory_is_refused_with_its_size(monkeypatch):
    monkeypatch.setattr(drr, "available_memory_bytes", lambda: 100 << 20)
    big = _water(shape=(200, 256, 256))
    with pytest.raises(DrrInputError, match=r"256×256×200 = 13 M voxels\) needs .* GB for a cone-beam DRR") as info:
        drr.project(big, "frontal", DrrParameters(geometry="cone"), where="CT series 7")
    assert "--crop" in info.value.fix


def test_bad_parameters():
    with pytest.raises(DrrInputError, match="source-image distance"):
        DrrParameters(sid_mm=50).checked()
    with pytest.raises(DrrInputError, match="unknown geometry"):
        DrrParameters(geometry="fan").checked()
    with pytest.raises(DrrInputError, match="unknown view"):
        drr.parse_views("frontal,oblique")
    assert drr.parse_views("AP,lat") == ("frontal", "lateral")
