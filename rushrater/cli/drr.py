"""``rushrater drr`` (radiographs from a CT series), ``drr-export`` (DRR sets for model training)
and ``drr-surface`` (the bone surface as STL)."""

from __future__ import annotations

import json

from ..imaging import drr as projector
from ..services import drr as drr_service
from ..services.study import open_study
from .format import row_id


def _cmd_drr(args) -> int:
    if args.as_case and not (args.patient and args.timepoint):
        args._parser.error("--as-case needs --patient CODE and --timepoint T")  # usage error: exit 2
    params = projector.DrrParameters(
        geometry=args.geometry, sid_mm=args.sid, bone_boost=args.bone_boost, bone_threshold_hu=args.bone_threshold,
        pixel_mm=args.pixel, side=args.side, crop=projector.parse_crop(args.crop),
    )
    views = projector.parse_views(args.views)
    with open_study(args.study) as study:
        made = drr_service.make_drrs(study, args.series, views, params,
                                     as_case=(args.patient, args.timepoint) if args.as_case else None)
    if args.json:
        print(json.dumps([d.__dict__ for d in made], indent=2, default=str))
        return 0
    for d in made:
        where = f"case {d.case} {d.view_code}" if d.case else f"item {d.item} (needs assignment)"
        print(f"{d.view}: {d.width}x{d.height} px at {d.pixel_mm:.3f} mm, magnification {d.provenance['magnification']:.3f} -> {where}")
    if not args.as_case and any(d.view_code for d in made):
        print("Place them with --as-case --patient CODE --timepoint T, or rushrater assign STUDY --item N ...")
    return 0


def _cmd_export(args) -> int:
    formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
    with open_study(args.study) as study:
        manifest = drr_service.export_drrs(study, args.out, formats=formats, force=args.force)
    print(f"DRRs exported; manifest {manifest}")
    return 0


def _cmd_surface(args) -> int:
    with open_study(args.study) as study:
        path, triangles = drr_service.export_stl(study, args.series, args.out, threshold_hu=args.threshold,
                                                 crop=projector.parse_crop(args.crop), force=args.force)
    print(f"Bone surface ({triangles} triangles, LPS mm) written to {path}")
    return 0


def _cmd_series(args) -> int:
    with open_study(args.study) as study:
        rows = drr_service.list_series(study)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        print(f"{r['series']:>4}  {r['patient']:<12} {r['columns']}x{r['rows']}x{r['slices']}  "
              f"{r['column_spacing_mm']:.3f} x {r['row_spacing_mm']:.3f} x {r['slice_spacing_mm']:.2f} mm")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("drr-series", help="list the study's CT series (numbers for --series)")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_series)


    p = subparsers.add_parser("drr", help="make radiographs (DRRs) from a patient's CT series")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--series", required=True, type=row_id, metavar="ID", help="the CT series number (from bodycomp-import)")
    p.add_argument("--views", default="frontal,lateral", help="comma list of frontal, lateral, axial (default frontal,lateral)")
    p.add_argument("--geometry", choices=projector.GEOMETRIES, default="parallel")
    p.add_argument("--sid", type=float, default=1000.0, metavar="MM", help="source-image distance for cone beam (default 1000)")
    p.add_argument("--bone-boost", type=float, default=0.0, metavar="B", help="extra weight of bone: μ × (1 + B) above the threshold")
    p.add_argument("--bone-threshold", type=float, default=projector.BONE_THRESHOLD_HU, metavar="HU")
    p.add_argument("--pixel", type=float, metavar="MM", help="detector pixel at the isocentre (default: the finest CT spacing)")
    p.add_argument("--side", choices=("right", "left"), default="right", help="the affected side (lateral detector against it)")
    p.add_argument("--crop", metavar="x0,y0,z0,x1,y1,z1", help="crop box in column,row,slice indices (end exclusive)")
    p.add_argument("--as-case", action="store_true", help="place the AP/LAT DRRs into the patient's case at --timepoint")
    p.add_argument("--patient", metavar="CODE")
    p.add_argument("--timepoint", metavar="T")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_drr, _parser=p)

    p = subparsers.add_parser("drr-export", help="export every DRR (16-bit PNG, TIFF, DICOM SC) with a manifest CSV")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--format", default="png,tiff,dicom", help="comma list of png, tiff, dicom (default all three)")
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    p.set_defaults(func=_cmd_export)

    p = subparsers.add_parser("drr-surface", help="write a CT series' bone surface as binary STL")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--series", required=True, type=row_id, metavar="ID")
    p.add_argument("--out", required=True, metavar="FILE.stl")
    p.add_argument("--threshold", type=float, metavar="HU", help="bone threshold (default 250 HU)")
    p.add_argument("--crop", metavar="x0,y0,z0,x1,y1,z1", help="crop box in column,row,slice indices (end exclusive)")
    p.add_argument("--force", action="store_true", help="overwrite the file")
    p.set_defaults(func=_cmd_surface)
