"""``rushrater clinical import`` (a hospital's per-patient covariates) and ``clinical show``."""

from __future__ import annotations

import json

from ..domain.errors import ValidationError
from ..services import clinical
from ..services.study import open_study


def _print_variables(result: clinical.ClinicalImport) -> None:
    for variable in result.variables.values():
        print(f"  {variable.describe()}")


def _cmd_import(args) -> int:
    if args.write_codebook and args.codebook:
        raise ValidationError("--write-codebook writes the inferred codebook: give it without --codebook",
                              fix="edit the written file, then import with --codebook FILE")
    with open_study(args.study) as study:
        result = clinical.import_clinical(
            study, args.csv, key_file=args.key_file, id_column=args.id_column, code_column=args.code_column,
            codebook=args.codebook, accept_inferred=args.accept_inferred and not args.write_codebook,
            add_patients=args.add_patients,
        )
    if args.write_codebook:
        clinical.write_codebook(args.write_codebook, result.variables)
        print(f"Wrote the inferred codebook to {args.write_codebook}: check the types, levels, labels, units and "
              f"ranges, then import with --codebook {args.write_codebook}. Nothing was stored.")
        return 0
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return 0 if result.stored else 1
    if not result.stored:
        print("No codebook was given; the types inferred from the sheet are:")
        _print_variables(result)
        print("Nothing was stored. Confirm them with --accept-inferred, or write them to a file with "
              "--write-codebook FILE, edit it and import with --codebook FILE.")
        return 1
    print(f"Imported clinical data of {result.patients} patient(s) from {args.csv}: {result.values_added} value(s) added, "
          f"{len(result.changes)} changed, {result.unchanged} unchanged"
          + (f"; {len(result.new_patients)} new patient(s) (codes written to the key file)" if result.new_patients else ""))
    if result.inferred:
        print("Codebook (inferred, accepted):")
        _print_variables(result)
    if result.codebook_versions and not result.inferred:
        print("Codebook entries recorded: " + ", ".join(result.codebook_versions))
    for change in result.changes:
        print(f"  changed: {change}")
    return 0


def _cmd_show(args) -> int:
    with open_study(args.study) as study:
        table = clinical.clinical_table(study, labels=args.labels)
        book = clinical.codebook(study)
    if args.json:
        print(json.dumps({"codebook": [v.__dict__ for v in book.values()],
                          "rows": json.loads(table.to_json(orient="records"))}, indent=2, ensure_ascii=False))
    else:
        for variable in book.values():
            print(f"  {variable.describe()}  [{variable.label}]")
        print(table.to_string(index=False))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("clinical", help="clinical covariates per patient (import a hospital sheet, show)")
    sub = p.add_subparsers(dest="clinical_command", required=True, metavar="COMMAND")
    q = sub.add_parser(
        "import", help="import a per-patient clinical sheet (CSV), all rows or none",
        description="Rows keyed by a hospital identifier are mapped to patient codes through the key file "
        "(--key-file KEY --id-column COL) and the identifier is dropped; or rows give study codes "
        "(--code-column COL). Without --codebook the types are inferred and printed, and nothing is "
        "stored until you confirm them (--accept-inferred) or edit them (--write-codebook FILE, then --codebook FILE).",
    )
    q.add_argument("study", metavar="STUDY")
    q.add_argument("csv", metavar="CSV")
    q.add_argument("--key-file", metavar="KEY", help="the key file (identifier -> patient code), kept outside the study")
    how = q.add_mutually_exclusive_group(required=True)
    how.add_argument("--id-column", metavar="COL", help="column with the hospital identifier (mapped through --key-file, then dropped)")
    how.add_argument("--code-column", metavar="COL", help="column with the study's patient codes")
    q.add_argument("--codebook", metavar="CODEBOOK.csv", help="variable,label,type,unit,min,max,levels (levels: 0=No;1=Yes)")
    q.add_argument("--accept-inferred", action="store_true", help="store with the inferred types (printed)")
    q.add_argument("--write-codebook", metavar="FILE", help="write the inferred codebook to FILE to edit; stores nothing")
    q.add_argument("--add-patients", action="store_true",
                   help="identifiers not in the key file become new patients (codes added to the key file)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_cmd_import)
    q = sub.add_parser("show", help="the codebook and the current clinical values per patient")
    q.add_argument("study", metavar="STUDY")
    q.add_argument("--labels", action="store_true", help="value labels instead of level values")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_cmd_show)

    from .followup import register_events  # follow-up events (issue 15)

    register_events(sub)
