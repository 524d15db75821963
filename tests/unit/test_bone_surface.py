"""Bone surface: marching cubes in patient coordinates, smoothing that keeps the size, STL, angles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from factories import lps_phantom

from rushrater.imaging import bone
from rushrater.imaging.drr import DrrInputError

R = 20.0


def _ball(centre):
    cx, cy, cz = centre

    def world(x, y, z):
        return np.where((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 <= R**2, 1000.0, 0.0)

    return world


@pytest.mark.parametrize("orientation", [(1, 0, 0, 0, 1, 0), (-1, 0, 0, 0, -1, 0), (1, 0, 0, 0, -1, 0)])
def test_sphere_surface_in_patient_coordinates(orientation):
    centre = np.array([60.0, 25.0, 35.0])  # off-centre, towards the patient's left
    row_dir, col_dir = np.array(orientation[:3], float), np.array(orientation[3:], float)
    normal = np.cross(row_dir, col_dir)
    corner = np.zeros(3)
    for direction, extent in ((row_dir, 79.0), (col_dir, 49.0), (normal, 68.0)):
        corner += np.where(direction < 0, extent, 0.0) * np.abs(direction)
    volume = lps_phantom(_ball(centre), (35, 50, 80), (2.0, 1.0, 1.0), orientation=orientation, corner=corner, supersample=2)
    mesh = bone.bone_surface(volume, threshold_hu=500, target_triangles=None)
    assert np.allclose(mesh.vertices.mean(axis=0), centre, atol=0.5)
    radii = np.linalg.norm(mesh.vertices - centre, axis=1)
    assert abs(radii.mean() - R) < 0.3  # Taubin smoothing keeps the size
    assert mesh.volume_mm3() == pytest.approx(4 / 3 * math.pi * R**3, rel=0.03)  # > 0: normals point out
    assert mesh.area_mm2() == pytest.approx(4 * math.pi * R**2, rel=0.03)


def test_decimation_keeps_the_shape_and_stl_round_trip(tmp_path):
    volume = lps_phantom(_ball((40.0, 40.0, 40.0)), (40, 80, 80), (2.0, 1.0, 1.0), supersample=2)
    full = bone.bone_surface(volume, threshold_hu=500, target_triangles=None)
    small = bone.bone_surface(volume, threshold_hu=500, target_triangles=2000)
    assert small.triangle_count <= 2100 < full.triangle_count
    assert small.volume_mm3() == pytest.approx(full.volume_mm3(), rel=0.02)
    path = bone.write_stl(tmp_path / "hip.stl", small)
    assert path.stat().st_size == 84 + 50 * small.triangle_count
    back = bone.read_stl(path)
    assert back.triangle_count == small.triangle_count
    assert back.volume_mm3() == pytest.approx(small.volume_mm3(), rel=1e-5)
    assert np.allclose(np.sort(back.vertices, axis=0), np.sort(small.vertices[np.unique(small.faces)], axis=0), atol=1e-4)


def test_crop_and_no_bone():
    volume = lps_phantom(_ball((40.0, 40.0, 40.0)), (40, 80, 80), (2.0, 1.0, 1.0))
    half = bone.bone_surface(volume, threshold_hu=500, crop=(40, 0, 0, 80, 80, 40), target_triangles=None)
    assert half.vertices[:, 0].min() >= 39.0  # only the patient's left half (x ≥ 40 mm)
    assert half.volume_mm3() == pytest.approx(2 / 3 * math.pi * R**3, rel=0.05)  # closed at the cut
    with pytest.raises(DrrInputError, match="no voxel reaches the bone threshold of 2000 HU"):
        bone.bone_surface(volume, threshold_hu=2000)
    with pytest.raises(DrrInputError, match="crop box is outside"):
        bone.bone_surface(volume, crop=(0, 0, 0, 81, 80, 40))


def test_measurements():
    assert bone.distance_mm((0, 0, 0), (3, 4, 12)) == pytest.approx(13.0)
    # A neck at 130° to the shaft: head up-and-medial from the junction, shaft straight down.
    junction = np.array([10.0, 0.0, 0.0])
    head = junction + 40 * np.array([math.sin(math.radians(50)), 0.0, math.cos(math.radians(50))])
    shaft = junction + np.array([0.0, 0.0, -100.0])
    assert bone.angle_deg(head, junction, shaft) == pytest.approx(130.0)
    with pytest.raises(ValueError, match="three distinct points"):
        bone.angle_deg(junction, junction, shaft)


def test_ray_hit_and_clipping():
    volume = lps_phantom(_ball((40.0, 40.0, 40.0)), (40, 80, 80), (2.0, 1.0, 1.0), supersample=2)
    mesh = bone.bone_surface(volume, threshold_hu=500, target_triangles=5000)
    hit = bone.ray_hit(mesh.vertices, mesh.faces, (40.0, -100.0, 40.0), (0.0, 1.0, 0.0))
    assert hit is not None and hit[1] == pytest.approx(40.0 - R, abs=0.5)  # the near (anterior) side
    assert bone.ray_hit(mesh.vertices, mesh.faces, (40.0, -100.0, 40.0), (0.0, -1.0, 0.0)) is None  # behind
    assert bone.ray_hit(mesh.vertices, mesh.faces, (100.0, -100.0, 40.0), (0.0, 1.0, 0.0)) is None  # misses
    kept = bone.clip_faces(mesh.vertices, mesh.faces, 0, 40.0)
    assert 0.4 < len(kept) / len(mesh.faces) < 0.6
    assert mesh.vertices[kept][:, :, 0].max() <= 40.0
