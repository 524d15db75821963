"""Radiographs from a patient's CT series (DRRs), stored and read like imported radiographs.

``make_drrs`` projects the views (``imaging.drr``), then stores each DRR the way an import stores
an image it could not place: de-identified pixels in the image store and a ``staged_image`` row
(view AP for frontal, LAT for lateral; axial stays an export-only image). With ``as_case`` the
frontal/lateral DRRs are then placed into the patient's case at a time point through the same
``staging.assign`` the coordinator uses, so raters see them in the workstation like any radiograph.

Blinding: the pixels come from the de-identified CT volume; a DRR carries no series description or
date. Its provenance (series number, geometry, parameters, software version) is kept in the image's
display JSON under ``extra.drr`` — never shown to raters.

``export_drrs`` writes every DRR as 16-bit PNG and TIFF and DICOM Secondary Capture (with pixel
spacing), plus ``manifest.csv``; the files depend only on the pixels and their provenance, so two
exports are identical bit for bit.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import __version__
from ..domain.errors import DuplicateError, NotFoundError, ValidationError
from ..imaging import drr as projector
from ..imaging import drr_files
from ..imaging.ct import CtVolume
from ..imaging.drr_files import SECONDARY_CAPTURE  # noqa: F401  (the SOP class the export writes)
from ..storage import models, queries
from . import audit, staging
from .files import atomic_path
from .bodycomp import load_volume
from .study import Study
from .unit_of_work import unit_of_work

VIEW_CODES = {"frontal": "AP", "lateral": "LAT", "axial": None}
PROJECTOR = "numpy ray sums (parallel: axis sum; cone: Joseph plane sampling)"
METHOD = "DRR from a de-identified CT series (DICOM PS3.15 Annex E Basic Profile)"
MANIFEST_COLUMNS = (
    "file_png", "file_tiff", "file_dicom", "patient", "timepoint", "view", "rows", "columns",
    "pixel_spacing_mm", "detector_pixel_mm", "magnification", "geometry", "sid_mm", "bone_boost",
    "bone_threshold_hu", "mu_water_per_mm", "side", "crop", "patient_orientation", "series", "software",
    "content_sha256",
)


@dataclass(frozen=True)
class StoredDrr:
    item: int | None  # staged item number (None once placed)
    image_id: int | None  # placed image
    view: str
    view_code: str | None
    case: str | None
    content_sha256: str
    width: int
    height: int
    pixel_mm: float
    provenance: dict


def _series(session, series_id: int) -> models.CtSeries:
    series = session.get(models.CtSeries, int(series_id))
    if series is None:
        known = ", ".join(str(s.id) for s in queries.all_ct_series(session)) or "none"
        raise NotFoundError(
            f"no CT series {series_id} in the study (series: {known})",
            fix="import the patient's CT first (rushrater bodycomp-import) and give its number with --series",
        )
    return series


def list_series(study: Study) -> list[dict]:
    """The study's CT series (no dates, no descriptions: there are none in the store)."""
    with study.db.read() as session:
        return [
            {"series": s.id, "patient": s.patient.code, "columns": s.columns, "rows": s.rows, "slices": s.slice_count,
             "column_spacing_mm": s.column_spacing_mm, "row_spacing_mm": s.row_spacing_mm, "slice_spacing_mm": s.slice_spacing_mm}
            for s in queries.all_ct_series(session)
        ]


def series_label(series_id: int) -> str:
    return f"CT series {series_id}"


def make_drrs(study: Study, series_id: int, views=("frontal", "lateral"), params: projector.DrrParameters | None = None,
              *, as_case: tuple[str, str] | None = None, actor: str | None = None) -> list[StoredDrr]:
    """Project ``views`` of a stored CT series and store them; with ``as_case=(patient, timepoint)``
    place the AP and LAT DRRs into that case. All checks run before anything is stored."""
    actor = actor or audit.coordinator_actor()
    params = (params or projector.DrrParameters()).checked(series_label(series_id))
    views = tuple(views)
    where = series_label(series_id)
    with study.db.read() as session:
        series = _series(session, series_id)
        patient_code = series.patient.code
        session.expunge(series)
        placement = _check_placement(session, as_case, patient_code, views, where) if as_case else None
    volume = load_volume(study, series)
    results = projector.project_views(volume, views, params, where=where)
    prepared = []
    with study.db.read() as session:
        known_images = queries.images_by_content(session, [projector.content_sha256(r.pixels()) for r in results])
        known_staged = queries.staged_by_content(session, [projector.content_sha256(r.pixels()) for r in results])
    for result in results:
        pixels = result.pixels()
        content = projector.content_sha256(pixels)
        if content in known_images or content in known_staged:
            raise DuplicateError(
                f"the {result.view} DRR with these parameters is already in the study",
                where=where, fix="change a parameter (views, crop, geometry, bone boost) or use the stored one",
            )
        prepared.append((result, pixels, content, _provenance(series, result, params)))
    out: list[StoredDrr] = []
    # One unit of work: the DRRs are stored (and placed, with ``as_case``) or nothing is, files included.
    with unit_of_work(study, actor) as uow:
        session = uow.session
        for result, pixels, content, provenance in prepared:
            stored = study.images.put(pixels)
            uow.keep_new_file(stored.key)
            display = result.display().to_dict()
            display["extra"] = {"drr": provenance}
            center, width = result.window()
            item = models.StagedImage(
                storage_key=stored.key, file_sha256=stored.sha256, content_sha256=content,
                image_fields={
                    "width": int(pixels.shape[1]), "height": int(pixels.shape[0]), "bits_stored": 16,
                    "photometric": "MONOCHROME2", "rescale_slope": projector.FULL_SCALE / 65535.0,
                    "rescale_intercept": 0.0, "window_center": center, "window_width": width,
                    "pixel_spacing_mm": float(result.pixel_mm), "source_format": "DRR",
                },
                display=display, patient_code=patient_code, study_day=None,
                timepoint=placement[0] if placement else None, view=VIEW_CODES[result.view],
                reason=f"DRR {result.view} from {where}" + ("" if VIEW_CODES[result.view] else " (axial: export only)"),
                method=METHOD, device="", template="drr", redactions=None, created_at=audit.now(),
            )
            session.add(item)
            session.flush()
            out.append(StoredDrr(item.id, None, result.view, VIEW_CODES[result.view], None, content,
                                 int(pixels.shape[1]), int(pixels.shape[0]), float(result.pixel_mm), provenance))
        uow.record("drr.create", "ct_series", series_id, after={
            "patient": patient_code, "views": list(views), "parameters": params.to_dict(),
            "items": [d.item for d in out], "software": f"rushrater {__version__}",
        })
        if placement:
            assignments = [staging.Assignment(d.item, patient_code, placement[0], d.view_code) for d in out if d.view_code]
            cases = staging.assign_in(uow, assignments)
    if placement:
        out = _placed(study, out, cases)
    return out


def _check_placement(session, as_case, series_patient: str, views, where: str) -> tuple[str]:
    patient, timepoint = (str(v).strip() for v in as_case)
    if patient != series_patient:
        raise ValidationError(
            f"{where} belongs to patient {series_patient}, not {patient}",
            where=where, fix=f"place it with --patient {series_patient}, or choose that patient's CT series",
        )
    timepoints = {tp.key.lower(): tp.key for tp in queries.timepoints(session)}
    timepoints.update({tp.label.lower(): tp.key for tp in queries.timepoints(session)})
    key = timepoints.get(timepoint.lower())
    if key is None:
        raise ValidationError(f"time point {timepoint!r} is not one of this study's ({', '.join(sorted(set(timepoints.values())))})",
                              where=where, fix="give --timepoint as one of the study's time points")
    placed = [VIEW_CODES[v] for v in views if VIEW_CODES[v]]
    if not placed:
        raise ValidationError("only an axial DRR was asked for; a case needs AP and/or lateral views",
                              where=where, fix="add frontal and/or lateral to --views, or leave out --as-case")
    taken = queries.image_views_by_case(session).get((patient, key), set())
    clash = sorted(set(placed) & taken)
    if clash:
        raise DuplicateError(
            f"patient {patient} {key} already has a {' and '.join(clash)} image",
            where=where, fix="place the DRRs at another time point, or leave out --as-case and compare them first",
        )
    return (key,)


def _placed(study: Study, drrs: list[StoredDrr], cases: list[str]) -> list[StoredDrr]:
    """The DRRs as placed: the AP and LAT ones are images of the case now, the axial one stays staged."""
    with study.db.read() as session:
        placed = queries.images_by_content(session, [d.content_sha256 for d in drrs])
        out = []
        for d in drrs:
            image = placed.get(d.content_sha256)
            out.append(StoredDrr(None if image else d.item, image.id if image else None, d.view, d.view_code,
                                 cases[0] if image else None, d.content_sha256, d.width, d.height, d.pixel_mm, d.provenance))
    return out


def _provenance(series: models.CtSeries, result: projector.Drr, params: projector.DrrParameters) -> dict:
    return {
        "series": int(series.id),
        "series_content_sha256": series.content_sha256,
        "view": result.view,
        "patient_orientation": list(result.patient_orientation),
        "pixel_spacing_mm": float(result.pixel_mm),
        "detector_pixel_mm": float(result.detector_pixel_mm),
        "magnification": float(result.magnification),
        "geometry": {k: v for k, v in result.geometry.items()},
        "parameters": params.to_dict(),
        "clipped_fraction": result.clipped_fraction(),
        "full_scale_line_integral": projector.FULL_SCALE,
        "projector": PROJECTOR,
        "software": f"rushrater {__version__}",
    }


# --- listing and export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DrrRecord:
    storage_key: str
    file_sha256: str
    content_sha256: str
    patient: str
    timepoint: str
    view: str
    provenance: dict
    display: dict


def list_drrs(study: Study) -> list[DrrRecord]:
    """Every DRR in the study, placed or not, in a stable order (patient, time point, view, hash)."""
    out = []
    with study.db.read() as session:
        for case in queries.cases(session):
            for image in case.images:
                drr = ((image.display or {}).get("extra") or {}).get("drr")
                if drr:
                    out.append(DrrRecord(image.storage_key, image.file_sha256, image.content_sha256, case.patient.code,
                                         case.timepoint.key, drr["view"], drr, dict(image.display)))
        for staged in queries.staged_images(session):
            drr = ((staged.display or {}).get("extra") or {}).get("drr")
            if drr:
                out.append(DrrRecord(staged.storage_key, staged.file_sha256, staged.content_sha256, staged.patient_code or "",
                                     staged.timepoint or "", drr["view"], drr, dict(staged.display)))
    return sorted(out, key=lambda r: (r.patient, r.timepoint, r.view, r.content_sha256))


FORMATS = ("png", "tiff", "dicom")


def export_drrs(study: Study, out_dir: str | Path, *, formats=FORMATS, force: bool = False) -> Path:
    """Write every DRR and ``manifest.csv`` into ``out_dir``; returns the manifest's path."""
    out = Path(out_dir).expanduser()
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValidationError(f"unknown export format {unknown[0]!r}", fix="use png, tiff and/or dicom")
    records = list_drrs(study)
    if not records:
        raise NotFoundError("the study has no DRRs to export", where=str(study.location), fix="make them first with rushrater drr")
    if out.exists() and any(out.iterdir()) and not force:
        raise ValidationError("the export folder is not empty", where=str(out), fix="choose an empty folder or add --force")
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for record in records:
        pixels = study.images.load(record.storage_key, record.file_sha256)
        stem = f"{record.patient}_{record.timepoint or 'unplaced'}_{record.view}_{record.content_sha256[:12]}"
        row = _manifest_row(record, pixels)
        if "png" in formats:
            row["file_png"] = f"{stem}.png"
            (out / row["file_png"]).write_bytes(drr_files.png_bytes(pixels))
        if "tiff" in formats:
            row["file_tiff"] = f"{stem}.tif"
            (out / row["file_tiff"]).write_bytes(drr_files.tiff_bytes(pixels))
        if "dicom" in formats:
            row["file_dicom"] = f"{stem}.dcm"
            write_secondary_capture(out / row["file_dicom"], pixels, record)
        rows.append(row)
    manifest = out / "manifest.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    manifest.write_text(buffer.getvalue(), encoding="utf-8")
    return manifest


def _manifest_row(record: DrrRecord, pixels: np.ndarray) -> dict:
    p = record.provenance
    params = p["parameters"]
    return {
        "file_png": "", "file_tiff": "", "file_dicom": "", "patient": record.patient, "timepoint": record.timepoint,
        "view": record.view, "rows": pixels.shape[0], "columns": pixels.shape[1],
        "pixel_spacing_mm": repr(float(p["pixel_spacing_mm"])), "detector_pixel_mm": repr(float(p["detector_pixel_mm"])),
        "magnification": repr(float(p["magnification"])), "geometry": params["geometry"],
        "sid_mm": repr(float(params["sid_mm"])) if params["geometry"] == "cone" else "",
        "bone_boost": repr(float(params["bone_boost"])), "bone_threshold_hu": repr(float(params["bone_threshold_hu"])),
        "mu_water_per_mm": repr(float(params["mu_water_per_mm"])), "side": params["side"],
        "crop": ",".join(str(v) for v in params["crop"]) if params.get("crop") else "",
        "patient_orientation": "\\".join(p["patient_orientation"]), "series": p["series"], "software": p["software"],
        "content_sha256": record.content_sha256,
    }


def write_secondary_capture(path: Path, pixels: np.ndarray, record: DrrRecord) -> None:
    p = record.provenance
    window = (record.display.get("windows") or [{}])[0]
    drr_files.write_secondary_capture(
        path, pixels, patient=record.patient, timepoint=record.timepoint, view=record.view,
        content_sha256=record.content_sha256, series_key=p["series_content_sha256"], orientation=p["patient_orientation"],
        pixel_spacing_mm=float(p["pixel_spacing_mm"]), rescale_slope=projector.FULL_SCALE / 65535.0,
        window=(float(window["center"]), float(window["width"])) if window.get("width") else None,
        description=f"DRR {p['view']} from CT ({p['parameters']['geometry']} beam); {p['software']}",
        deidentification="PS3.15 Annex E Basic Profile; DRR of de-identified CT", version=__version__,
    )


# --- bone surface -------------------------------------------------------------------------------


def bone_surface(study: Study, series_id: int, *, threshold_hu: float | None = None, crop=None,
                 target_triangles: int | None = 150_000):
    """The bone surface of a stored CT series (LPS mm), for the 3D view and STL export."""
    from ..imaging import bone

    with study.db.read() as session:
        series = _series(session, series_id)
        session.expunge(series)
    volume = load_volume(study, series)
    return bone.bone_surface(volume, threshold_hu=bone.BONE_THRESHOLD_HU if threshold_hu is None else threshold_hu,
                             crop=crop, target_triangles=target_triangles, where=series_label(series_id))


def export_stl(study: Study, series_id: int, out: str | Path, *, threshold_hu: float | None = None, crop=None,
               force: bool = False, actor: str | None = None) -> tuple[Path, int]:
    """Write the bone surface as binary STL (for planning and printing); returns (path, triangles)."""
    from ..imaging import bone

    path = Path(out).expanduser()
    if path.suffix.lower() != ".stl":
        raise ValidationError("the surface file must end in .stl", where=str(path), fix="give --out hip.stl")
    if path.exists() and not force:
        raise ValidationError("the file exists", where=str(path), fix="choose another name or add --force")
    mesh = bone_surface(study, series_id, threshold_hu=threshold_hu, crop=crop)
    with atomic_path(path) as partial:
        bone.write_stl(partial, mesh, name=f"bone surface of {series_label(series_id)}")
    with unit_of_work(study, actor) as uow:
        uow.record("drr.surface_export", "ct_series", series_id,
                   after={"triangles": mesh.triangle_count, "threshold_hu": threshold_hu, "crop": list(crop) if crop else None})
    return path, mesh.triangle_count


# --- reads for the GUI (issue 13: the GUI does not open sessions) --------------------------------


def series_volume(study: Study, series_id: int) -> CtVolume:
    """The voxels of a stored CT series (the DRR window loads them when a series is chosen)."""
    with study.db.read() as session:
        series = _series(session, series_id)
        session.expunge(series)
    return load_volume(study, series)
