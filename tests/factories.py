"""Test data built through the real services: small real images, manifests and score sets.

Imported by tests as ``from factories import …`` (the tests folder is on sys.path through the
root conftest); a module named conftest cannot be imported reliably when several exist.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image

SHARED = Path(__file__).resolve().parents[2] / "shared"


def write_png(path: Path, seed: int, shape: tuple[int, int] = (48, 40)) -> Path:
    """A small 16-bit grayscale PNG whose pixels depend on ``seed`` (distinct seeds, distinct images)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 4096, size=shape, dtype=np.uint16)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


def write_manifest(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "patient", "timepoint", "view"])
        writer.writerows(rows)
    return path


def image_rows(source: Path, patients: int, timepoints=("day1", "month1"), first_seed: int = 0) -> list:
    """Write AP + lateral PNGs for each patient and time point; return manifest rows."""
    rows = []
    seed = first_seed
    for p in range(1, patients + 1):
        for tp in timepoints:
            for view in ("AP", "LAT"):
                name = f"P{p:03d}_{tp}_{view}.png"
                write_png(source / name, seed)
                seed += 1
                rows.append((name, f"P{p:03d}", tp, view))
    return rows


def full_scores(study: Study, value: int = 2) -> dict[str, int]:
    return {key: value for key in study.rubric.item_keys}


# Two rater groups as in the two-centre RUSH study: (name, group, bias, noise) per rater.
AGREEMENT_RATERS = (
    ("Dr Attending A", "attending", 0.05, 0.25),
    ("Dr Attending B", "attending", -0.05, 0.25),
    ("Dr Attending C", "attending", 0.0, 0.3),
    ("Dr Resident A", "resident", 0.15, 0.45),
    ("Dr Resident B", "resident", -0.15, 0.4),
    ("Dr Resident C", "resident", 0.0, 0.45),
)


def simulated_ratings_csv(
    path: Path,
    item_keys,
    patients: int,
    rater_codes,
    *,
    raters=AGREEMENT_RATERS,
    timepoints=("day1", "month1"),
    seed: int = 0,
    read: int = 1,
    only=None,
) -> Path:
    """A ratings CSV (``ratings import`` format) of RUSH items simulated from a latent healing level.

    Patients are ``P001``...; ``rater_codes`` match ``raters``. ``only`` optionally limits the rows to
    a set of (rater code, patient, timepoint) keys (e.g. the cases planned for a re-read).
    """
    rng = np.random.default_rng(seed)
    latent = {tp: rng.uniform(0.0, 0.4 if t == 0 else 1.0, patients) for t, tp in enumerate(timepoints)}
    case_offsets = {tp: rng.normal(0.0, 0.2, (patients, len(item_keys))) for tp in timepoints}
    noise_rng = np.random.default_rng([seed, read])  # the same films, read again with fresh noise
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rater", "patient", "timepoint", "read", *item_keys])
        for code, (_name, _group, bias, noise) in zip(rater_codes, raters):
            for tp in timepoints:
                expected = 1.0 + 2.0 * latent[tp][:, None] + case_offsets[tp] + bias
                values = np.clip(np.rint(expected + noise_rng.normal(0.0, noise, expected.shape)), 1, 3).astype(int)
                for p in range(patients):
                    patient = f"P{p + 1:03d}"
                    if only is not None and (code, patient, tp) not in only:
                        continue
                    writer.writerow([code, patient, tp, read, *values[p]])
    return path


MID_STUDY_PATIENTS = 10
MID_STUDY_HALF = 5  # R06 has read only the first MID_STUDY_HALF cases of each time point


def mid_study(make_study, tmp_path: Path):
    """A study mid-way: 6 raters x 10 patients x 2 time points, R06 stopped half-way (issue 12's
    "day 1: 6 of 20 cases"), R07 enrolled but never scored; ratings imported, plan seed 5."""
    from rushrater.services.imports import import_manifest
    from rushrater.services.planning import plan_reading
    from rushrater.services.raters import add_rater
    from rushrater.services.ratings import import_ratings

    study = make_study("mid")
    source = tmp_path / "mid-src"
    manifest = write_manifest(tmp_path / "mid-manifest.csv", image_rows(source, MID_STUDY_PATIENTS))
    import_manifest(study, source, manifest, actor="test")
    codes = [add_rater(study, n, g, actor="test").code for n, g, *_ in AGREEMENT_RATERS]
    add_rater(study, "Dr Enrolled Only", "resident", actor="test")
    plan_reading(study, seed=5, actor="test")
    only = {(c, f"P{p:03d}", tp) for c in codes for p in range(1, MID_STUDY_PATIENTS + 1) for tp in ("day1", "month1")
            if c != "R06" or p <= MID_STUDY_HALF}
    csv = simulated_ratings_csv(tmp_path / "mid-ratings.csv", study.rubric.item_keys, MID_STUDY_PATIENTS, codes,
                                seed=2, only=only)
    import_ratings(study, csv, actor="test")
    return study


def write_ct_series(folder: Path, volume: np.ndarray, *, spacing=(0.8, 0.8), positions=None, modality: str = "CT",
                    jpeg2000: bool = False, orientation=(1, 0, 0, 0, 1, 0), origins=None) -> Path:
    """A CT series (HU volume, slices inferior to superior) as single-frame DICOM files with a
    patient's identifiers in the headers (the import must remove them). ``origins`` (one
    ImagePositionPatient per slice) overrides ``positions`` (z only)."""
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, JPEG2000Lossless, generate_uid

    folder.mkdir(parents=True, exist_ok=True)
    series_uid, study_uid = generate_uid(), generate_uid()
    positions = positions if positions is not None else [3.0 * k for k in range(len(volume))]
    for k, (pixels, z) in enumerate(zip(volume, positions)):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(str(folder / f"s{k:03d}.dcm"), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
        ds.PatientName, ds.PatientID, ds.StudyDate = "Doe^Jane", "MRN-4711", "20260101"
        ds.Modality = modality
        ds.Manufacturer = "Phantom"
        ds.ImagePositionPatient = [float(v) for v in origins[k]] if origins is not None else [0.0, 0.0, float(z)]
        ds.ImageOrientationPatient = [float(v) for v in orientation]
        ds.PixelSpacing = list(spacing)
        ds.SliceThickness = 3
        ds.Rows, ds.Columns = pixels.shape
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
        ds.PixelData = (pixels.astype(np.int32) + 1024).astype(np.uint16).tobytes()
        if jpeg2000:
            ds.compress(JPEG2000Lossless, encoding_plugin="pylibjpeg")
        ds.save_as(folder / f"s{k:03d}.dcm", enforce_file_format=True)
    return folder


#: Test raters have no PIN (a new study); tests log in choosing this one at first login.
RATER_PIN = "2468"


def login_rater(study, code: str, pin: str = RATER_PIN):
    """Log in as a rater of a multi-rater study: with their PIN, or choosing it at first login."""
    from rushrater.services.reading import ReadingSession
    from rushrater.storage import queries

    with study.db.read() as session:
        has_pin = queries.rater_by_code_or_name(session, code).pin_hash is not None
    return ReadingSession.login(study, code, pin) if has_pin else ReadingSession.login(study, code, new_pin=pin)

def lps_phantom(world, shape, spacing, *, orientation=(1, 0, 0, 0, 1, 0), corner=(0.0, 0.0, 0.0), supersample: int = 1):
    """Sample ``world(x, y, z) -> HU`` (LPS mm, arrays) on a CT grid: ``shape`` (slices, rows,
    columns), ``spacing`` (slice, row, column mm), ImageOrientationPatient ``orientation``; slices
    stacked along the normal from ``corner`` (the first slice's origin). Returns a CtVolume.
    ``supersample`` averages n³ points per voxel (partial volume, for analytic line integrals)."""
    from rushrater.imaging.ct import CtVolume

    row_dir, col_dir = np.array(orientation[:3], float), np.array(orientation[3:], float)
    normal = np.cross(row_dir, col_dir)
    nz, ny, nx = shape
    sz, sy, sx = spacing
    offsets = (np.arange(supersample) + 0.5) / supersample - 0.5
    hu = np.zeros(shape, dtype=np.float64)
    k, i, j = np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij")
    for dk in offsets:
        for di in offsets:
            for dj in offsets:
                pos = (np.asarray(corner, float)[:, None, None, None]
                       + normal[:, None, None, None] * ((k + dk) * sz)
                       + col_dir[:, None, None, None] * ((i + di) * sy)
                       + row_dir[:, None, None, None] * ((j + dj) * sx))
                hu += world(pos[0], pos[1], pos[2])
    hu /= supersample**3
    origins = [list(np.asarray(corner, float) + normal * (m * sz)) for m in range(nz)]
    positions = np.array([float(np.dot(normal, o)) for o in origins])
    return CtVolume(hu=np.rint(hu).astype(np.int16), positions_mm=positions, row_spacing_mm=sy, column_spacing_mm=sx,
                    orientation=[float(v) for v in orientation], origins=[[float(v) for v in o] for o in origins])


def write_nifti_as_ct_series(nifti_path: Path, folder: Path) -> Path:
    """A NIfTI CT volume (RAS world coordinates, axis-aligned affine) written as an axial DICOM
    series in LPS with ImageOrientationPatient 1\\0\\0\\0\\1\\0 and one ImagePositionPatient per slice."""
    import nibabel as nib

    image = nib.as_closest_canonical(nib.load(str(nifti_path)))  # voxel axes run toward R, A, S
    data = np.asarray(image.dataobj)
    zooms = [float(z) for z in image.header.get_zooms()[:3]]
    lps = data[::-1, ::-1, :]  # toward L, P, S: the DICOM patient axes
    nx, ny, nz = lps.shape
    corner_ras = nib.affines.apply_affine(image.affine, [nx - 1, ny - 1, 0])
    corner = np.array([-corner_ras[0], -corner_ras[1], corner_ras[2]])
    hu = np.clip(lps.transpose(2, 1, 0), -1024, 3071).astype(np.int16)  # (slices, rows, columns)
    origins = [list(corner + np.array([0.0, 0.0, k * zooms[2]])) for k in range(nz)]
    return write_ct_series(folder, hu, spacing=(zooms[1], zooms[0]), origins=origins)
