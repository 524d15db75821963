"""Reading one CT series from a folder of single-frame DICOM files: every header de-identified
(the radiographs' Annex E profile) before any pixel is decoded, the slices checked (one axial
series, one matrix, one spacing) and ordered inferior to superior along the slice normal."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import deid
from ..readers import header_integer, read_dicom_dataset, read_head
from .volume import HU_OFFSET, CtInputError, CtVolume

#: Relative tolerance on the gaps between slice positions.
SPACING_TOLERANCE = 0.02


@dataclass
class ReadSeries:
    volume: CtVolume
    identifiers: deid.Identifiers
    device: str
    method: str
    source_format: str


def _floats(value, n: int) -> list[float] | None:
    """``n`` finite numbers of sane size (positions and spacings in mm), else None (unusable)."""
    try:
        out = [float(v) for v in value]
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) and abs(v) <= 1e6 for v in out):
        return None
    return out if len(out) == n else None


def read_ct_series(folder: str | Path, progress: Callable[[str, int, int], None] | None = None) -> ReadSeries:
    """One CT series from a folder (searched recursively), de-identified, as an HU volume.

    ``progress(step, done, total)`` is called before each file is read (step ``"read"``) and each
    slice decoded (``"decode"``); it may raise to stop the read (nothing is kept of it).
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise CtInputError(
            "CT series folder not found" if not folder.exists() else "the CT series must be a folder of DICOM files",
            where=str(folder),
            fix="give the folder PACS exported the CT series to",
        )
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    uids = deid.UidMapper()
    slices = []
    modalities: set[str] = set()
    series_uids: set[str] = set()
    first_ids: deid.Identifiers | None = None
    device = ""
    syntax = ""
    for number, path in enumerate(files):
        if progress is not None:
            progress("read", number, len(files))
        ds = read_dicom_dataset(path, read_head(path))
        if ds is None:
            continue  # DICOMDIR companions, notes: only DICOM images count
        modality = str(ds.get("Modality", "") or "").strip().upper()
        modalities.add(modality or "unknown")
        if modality != "CT" or "PixelData" not in ds:
            continue
        series_uids.add(str(ds.get("SeriesInstanceUID", "")))
        if first_ids is None:
            first_ids = deid.identifiers(ds)
            device = deid.device_key(ds)
        original = deid.all_uids(ds)
        deid.deidentify(ds, uids)
        problems = deid.check_profile(ds, original)
        if problems:  # a bug, not bad input: never keep what failed the profile
            raise RuntimeError("de-identification incomplete: " + "; ".join(problems[:5]))
        meta = getattr(ds, "file_meta", None)
        syntax = str(getattr(meta.get("TransferSyntaxUID"), "name", "")) if meta is not None else ""
        slices.append((path, ds))
    if not slices:
        if modalities:
            raise CtInputError(
                f"not a CT series (modality {', '.join(sorted(modalities))})",
                where=str(folder),
                fix="choose the patient's CT series (Modality CT), not radiographs, MR or reports",
            )
        raise CtInputError("no DICOM files in the folder", where=str(folder), fix="give the folder PACS exported the CT series to")
    if len(series_uids) > 1:
        raise CtInputError(
            f"the folder holds {len(series_uids)} CT series",
            where=str(folder),
            fix="put only the axial series covering T12 in the folder (one series per import)",
        )
    volume = _assemble(folder, slices, progress)
    return ReadSeries(volume, first_ids or deid.Identifiers(), device, deid.METHOD, f"DICOM {syntax}".strip()[:40])


def _assemble(folder: Path, slices, progress: Callable[[str, int, int], None] | None = None) -> CtVolume:
    first = slices[0][1]
    orientation = _floats(first.get("ImageOrientationPatient"), 6)
    spacing = _floats(first.get("PixelSpacing"), 2)
    if orientation is None or spacing is None or not all(0 < v <= 100 for v in spacing):
        raise CtInputError(
            "the CT slices have no usable ImageOrientationPatient/PixelSpacing (missing, not finite or out of range), so areas cannot be measured",
            where=str(folder),
            fix="export the original axial CT images (not secondary captures or screenshots)",
        )
    row_dir, col_dir = np.array(orientation[:3]), np.array(orientation[3:])
    normal = np.cross(row_dir, col_dir)
    if abs(normal[2]) < 0.9:
        raise CtInputError(
            "the series is not axial (slice normal not head-feet)",
            where=str(folder),
            fix="export the axial series; sagittal and coronal reformats cannot be measured at T12",
        )
    rows, columns = header_integer(slices[0][0], first, "Rows", 0), header_integer(slices[0][0], first, "Columns", 0)
    entries = []
    for path, ds in slices:
        position = _floats(ds.get("ImagePositionPatient"), 3)
        if position is None:
            raise CtInputError("slice without a usable ImagePositionPatient", where=str(path), fix="export the original CT images")
        size = (header_integer(path, ds, "Rows", 0), header_integer(path, ds, "Columns", 0))
        if size != (rows, columns):
            raise CtInputError(
                f"slice size {size[0]}x{size[1]} differs from {rows}x{columns}", where=str(path),
                fix="export one series with the same matrix on every slice",
            )
        other = _floats(ds.get("ImageOrientationPatient"), 6)
        other_spacing = _floats(ds.get("PixelSpacing"), 2)
        if other is None or other_spacing is None:
            raise CtInputError(
                "slice without a usable ImageOrientationPatient/PixelSpacing (missing, not finite or out of range)",
                where=str(path), fix="export the original CT images",
            )
        if other is None or not np.allclose(other, orientation, atol=1e-3) or other_spacing is None or not np.allclose(other_spacing, spacing, rtol=1e-4):
            raise CtInputError(
                "slice orientation or pixel spacing differs from the rest of the series", where=str(path),
                fix="export a single reconstruction (one kernel, one field of view)",
            )
        entries.append((float(np.dot(normal, position)), position, path, ds))
    entries.sort(key=lambda e: e[0])
    positions = np.array([e[0] for e in entries])
    if len(positions) > 1:
        gaps = np.diff(positions)
        if np.any(gaps < 1e-3):
            where = entries[int(np.argmin(gaps)) + 1][2]
            raise CtInputError(
                "two slices share one position (two series or a duplicate export?)", where=str(where),
                fix="export only the axial series you want measured",
            )
        typical = float(np.median(gaps))
        bad = np.nonzero(np.abs(gaps - typical) > SPACING_TOLERANCE * typical)[0]
        if bad.size:
            i = int(bad[0])
            raise CtInputError(
                f"inconsistent slice spacing: {gaps[i]:.2f} mm between slices at {positions[i]:.2f} and "
                f"{positions[i + 1]:.2f} mm, where the series has {typical:.2f} mm ({bad.size} gap(s) differ)",
                where=str(folder),
                fix="export the complete series (missing slices?) with one slice spacing",
            )
    hu = np.empty((len(entries), rows, columns), dtype=np.int16)
    for index, (_, _, path, ds) in enumerate(entries):
        if progress is not None:
            progress("decode", index, len(entries))
        hu[index] = _hu(path, ds)
    return CtVolume(
        hu=hu,
        positions_mm=positions,
        row_spacing_mm=float(spacing[0]),
        column_spacing_mm=float(spacing[1]),
        orientation=[float(v) for v in orientation],
        origins=[[round(float(v), 4) for v in e[1]] for e in entries],
    )


def _hu(path: Path, ds) -> np.ndarray:
    from ..readers import _check_decodable, header_numbers

    _check_decodable(path, ds)
    frames = header_integer(path, ds, "NumberOfFrames", 1) or 1
    if frames > 1:
        raise CtInputError("multi-frame (enhanced) CT is not supported", where=str(path), fix="export classic single-frame CT images")
    try:
        array = np.asarray(ds.pixel_array, dtype=np.float64)
    except Exception as exc:  # a damaged file can make any decoder raise anything
        # Only the type: a decoder's message can quote header values.
        raise CtInputError(f"cannot decode the CT pixels ({type(exc).__name__})", where=str(path), fix="re-export the series from PACS") from exc
    slopes, intercepts = header_numbers(path, ds, "RescaleSlope"), header_numbers(path, ds, "RescaleIntercept")
    slope = (slopes[0] if slopes else 0.0) or 1.0
    intercept = intercepts[0] if intercepts else 0.0
    hu = np.rint(array * slope + intercept)
    return np.clip(hu, -HU_OFFSET, 65535 - HU_OFFSET).astype(np.int16)
