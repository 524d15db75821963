"""``rushrater bodycomp`` (measure T12 body composition with the automatic contours) and
``bodycomp-import``, ``bodycomp-height``, ``bodycomp-review``, ``bodycomp-lock``, ``bodycomp-agreement``."""

from __future__ import annotations

import json

from ..services import audit, bodycomp
from ..services.study import open_study


def _print_result(result, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
        return
    vsr = "n/a" if result.vsr is None else f"{result.vsr:.2f}"
    hu = "n/a" if result.muscle_mean_hu is None else f"{result.muscle_mean_hu:.1f} HU"
    print(f"Patient {result.patient}, slice {result.slice_index} ({result.slice_position_mm:.1f} mm, {result.level_source}), "
          f"version {result.version} ({result.status}) by {result.assessor}")
    print(f"  muscle {result.muscle_cm2:.1f} cm²  visceral fat {result.visceral_fat_cm2:.1f} cm²  "
          f"subcutaneous fat {result.subcutaneous_fat_cm2:.1f} cm²  mean muscle {hu}")
    print(f"  SMI {result.smi:.1f}  VFI {result.vfi:.1f}  SFI {result.sfi:.1f} cm²/m²  VSR {vsr}  (height {result.height_m:.2f} m)")
    for flag in result.flags.get("flags", []):
        print(f"  flag: {flag['flag']} ({flag['index'].upper()} < {flag['cutoff']} {flag['unit']}, {flag['sex']}; doi:{flag['doi']})")
    for note in result.flags.get("not_assessed", []):
        print(f"  not assessed: {note}")
    for warning in result.warnings:
        print(f"  warning: {warning}")


def _cmd_measure(args) -> int:
    assessor = args.assessor or audit.coordinator_actor()
    with open_study(args.study) as study:
        series = bodycomp.import_ct(study, args.patient, args.series, key_file=args.key_file) if args.series else None
        if series is not None and not args.patient:
            args.patient = series.patient
            print(f"CT series imported for patient {args.patient} (Patient ID mapped through the key file)")
        if not args.patient:
            from ..domain.errors import ValidationError

            raise ValidationError("give --patient CODE, or --series DIR with --key-file KEY", fix="e.g. --patient P-AB12")
        if args.height is not None:
            bodycomp.set_anthropometry(study, args.patient, args.height, args.sex, source="cli",
                                       reason="entered with bodycomp")
        result = bodycomp.measure(study, args.patient, assessor=assessor, slice_index=args.slice, labels=args.labels,
                                  reason=args.reason, series=series)
        _print_result(result, args.json)
    return 0


def _cmd_import(args) -> int:
    with open_study(args.study) as study:
        series = bodycomp.import_ct(study, args.patient, args.series, key_file=args.key_file)
        print(f"CT series for {series.patient}: {series.slice_count} slices, "
              f"{series.row_spacing_mm:.3f} x {series.column_spacing_mm:.3f} x {series.slice_spacing_mm:.2f} mm (de-identified)")
    return 0


def _cmd_height(args) -> int:
    with open_study(args.study) as study:
        if args.csv:
            count = bodycomp.import_heights(study, args.csv)
            print(f"Recorded heights of {count} patient(s) from {args.csv}")
        else:
            if not args.patient or args.height is None:
                from ..domain.errors import ValidationError

                raise ValidationError("give --patient and --height, or --csv FILE", fix="e.g. --patient P-AB12 --height 1.72 --sex F")
            row = bodycomp.set_anthropometry(study, args.patient, args.height, args.sex, source="cli", reason=args.reason)
            print(f"{args.patient}: height {row.height_m:.2f} m, sex {row.sex or 'not given'} (version {row.version})")
    return 0


def _cmd_review(args) -> int:
    with open_study(args.study) as study:
        _print_result(bodycomp.review(study, args.patient, args.assessor, reviewer=args.reviewer, reason=args.reason), args.json)
    return 0


def _cmd_lock(args) -> int:
    with open_study(args.study) as study:
        _print_result(bodycomp.lock(study, args.patient, args.assessor, actor=args.actor or audit.coordinator_actor()), args.json)
    return 0


def _cmd_agreement(args) -> int:
    with open_study(args.study) as study:
        table = bodycomp.assessor_agreement(study)
    if args.json:
        print(table.to_json(orient="records", indent=2))
    else:
        print(table.to_string(index=False))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("bodycomp", help="measure CT body composition at T12 with the automatic contours")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--patient", metavar="CODE", help="the patient's study code (optional with --series and --key-file)")
    p.add_argument("--series", metavar="DIR", help="CT DICOM folder to import first (default: the patient's imported series)")
    p.add_argument("--key-file", metavar="KEY", help="map the series' DICOM Patient ID to a patient code through the key file "
                   "(a patient without radiographs enters the study)")
    p.add_argument("--slice", type=int, metavar="N", help="axial slice index (0 = most inferior)")
    p.add_argument("--labels", metavar="NIFTI", help="TotalSegmentator label file: propose the mid-T12 slice")
    p.add_argument("--height", type=float, metavar="M", help="height in metres (recorded with the patient)")
    p.add_argument("--sex", choices=("F", "M"), help="sex, for the reference cut-offs")
    p.add_argument("--assessor", help="who measures (default: you)")
    p.add_argument("--reason", help="reason, when re-measuring")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_cmd_measure)

    p = subparsers.add_parser("bodycomp-import", help="import a patient's CT series (de-identified)")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--patient", metavar="CODE", help="the patient's study code (optional with --key-file)")
    p.add_argument("--series", required=True, metavar="DIR")
    p.add_argument("--key-file", metavar="KEY", help="map the series' DICOM Patient ID to a patient code through the key file")
    p.set_defaults(func=_cmd_import)

    p = subparsers.add_parser("bodycomp-height", help="record a patient's height (m) and sex, or import them from CSV")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--patient", metavar="CODE")
    p.add_argument("--height", type=float, metavar="M")
    p.add_argument("--sex", choices=("F", "M"))
    p.add_argument("--csv", metavar="FILE", help="CSV with columns patient,height_m[,sex]")
    p.add_argument("--reason", help="reason, when correcting")
    p.set_defaults(func=_cmd_height)

    p = subparsers.add_parser("bodycomp-review", help="second assessor's review of a body-composition measurement")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--patient", required=True, metavar="CODE")
    p.add_argument("--assessor", required=True, help="who measured")
    p.add_argument("--reviewer", required=True, help="who reviews (not the assessor)")
    p.add_argument("--reason")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_review)

    p = subparsers.add_parser("bodycomp-lock", help="lock a reviewed body-composition measurement")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--patient", required=True, metavar="CODE")
    p.add_argument("--assessor", required=True, help="who measured")
    p.add_argument("--actor", help="who locks (default: you)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_lock)

    p = subparsers.add_parser("bodycomp-agreement", help="inter-assessor ICC per body-composition index")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_agreement)
