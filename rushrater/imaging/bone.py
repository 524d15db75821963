"""The bone surface of a CT volume for a 3D view and planning (Qt-free).

- :func:`bone_surface`: marching cubes (scikit-image) at a bone threshold on the bone's bounding
  box, Taubin smoothing, then quadric decimation (``fast-simplification``, MIT: a maintained
  wrapper of Fast-Quadric-Mesh-Simplification). Vertices are in DICOM patient coordinates (LPS,
  mm) from ImageOrientationPatient/ImagePositionPatient, faces wound so normals point outward.
- :func:`write_stl` / :func:`read_stl`: binary STL.
- :func:`distance_mm`, :func:`angle_deg`: measurements by points (e.g. the neck-shaft angle
  between femoral-head centre, the neck-shaft intersection and a point down the shaft).

Smoothing is written here (Taubin's λ|μ filter, SIGGRAPH 1995: ~15 lines with scipy.sparse)
because the libraries that have it (trimesh, pyvista/VTK) would add a large dependency for one
function; it shrinks the mesh far less than plain Laplacian smoothing, so distances stay true.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .drr import DrrInputError, canonical

BONE_THRESHOLD_HU = 250.0
#: Above this many voxels (after cropping to the bone) marching cubes samples every second voxel.
FINE_LIMIT = 24_000_000


@dataclass
class Mesh:
    vertices: np.ndarray  # (n, 3) float32, LPS mm
    faces: np.ndarray  # (m, 3) int32

    @property
    def triangle_count(self) -> int:
        return int(len(self.faces))

    def normals(self) -> np.ndarray:
        a, b, c = (self.vertices[self.faces[:, k]].astype(np.float64) for k in range(3))
        n = np.cross(b - a, c - a)
        length = np.linalg.norm(n, axis=1, keepdims=True)
        return (n / np.where(length > 0, length, 1.0)).astype(np.float32)

    def area_mm2(self) -> float:
        a, b, c = (self.vertices[self.faces[:, k]].astype(np.float64) for k in range(3))
        return float(0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1).sum())

    def volume_mm3(self) -> float:
        """Enclosed volume (divergence theorem); positive when the normals point outward."""
        a, b, c = (self.vertices[self.faces[:, k]].astype(np.float64) for k in range(3))
        return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


def bone_surface(volume, *, threshold_hu: float = BONE_THRESHOLD_HU, crop=None, smoothing_iterations: int = 10,
                 target_triangles: int | None = 150_000, step: int | None = None, where: str = "the CT series") -> Mesh:
    """The iso-surface at ``threshold_hu`` of a CtVolume (cropped like the DRRs), in LPS mm."""
    from skimage.measure import marching_cubes

    canon = canonical(volume, crop, where=where)  # the same checks: slices, spacing, tilt, crop
    hu = canon.hu
    bone = hu >= threshold_hu
    if not bone.any():
        raise DrrInputError(
            f"no voxel reaches the bone threshold of {threshold_hu:g} HU", where=where,
            fix="lower the threshold (--threshold) or check that the crop box holds the hip",
        )
    lo = [max(0, int(np.nonzero(bone.any(axis=tuple(a for a in range(3) if a != ax)))[0][0]) - 1) for ax in range(3)]
    hi = [min(hu.shape[ax], int(np.nonzero(bone.any(axis=tuple(a for a in range(3) if a != ax)))[0][-1]) + 2) for ax in range(3)]
    block = hu[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
    # Pad with air so the surface is closed where bone touches the crop box.
    block = np.pad(block, 1, mode="constant", constant_values=-1024)
    if step is None:
        step = 1 if block.size <= FINE_LIMIT else 2
    vertices, faces, _normals, _values = marching_cubes(block.astype(np.float32), level=float(threshold_hu),
                                                        step_size=int(step), allow_degenerate=False)
    vertices = vertices - 1.0 + np.asarray(lo, dtype=np.float64)  # back to (cropped) array indices
    if crop is not None:
        vertices += np.array([crop[2], crop[1], crop[0]], dtype=np.float64)
    faces = faces.astype(np.int64)
    if smoothing_iterations:
        vertices = taubin_smooth(vertices, faces, smoothing_iterations)
    if target_triangles and len(faces) > target_triangles:
        import fast_simplification

        vertices, faces = fast_simplification.simplify(vertices.astype(np.float64), faces,
                                                       target_reduction=1.0 - target_triangles / len(faces))
    lps, flip = _to_patient(volume, vertices)
    faces = np.asarray(faces, dtype=np.int32)
    # marching_cubes' winding, read in (slice, row, column) index space, gives inward normals for
    # a bright object; a mirroring index→patient mapping (the usual axial one) turns them outward.
    if not flip:
        faces = faces[:, ::-1]
    return Mesh(lps.astype(np.float32), np.ascontiguousarray(faces))


def _to_patient(volume, index_coords: np.ndarray) -> tuple[np.ndarray, bool]:
    """(slice, row, column) indices → LPS mm, and whether that mapping mirrors."""
    orientation = np.asarray(volume.orientation, dtype=float)
    row_dir, col_dir = orientation[:3], orientation[3:]
    origins = np.asarray(volume.origins, dtype=float)
    if len(origins) >= 2:
        step = (origins[-1] - origins[0]) / (len(origins) - 1)
        origin = origins[0]
    else:
        step = np.cross(row_dir, col_dir) * volume.slice_spacing_mm
        origin = np.zeros(3)
    axes = np.stack([step, col_dir * volume.row_spacing_mm, row_dir * volume.column_spacing_mm])  # rows: k, i, j
    lps = origin + index_coords @ axes
    return lps, bool(np.linalg.det(axes) < 0)


def taubin_smooth(vertices: np.ndarray, faces: np.ndarray, iterations: int = 10, lam: float = 0.5,
                  mu: float = -0.53) -> np.ndarray:
    """Taubin λ|μ smoothing with uniform (umbrella) weights: noise goes, the shape's size stays."""
    from scipy import sparse

    n = len(vertices)
    i = np.concatenate([faces[:, 0], faces[:, 1], faces[:, 2], faces[:, 1], faces[:, 2], faces[:, 0]])
    j = np.concatenate([faces[:, 1], faces[:, 2], faces[:, 0], faces[:, 0], faces[:, 1], faces[:, 2]])
    adjacency = sparse.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)).tocsr()
    adjacency.data[:] = 1.0  # an edge shared by two faces counts once
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    average = sparse.diags(1.0 / np.where(degree > 0, degree, 1.0)) @ adjacency
    v = vertices.astype(np.float64)
    for _ in range(int(iterations)):
        v = v + lam * (average @ v - v)
        v = v + mu * (average @ v - v)
    return v


# --- STL ----------------------------------------------------------------------------------------


def write_stl(path: str | Path, mesh: Mesh, name: str = "bone surface") -> Path:
    """Binary STL (little endian): 80-byte header, triangle count, (normal, 3 vertices, 0) each."""
    path = Path(path)
    record = np.dtype([("normal", "<f4", 3), ("v", "<f4", (3, 3)), ("attr", "<u2")])
    data = np.zeros(mesh.triangle_count, dtype=record)
    data["normal"] = mesh.normals()
    data["v"] = mesh.vertices[mesh.faces]
    header = f"RUSH Rater {name} (LPS mm)".encode("ascii", "replace")[:80].ljust(80, b" ")
    with path.open("wb") as handle:
        handle.write(header)
        handle.write(struct.pack("<I", mesh.triangle_count))
        handle.write(data.tobytes())
    return path


def read_stl(path: str | Path) -> Mesh:
    """A binary STL back as a mesh (vertices merged where they are bit-identical)."""
    raw = Path(path).read_bytes()
    if len(raw) < 84:
        raise ValueError(f"{path}: not a binary STL (too short)")
    (count,) = struct.unpack("<I", raw[80:84])
    record = np.dtype([("normal", "<f4", 3), ("v", "<f4", (3, 3)), ("attr", "<u2")])
    if len(raw) != 84 + count * record.itemsize:
        raise ValueError(f"{path}: binary STL size does not match its {count} triangles")
    data = np.frombuffer(raw, dtype=record, count=count, offset=84)
    corners = data["v"].reshape(-1, 3)
    vertices, inverse = np.unique(corners, axis=0, return_inverse=True)
    return Mesh(vertices.astype(np.float32), inverse.reshape(-1, 3).astype(np.int32))


# --- measurements -------------------------------------------------------------------------------


def distance_mm(a, b) -> float:
    return float(np.linalg.norm(np.asarray(b, float) - np.asarray(a, float)))


def angle_deg(a, vertex, c) -> float:
    """The angle at ``vertex`` between the rays to ``a`` and ``c`` (e.g. head centre, neck-shaft
    intersection, shaft point: the neck-shaft angle, ~125-135° in adults)."""
    u = np.asarray(a, float) - np.asarray(vertex, float)
    v = np.asarray(c, float) - np.asarray(vertex, float)
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0:
        raise ValueError("an angle needs three distinct points")
    return math.degrees(math.acos(float(np.clip(np.dot(u, v) / (nu * nv), -1.0, 1.0))))


def ray_hit(vertices: np.ndarray, faces: np.ndarray, origin, direction) -> np.ndarray | None:
    """The nearest point where the ray ``origin + t·direction`` (t > 0) meets the mesh
    (Möller–Trumbore, vectorised over the faces), or None."""
    o = np.asarray(origin, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    d = d / np.linalg.norm(d)
    v0 = vertices[faces[:, 0]].astype(np.float64)
    e1 = vertices[faces[:, 1]].astype(np.float64) - v0
    e2 = vertices[faces[:, 2]].astype(np.float64) - v0
    p = np.cross(d, e2)
    det = np.einsum("ij,ij->i", e1, p)
    ok = np.abs(det) > 1e-12
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = o - v0
    u = np.einsum("ij,ij->i", s, p) * inv
    q = np.cross(s, e1)
    v = (q @ d) * inv
    t = np.einsum("ij,ij->i", e2, q) * inv
    hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
    if not hit.any():
        return None
    return o + d * float(t[hit].min())


def clip_faces(vertices: np.ndarray, faces: np.ndarray, axis: int, limit: float, keep_below: bool = True) -> np.ndarray:
    """Faces with every vertex on the kept side of the plane ``coordinate[axis] = limit``."""
    coordinate = vertices[faces][:, :, axis]
    keep = (coordinate <= limit).all(axis=1) if keep_below else (coordinate >= limit).all(axis=1)
    return faces[keep]
