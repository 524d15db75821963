"""``rushrater verify``: is every stored rating, score and audit row what the product wrote?

The checks (all read-only, the same on SQLite and PostgreSQL):

- the append-only triggers are all in place (dropping one is the first step of an edit by hand);
- every scored rating's total and subtotals equal what its item scores add up to, and it has a
  score for each rubric item; an unreadable rating has none;
- version chains: for each rater/case/read (consensus: case/scope; height and body composition:
  patient/assessor) the versions run 1, 2, 3… and each version supersedes the one before it;
- the audit hash chain (storage.audit_chain): each row's hash matches its content and the previous
  row of the same actor;
- each workstation rating agrees with the audit record of its submit or correction, and the number
  of imported ratings equals what the import audit records say.

Each problem names the table and row; none is repaired (a tampered study is evidence).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ..storage import models
from ..storage.queries import verification
from ..storage.audit_chain import hash_of_row
from .study import Study

APPEND_ONLY_TABLES = (
    "rating", "rating_score", "audit_event", "consensus", "patient_anthropometry", "body_composition",
    "training_case", "training_read",
)


@dataclass(frozen=True)
class Finding:
    table: str
    row: str | None
    problem: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row}: {self.problem}" if self.row is not None else f"{self.table}: {self.problem}"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class VerifyReport:
    findings: tuple[Finding, ...]
    checked: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.findings


def verify_study(study: Study) -> VerifyReport:
    findings: list[Finding] = []
    checked: dict[str, int] = {}
    with study.db.read() as session:
        findings += _check_triggers(session)
        checked["rating"] = _check_totals(session, findings)
        for model, group in (
            (models.Rating, ("rater_id", "case_id", "read_number")),
            (models.Consensus, ("case_id", "scope")),
            (models.PatientAnthropometry, ("patient_id",)),
            (models.BodyComposition, ("patient_id", "assessor")),
        ):
            findings += _check_versions(session, model, group)
        checked["audit_event"] = _check_audit_chain(session, findings)
        _check_ratings_against_audit(session, findings)
    return VerifyReport(tuple(findings), checked)


def _check_triggers(session) -> list[Finding]:
    dialect, present = verification.enabled_triggers(session)
    if dialect == "sqlite":
        expected = [f"{t}_no_{verb}" for t in APPEND_ONLY_TABLES for verb in ("update", "delete", "replace")]
    else:
        expected = [f"{t}_append_only" for t in APPEND_ONLY_TABLES]
    return [
        Finding(name.rsplit("_", 2)[0] if "_no_" in name else name.removesuffix("_append_only"), None,
                f"the append-only trigger {name} is missing or disabled (the table can be changed in place)")
        for name in expected if name not in present
    ]


def _check_totals(session, findings: list[Finding]) -> int:
    items = verification.rubric_item_components(session)
    component_of = {item_id: component for item_id, _, component in items}
    items_per_rubric: dict[int, int] = defaultdict(int)
    for _, rubric_id, _ in items:
        items_per_rubric[rubric_id] += 1
    scores: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for rating_id, item_id, value in verification.every_score(session):
        scores[rating_id].append((item_id, value))
    ratings = verification.rating_totals(session)
    for rating_id, rubric_id, total, subtotals, unreadable in ratings:
        own = scores.pop(rating_id, [])
        if unreadable is not None:
            if own:
                findings.append(Finding("rating", str(rating_id), f"marked unreadable but has {len(own)} item score(s)"))
            continue
        if len(own) != items_per_rubric[rubric_id]:
            findings.append(Finding(
                "rating", str(rating_id), f"has {len(own)} item score(s); the rubric has {items_per_rubric[rubric_id]}"))
        recomputed = sum(value for _, value in own)
        if total != recomputed:
            findings.append(Finding("rating", str(rating_id), f"total {total} is not the sum of its item scores ({recomputed})"))
        sums: dict[str, int] = defaultdict(int)
        for item_id, value in own:
            sums[component_of.get(item_id, "?")] += value
        if subtotals is not None and {k: int(v) for k, v in subtotals.items()} != {k: sums.get(k, 0) for k in subtotals}:
            findings.append(Finding("rating", str(rating_id), f"subtotals {dict(subtotals)} do not match the item scores {dict(sums)}"))
    for rating_id in scores:
        findings.append(Finding("rating_score", str(rating_id), "item scores of a rating that does not exist"))
    return len(ratings)


def _check_versions(session, model, group: Iterable[str]) -> list[Finding]:
    findings = []
    chains: dict[tuple, list] = defaultdict(list)
    for row in verification.version_rows(session, model, group):
        chains[row.key].append(row)
    table = model.__tablename__
    for key, versions in chains.items():
        previous = None
        for expected, row in enumerate(versions, start=1):
            if row.version != expected:
                findings.append(Finding(table, str(row.id), f"is version {row.version} of {_describe(group, key)} "
                                                             f"where version {expected} belongs (a version is missing)"))
            wanted = None if previous is None else previous.id
            if row.supersedes_id != wanted:
                findings.append(Finding(table, str(row.id), f"supersedes row {row.supersedes_id}, not the previous "
                                                             f"version of {_describe(group, key)} (row {wanted})"))
            previous = row
    return findings


def _describe(group: Iterable[str], key: tuple) -> str:
    return ", ".join(f"{name}={value}" for name, value in zip(group, key))


def _check_audit_chain(session, findings: list[Finding]) -> int:
    last: dict[str, str | None] = {}
    count = 0
    for row in verification.audit_rows_in_order(session):
        count += 1
        expected_prev = last.get(row.actor)
        if row.row_hash is None:
            findings.append(Finding("audit_event", str(row.id), "has no hash: written outside the product"))
        elif row.prev_hash != expected_prev:
            findings.append(Finding(
                "audit_event", str(row.id),
                "does not follow the previous audit row of "
                f"{row.actor} (a row before it was removed, inserted or changed outside the product)"))
        elif hash_of_row(row, row.prev_hash) != row.row_hash:
            findings.append(Finding("audit_event", str(row.id), "content does not match its hash: changed outside the product"))
        # Follow the stored hash so one bad row is reported once, not every row after it.
        last[row.actor] = row.row_hash
    return count


def _check_ratings_against_audit(session, findings: list[Finding]) -> None:
    recorded: dict[str, dict] = {}
    imported_recorded = 0
    for action, entity_id, after in verification.audit_records_of(session, ("rating.submit", "rating.correct", "ratings.import")):
        if action == "ratings.import":
            imported_recorded += int((after or {}).get("ratings", 0))
        elif entity_id is not None:
            recorded[entity_id] = after or {}
    keys = verification.rubric_item_keys(session)
    values: dict[int, dict[str, int]] = defaultdict(dict)
    for rating_id, item_id, value in verification.every_score(session):
        values[rating_id][keys.get(item_id, str(item_id))] = value
    imported = 0
    for rating in verification.stored_ratings(session):
        if rating.source == "import":
            imported += 1
            continue
        audit_after = recorded.get(str(rating.id))
        if audit_after is None:
            findings.append(Finding("rating", str(rating.id), "has no audit record of its submit: stored outside the product"))
            continue
        stored = {
            "case_id": rating.case_id, "read_number": rating.read_number, "version": rating.version,
            "values": values.get(rating.id) or None, "total": rating.total, "unreadable_reason": rating.unreadable_reason,
        }
        differing = sorted(k for k in stored if k in audit_after and audit_after[k] != stored[k])
        if differing:
            findings.append(Finding("rating", str(rating.id),
                                    f"{', '.join(differing)} differ(s) from what its submit recorded in the audit trail"))
    if imported != imported_recorded:
        findings.append(Finding("rating", None, f"{imported} imported rating(s) stored, but the import records "
                                                f"of the audit trail account for {imported_recorded}"))
