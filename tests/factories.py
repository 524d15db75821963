"""Test data built through the real services: small real images, manifests and score sets.

Imported by tests as ``from factories import …`` (the tests folder is on sys.path through the
root conftest); a module named conftest cannot be imported reliably when several exist.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from rushrater.services.study import Study

#: Reference data kept in the repository (sources and licences in tests/data/README.md).
DATA = Path(__file__).resolve().parent / "data"


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
    # Read two months ago, so re-reads "N days later" are still in the past (imports refuse the future).
    import pandas as pd

    frame = pd.read_csv(csv)
    frame["submitted_at"] = (pd.Timestamp.now(tz="UTC").tz_localize(None) - pd.Timedelta(days=60)).isoformat()
    frame.to_csv(csv, index=False)
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


# --- an outcome study (issue 14): ratings, body composition and a clinical sheet -------------

OUTCOME_CODEBOOK = [
    ("variable", "label", "type", "unit", "min", "max", "levels"),
    ("institution", "Institution", "categorical", "", "", "", "1=Centre A;2=Centre B"),
    ("age", "Age", "continuous", "years", "18", "110", ""),
    ("sex", "Sex", "binary", "", "", "", "0=Female;1=Male"),
    ("bmi", "BMI", "continuous", "kg/m²", "10", "60", ""),
    ("diabetes", "Diabetes", "binary", "", "", "", "0=No;1=Yes"),
    ("asa", "ASA class", "categorical", "", "", "", "1=I-II;2=III-IV"),
]


def outcome_patients(n: int, seed: int = 14):
    """Per-patient truth of a simulated healing study: covariates, indices and the RUSH totals
    at day 1 and month 1 (lower SMI and higher VFI slow healing, as the study found)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "patient": [f"P{p:03d}" for p in range(1, n + 1)],
        "institution": np.where(np.arange(n) % 2 == 0, 1, 2),
        "age": np.round(rng.normal(72, 9, n), 0),
        "sex": rng.integers(0, 2, n),
        "bmi": np.round(rng.normal(24, 3, n), 1),
        "diabetes": (rng.random(n) < 0.25).astype(int),
        "asa": rng.integers(1, 3, n),
        "height_m": np.round(rng.normal(1.66, 0.08, n), 2),
        "smi": rng.normal(45, 7, n),
        "vfi": np.abs(rng.normal(40, 14, n)) + 5,
        "sfi": np.abs(rng.normal(50, 15, n)) + 5,
    })
    frame["total_day1"] = np.clip(np.rint(12 + rng.normal(0, 1.2, n)), 10, 30)
    month1 = 18.5 + 0.35 * (frame["smi"] - 45) - 0.07 * (frame["vfi"] - 40) + rng.normal(0, 2.0, n)
    frame["total_month1"] = np.clip(np.rint(month1), 11, 30)
    return frame


def _items_for_total(total: int, n_items: int, rng) -> list[int]:
    """Ten item levels 1–3 that add up to ``total``."""
    values = [1] * n_items
    for j in rng.permutation(np.repeat(np.arange(n_items), 2))[: int(total) - n_items]:
        values[j] += 1
    return values


def build_outcome_study(study, tmp_path: Path, n: int = 60, seed: int = 14):
    """Images, three raters' ratings (each within ±1 of the patient's true total), body
    composition and a clinical sheet for ``n`` patients; returns the per-patient truth.

    Ratings and the clinical sheet go through the real imports. Body-composition measurements are
    written as rows (the CT measuring path has its own tests and takes ~1 s a patient): a CT
    series row, the height and a locked measurement per patient.
    """
    from datetime import datetime, timezone

    from rushrater.imaging.ct import normalise_thresholds
    from rushrater.services.clinical import import_clinical
    from rushrater.services.imports import import_manifest
    from rushrater.services.raters import add_rater
    from rushrater.services.ratings import import_ratings
    from rushrater.storage import models, queries

    truth = outcome_patients(n, seed)
    source = tmp_path / "outcome-source"
    import_manifest(study, source, write_manifest(tmp_path / "outcome-manifest.csv", image_rows(source, n)), actor="test")
    codes = [add_rater(study, name, group, actor="test").code
             for name, group in (("Dr One", "attending"), ("Dr Two", "attending"), ("Dr Three", "resident"))]
    rng = np.random.default_rng(seed + 1)
    items = list(study.rubric.item_keys)
    with (tmp_path / "outcome-ratings.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rater", "patient", "timepoint", "read", *items])
        for code in codes:
            for row in truth.itertuples():
                for tp in ("day1", "month1"):
                    total = int(np.clip(getattr(row, f"total_{tp}") + rng.integers(-1, 2), 10, 30))
                    writer.writerow([code, row.patient, tp, 1, *_items_for_total(total, len(items), rng)])
    import_ratings(study, tmp_path / "outcome-ratings.csv", actor="test")

    now = datetime.now(timezone.utc)
    # A tiny stand-in volume per series, so the rows name real stored bytes (server studies check).
    stored = [study.images.put(np.full((2, 2), k, dtype=np.uint16)) for k in range(n)]
    with study.db.write() as session:
        for k, row in enumerate(truth.itertuples()):
            patient = queries.patient_by_code(session, row.patient)
            series = models.CtSeries(
                patient_id=patient.id, storage_key=stored[k].key, file_sha256=stored[k].sha256, content_sha256=f"{k:064d}",
                rows=512, columns=512, slice_count=1, row_spacing_mm=0.8, column_spacing_mm=0.8, slice_spacing_mm=3.0,
                geometry={}, source_format="simulated", method="simulated", patient_identity_removed="YES",
                device="simulated", imported_by="test", created_at=now)
            body = models.PatientAnthropometry(patient_id=patient.id, version=1, height_m=float(row.height_m),
                                               sex="M" if row.sex else "F", source="csv", recorded_by="test", recorded_at=now)
            session.add_all([series, body])
            session.flush()
            h2 = float(row.height_m) ** 2
            session.add(models.BodyComposition(
                patient_id=patient.id, series_id=series.id, assessor="A1", version=1, status="measured",
                recorded_by="test", recorded_at=now, measured_at=now, slice_index=0, slice_position_mm=0.0,
                level_source="given", thresholds=normalise_thresholds(None), contours={}, muscle_cm2=row.smi * h2, visceral_fat_cm2=row.vfi * h2,
                subcutaneous_fat_cm2=row.sfi * h2, muscle_mean_hu=40.0, anthropometry_id=body.id,
                height_m=float(row.height_m), sex=body.sex, smi=float(row.smi), vfi=float(row.vfi), sfi=float(row.sfi),
                vsr=float(row.vfi / row.sfi), flags={}))
    sheet = tmp_path / "outcome-clinical.csv"
    columns = ["patient", "institution", "age", "sex", "bmi", "diabetes", "asa"]
    truth[columns].to_csv(sheet, index=False)
    book = tmp_path / "outcome-codebook.csv"
    with book.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(OUTCOME_CODEBOOK)
    import_clinical(study, sheet, code_column="patient", codebook=book, actor="test")
    truth["vsr"] = truth["vfi"] / truth["sfi"]
    return truth
