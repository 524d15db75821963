"""The measurement level: the slice through the middle of T12, from a TotalSegmentator label file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .volume import CtInputError, CtVolume

T12_LABEL = 32


@dataclass(frozen=True)
class LevelProposal:
    slice_index: int
    position_mm: float
    extent_mm: tuple[float, float]
    complete: bool  # False when the label touches the label volume's edge (vertebra cut off)


def propose_level(labels_path: str | Path, volume: CtVolume, label: int = T12_LABEL) -> LevelProposal:
    """The slice nearest the middle of ``label``'s extent along the series' slice normal."""
    import nibabel as nib

    path = Path(labels_path).expanduser()
    try:
        image = nib.load(str(path))
        data = np.asarray(image.dataobj)
    except FileNotFoundError:
        raise CtInputError("label file not found", where=str(path), fix="give TotalSegmentator's NIfTI output (--ml file)") from None
    except Exception as exc:
        raise CtInputError(f"cannot read the label file ({exc})", where=str(path), fix="give a NIfTI label file (.nii or .nii.gz)") from exc
    if data.ndim != 3:
        raise CtInputError("the label file is not a 3-D label volume", where=str(path), fix="give TotalSegmentator's multilabel output")
    voxels = np.argwhere(data == label)
    if voxels.size == 0:
        raise CtInputError(
            f"the series does not reach T12: label {label} (T12) is absent from the label file",
            where=str(path),
            fix="import a CT series that covers the T12 vertebra, or choose the level by scrolling",
        )
    # NIfTI world coordinates are RAS; DICOM patient coordinates are LPS.
    world = nib.affines.apply_affine(image.affine, voxels.astype(float)) * np.array([-1.0, -1.0, 1.0])
    orientation = np.asarray(volume.orientation, dtype=float)
    normal = np.cross(orientation[:3], orientation[3:])
    along = world @ normal
    low, high = float(along.min()), float(along.max())
    centre = (low + high) / 2.0
    positions = volume.positions_mm
    half = abs(volume.slice_spacing_mm) / 2.0
    if centre < positions[0] - half or centre > positions[-1] + half:
        raise CtInputError(
            f"the series does not reach T12: its middle is at {centre:.1f} mm, the series covers "
            f"{positions[0]:.1f} to {positions[-1]:.1f} mm",
            where=str(path),
            fix="import the series the labels were made from, one that covers T12",
        )
    index = int(np.argmin(np.abs(positions - centre)))
    edges = np.array(data.shape) - 1
    complete = not np.any((voxels == 0) | (voxels == edges), axis=0)[_slice_axis(image.affine, normal)]
    return LevelProposal(index, float(positions[index]), (low, high), bool(complete))


def _slice_axis(affine: np.ndarray, normal: np.ndarray) -> int:
    directions = affine[:3, :3] * np.array([-1.0, -1.0, 1.0])[:, None]
    return int(np.argmax(np.abs(normal @ directions)))
