"""Consensus: each case's agreed score, kept apart from the independent reads.

The automatic part is computed, never guessed: per case, overall and per rater group, the mean and
median of the raters' totals, the item-wise medians, and discordance flags (spread of totals above a
threshold, or raters split on healing status). A known adjudicator -- the study coordinator
or a panel member registered in the study (:func:`add_panel_member`) -- or a consensus panel of them
records the final score and healing status of a case with a note (:func:`record_consensus`); every
record is a new version (the consensus table is append-only) with who decided and when, written
together with its audit event. A decision that contradicts itself (healing status against its own
total and the cut-off) or the raters (a total outside their range) is stored only when confirmed,
with a note saying why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from ..domain.changes import NO_CHANGES, Changes
from ..domain.errors import NotFoundError, ValidationError
from ..domain.settings import DEFAULTS, StudySettings
from ..storage import models, queries
from . import audit
from .agreement import ALL, TOTAL, StudyRatings, study_ratings
from .study import Study
from .unit_of_work import UnitOfWork, unit_of_work

#: Default: a case is discordant when its raters' totals span more than this many points.
DEFAULT_SPREAD_THRESHOLD = DEFAULTS["discordance_spread"]
METHODS = ("mean", "median", "adjudicated", "panel")
DECIDED_METHODS = ("adjudicated", "panel")
#: Study setting: the names of the people (besides the coordinator) who may decide a consensus.
PANEL_SETTING = "consensus_panel"


@dataclass(frozen=True)
class ConsensusRecord:
    id: int
    case: str
    scope: str
    method: str
    version: int
    total: float | None
    item_values: dict[str, float] | None
    slow_healing: bool | None
    decided_by: str
    decided_at: datetime
    note: str | None
    supersedes_id: int | None
    #: What recording it changed (none for a version read back from the study).
    changes: Changes = field(default=NO_CHANGES, compare=False, repr=False)


def thresholds(study: Study, spread: float | None = None, cutoff: float | None = None) -> tuple[float, float]:
    """(spread threshold, slow-healing cut-off): arguments, else the study settings, else defaults."""
    spread = float(study.settings.discordance_spread if spread is None else spread)
    cutoff = float(study.settings.slow_healing_cutoff if cutoff is None else cutoff)
    if not math.isfinite(spread) or spread < 0:
        raise ValidationError(f"spread threshold {spread} is not possible", fix="give 0 or more points, e.g. 4")
    return spread, cutoff


def automatic_consensus(
    study: Study,
    *,
    spread: float | None = None,
    cutoff: float | None = None,
    ratings: StudyRatings | None = None,
) -> pd.DataFrame:
    """Mean/median consensus and discordance per case, over all raters ("all") and per group.

    Only first reads count (a re-read is the same rater again). Returns one row per case and scope
    with ``case, patient, timepoint, scope, n_raters, mean_total, median_total, min_total,
    max_total, spread, n_slow, slow_by_median, healing_split, discordant, reason`` and one
    ``median_<item>`` column per item.
    """
    spread_limit, cutoff = thresholds(study, spread, cutoff)
    ratings = ratings if ratings is not None else study_ratings(study)
    first = ratings.first_reads
    item_columns = [f"median_{key}" for key in ratings.items]
    columns = [
        "case", "patient", "timepoint", "scope", "n_raters", "mean_total", "median_total", "min_total",
        "max_total", "spread", "n_slow", "slow_by_median", "healing_split", "discordant", "reason", *item_columns,
    ]
    if first.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frames = []
    scopes = [(ALL, first)] + [(g, first[first["group"] == g]) for g in ratings.groups]
    for scope, data in scopes:
        if data.empty:
            continue
        grouped = data.groupby("case", observed=True, sort=False)
        totals = grouped[TOTAL]
        frame = pd.DataFrame(
            {
                "patient": grouped["patient"].first(),
                "timepoint": grouped["timepoint"].first().astype(str),
                "n_raters": totals.count(),
                "mean_total": totals.mean(),
                "median_total": totals.median(),
                "min_total": totals.min(),
                "max_total": totals.max(),
                "n_slow": grouped[TOTAL].apply(lambda s: int((s < cutoff).sum())),
            }
        )
        medians = grouped[ratings.items].median()
        medians.columns = item_columns
        frame = frame.join(medians)
        frame["spread"] = frame["max_total"] - frame["min_total"]
        frame["slow_by_median"] = frame["median_total"] < cutoff
        frame["healing_split"] = (frame["n_slow"] > 0) & (frame["n_slow"] < frame["n_raters"])
        wide = frame["spread"] > spread_limit
        frame["discordant"] = wide | frame["healing_split"]
        frame["reason"] = [
            "; ".join(
                filter(
                    None,
                    [
                        f"totals span {s:g} points (> {spread_limit:g})" if w else "",
                        f"healing status split ({int(n)} of {int(k)} below {cutoff:g})" if h else "",
                    ],
                )
            )
            for s, w, h, n, k in zip(frame["spread"], wide, frame["healing_split"], frame["n_slow"], frame["n_raters"])
        ]
        frame["scope"] = scope
        frames.append(frame.reset_index())
    result = pd.concat(frames, ignore_index=True)[columns]
    order = {tp: i for i, tp in enumerate(ratings.timepoints)}
    result["_tp"] = result["timepoint"].map(order)
    scope_order = {s: i for i, (s, _) in enumerate(scopes)}
    result["_scope"] = result["scope"].map(scope_order)
    return result.sort_values(["_scope", "_tp", "patient"], kind="stable").drop(columns=["_tp", "_scope"]).reset_index(
        drop=True
    )


def discordant_cases(study: Study, *, spread: float | None = None, cutoff: float | None = None,
                     ratings: StudyRatings | None = None) -> pd.DataFrame:
    """Discordant cases over all raters, each with its latest decided consensus (if any).

    Adds ``decided_method``, ``decided_total``, ``decided_by``, ``decided_at`` (empty when nobody has
    decided yet); undecided cases first.
    """
    auto = automatic_consensus(study, spread=spread, cutoff=cutoff, ratings=ratings)
    queue = auto[(auto["scope"] == ALL) & auto["discordant"].astype(bool)].copy()
    current = current_consensus(study)
    decided = current[(current["scope"] == ALL) & current["method"].isin(DECIDED_METHODS)].set_index("case")
    for column, source in (("decided_method", "method"), ("decided_total", "total"), ("decided_by", "decided_by"),
                           ("decided_at", "decided_at")):
        queue[column] = queue["case"].map(decided[source]) if not decided.empty else None
    queue["_undecided"] = queue["decided_method"].isna()
    queue = queue.sort_values("_undecided", ascending=False, kind="stable").drop(columns="_undecided")
    return queue.reset_index(drop=True)


def _as_record(row: models.Consensus, case_code: str) -> ConsensusRecord:
    return ConsensusRecord(
        id=row.id,
        case=case_code,
        scope=row.scope,
        method=row.method,
        version=row.version,
        total=row.total,
        item_values=dict(row.item_values) if row.item_values else None,
        slow_healing=row.slow_healing,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
        supersedes_id=row.supersedes_id,
    )


def _check_scope(session, scope: str) -> str:
    scope = (scope or "").strip()
    if scope == ALL:
        return scope
    group = queries.group_by_name(session, scope)
    if group is None:
        names = [g.name for g in queries.groups(session)]
        raise NotFoundError(f"no rater group {scope!r}", fix=f"use {ALL!r} or one of: {', '.join(names) or 'none yet'}")
    return group.name


def _write(uow: UnitOfWork, case: models.Case, scope: str, method: str, *, total: float | None,
           item_values: dict[str, float] | None, slow_healing: bool | None, decided_by: str, note: str | None,
           confirmed: list[str] | None = None) -> models.Consensus:
    session = uow.session
    previous = queries.latest_consensus(session, case.id, scope)
    row = models.Consensus(
        case_id=case.id,
        scope=scope,
        method=method,
        version=1 if previous is None else previous.version + 1,
        supersedes_id=None if previous is None else previous.id,
        total=total,
        item_values=item_values,
        slow_healing=slow_healing,
        decided_by=decided_by,
        decided_at=audit.now(),
        note=note,
    )
    session.add(row)
    session.flush()
    before = None
    if previous is not None:
        before = {"version": previous.version, "method": previous.method, "total": previous.total,
                  "slow_healing": previous.slow_healing, "decided_by": previous.decided_by}
    uow.record(
        "consensus.record",
        "consensus",
        row.id,
        before=before,
        after={"case": case.code, "scope": scope, "method": method, "version": row.version, "total": total,
               "item_values": item_values, "slow_healing": slow_healing, "decided_by": decided_by,
               **({"confirmed_contradictions": confirmed} if confirmed else {})},
        reason=note,
    )
    return row


# -- who may decide -------------------------------------------------------------------------------

#: What ``decided_by`` may say for the person at the coordinator's keyboard.
COORDINATOR = "coordinator"


def panel_members(study: Study) -> list[str]:
    return list(study.settings.get(PANEL_SETTING) or [])


def add_panel_member(study: Study, name: str, *, actor: str | None = None) -> str:
    """Register a person who may adjudicate (alone or on a panel); returns the name as stored."""
    cleaned = " ".join((name or "").split())
    if not cleaned or len(cleaned) > 100:
        raise ValidationError("a panel member needs a name of 1 to 100 characters", fix="give the person's name")
    if cleaned.lower() == COORDINATOR or ";" in cleaned:
        raise ValidationError(f"{cleaned!r} cannot be a panel member's name", fix="use the person's name")
    with unit_of_work(study, actor) as uow:
        row = queries.study(uow.session)
        settings = dict(row.settings or {})
        members = list(settings.get(PANEL_SETTING) or [])
        if cleaned.lower() in (m.lower() for m in members):
            raise ValidationError(f"{cleaned} is already on the consensus panel")
        settings[PANEL_SETTING] = [*members, cleaned]
        row.settings = settings  # reassigned so SQLAlchemy sees the JSON change
        uow.record("consensus.panel_member", "study", row.uid, after={"name": cleaned})
    study.settings = StudySettings.from_stored(settings)
    return cleaned


def adjudicators(study: Study) -> list[str]:
    """Who may decide a consensus: the coordinator (as the audit trail names them) and the panel."""
    return [audit.coordinator_actor(), *panel_members(study)]


def _known_deciders(study: Study, decided_by: str | Sequence[str], method: str) -> str:
    """``decided_by`` as stored: registered names (``coordinator`` = the coordinator at this keyboard)."""
    names = [decided_by] if isinstance(decided_by, str) else list(decided_by)
    if len(names) == 1 and ";" in names[0]:
        names = names[0].split(";")
    names = [" ".join((n or "").split()) for n in names]
    names = [n for n in names if n]
    if not names:
        raise ValidationError("a consensus needs who decided", fix="choose the adjudicator or the panel members")
    if method == "adjudicated" and len(names) > 1:
        raise ValidationError("an adjudicated consensus is decided by one person",
                              fix="choose one adjudicator, or record it as a panel decision")
    known = {a.lower(): a for a in adjudicators(study)}
    known[COORDINATOR] = audit.coordinator_actor()
    resolved = []
    for name in names:
        match = known.get(name.lower())
        if match is None:
            raise ValidationError(
                f"{name!r} is neither the study coordinator nor a registered panel member",
                fix="choose a known adjudicator, or add the person to the consensus panel first",
            )
        if match not in resolved:
            resolved.append(match)
    return "; ".join(resolved)


def _raters_range(study: Study, case_code: str, scope: str) -> tuple[float, float] | None:
    """Lowest and highest first-read total of the case in the scope (None before anyone read it)."""
    first = study_ratings(study).first_reads
    rows = first[first["case"] == case_code]
    if scope != ALL:
        rows = rows[rows["group"].astype(str) == scope]
    if rows.empty:
        return None
    return float(rows[TOTAL].min()), float(rows[TOTAL].max())


def contradictions(study: Study, case: str, *, total: float, slow_healing: bool, scope: str = ALL) -> list[str]:
    """Why a decided consensus contradicts itself or its raters (empty when it does not)."""
    _, cutoff = thresholds(study)
    found = []
    if bool(slow_healing) != (total < cutoff):
        said = "slow healing" if slow_healing else "not slow healing"
        found.append(f"healing status {said!r} contradicts its total {total:g} and the cut-off {cutoff:g}")
    span = _raters_range(study, case, scope)
    if span is not None and not span[0] <= total <= span[1]:
        found.append(f"total {total:g} lies outside the raters' range {span[0]:g}-{span[1]:g}")
    return found


def record_consensus(
    study: Study,
    case: str | int,
    *,
    decided_by: str | Sequence[str],
    method: str = "adjudicated",
    scope: str = ALL,
    item_values: Mapping[str, Any] | None = None,
    total: float | None = None,
    slow_healing: bool | None = None,
    note: str | None = None,
    confirm_contradiction: bool = False,
    actor: str | None = None,
) -> ConsensusRecord:
    """Record a decided consensus (adjudicator or panel) of a case as a new version.

    Give the 10 item values (the total follows from them) or a total alone; healing status
    defaults to total < the study's cut-off. ``decided_by`` is who decided: ``"coordinator"`` (or
    the coordinator's audit name) or registered panel members' names (several for a panel).
    A decision whose healing status contradicts its total and the cut-off, or whose total lies
    outside the raters' range, needs ``confirm_contradiction`` and a note.
    """
    if method not in DECIDED_METHODS:
        raise ValidationError(f"method {method!r} is not a decision", fix=f"use one of {', '.join(DECIDED_METHODS)}")
    decided_by = _known_deciders(study, decided_by, method)
    values = None
    if item_values:
        score = study.rubric.score(item_values)
        values = {k: float(v) for k, v in score.values.items()}
        if total is not None and float(total) != float(score.total):
            raise ValidationError(f"total {total:g} does not equal the sum of the items ({score.total})")
        total = float(score.total)
    if total is None:
        raise ValidationError("a consensus needs a score", fix="give the 10 item values or the total")
    total = float(total)
    low, high = study.rubric.min_total, study.rubric.max_total
    if not math.isfinite(total) or not low <= total <= high:
        raise ValidationError(f"total {total:g} is outside {low}-{high}", fix=f"give a total from {low} to {high}")
    _, cutoff = thresholds(study)
    if slow_healing is None:
        slow_healing = total < cutoff
    note = note.strip() if note and note.strip() else None
    actor = actor or audit.coordinator_actor()
    with study.db.read() as session:
        case_row = session.get(models.Case, case) if isinstance(case, int) else queries.case_by_code(session, case)
        if case_row is None:
            raise NotFoundError(f"no case {case!r} in this study", fix="see `rushrater consensus STUDY` for case codes")
        case_code = case_row.code
        scope = _check_scope(session, scope)
    problems = contradictions(study, case_code, total=total, slow_healing=bool(slow_healing), scope=scope)
    if problems and not (confirm_contradiction and note):
        raise ValidationError(
            f"this consensus contradicts itself or its raters: {'; '.join(problems)}",
            fix="check the decision; if it is meant, confirm it and say why in the note",
        )
    with unit_of_work(study, actor) as uow:
        session = uow.session
        case_row = session.get(models.Case, case) if isinstance(case, int) else queries.case_by_code(session, case)
        row = _write(uow, case_row, scope, method, total=total, item_values=values,
                     slow_healing=bool(slow_healing), decided_by=decided_by, note=note, confirmed=problems)
        record = _as_record(row, case_row.code)
    return replace(record, changes=uow.changes)


def save_automatic_consensus(study: Study, method: str = "median", *, actor: str | None = None,
                             ratings: StudyRatings | None = None) -> int:
    """Store the computed mean or median consensus of every case and scope; returns rows written.

    A case whose latest consensus in a scope was decided by a person is left alone, and one whose
    latest computed consensus is unchanged gets no new version.
    """
    if method not in ("mean", "median"):
        raise ValidationError(f"automatic consensus is 'mean' or 'median', not {method!r}")
    auto = automatic_consensus(study, ratings=ratings)
    _, cutoff = thresholds(study)
    actor = actor or audit.coordinator_actor()
    item_keys = list(study.rubric.item_keys)
    written = 0
    with unit_of_work(study, actor) as uow:
        session = uow.session
        cases = {c.code: c for c in queries.cases(session)}
        for row in auto.itertuples(index=False):
            total = float(row.mean_total if method == "mean" else row.median_total)
            previous = queries.latest_consensus(session, cases[row.case].id, row.scope)
            if previous is not None and (
                previous.method in DECIDED_METHODS or (previous.method == method and previous.total == total)
            ):
                continue
            items = None
            if method == "median":
                items = {k: float(getattr(row, f"median_{k}")) for k in item_keys}
            _write(uow, cases[row.case], row.scope, method, total=total, item_values=items,
                   slow_healing=bool(total < cutoff), decided_by=actor, note=f"{method} of {row.n_raters} raters")
            written += 1
    return written


def consensus_history(study: Study, case: str | int) -> list[ConsensusRecord]:
    """Every consensus version of a case, oldest first."""
    with study.db.read() as session:
        case_row = session.get(models.Case, case) if isinstance(case, int) else queries.case_by_code(session, case)
        if case_row is None:
            raise NotFoundError(f"no case {case!r} in this study")
        return [_as_record(r, case_row.code) for r in queries.consensus_rows(session, case_row.id)]


def current_consensus(study: Study) -> pd.DataFrame:
    """The latest consensus version per case and scope."""
    columns = ["case", "scope", "method", "version", "total", "slow_healing", "decided_by", "decided_at", "note"]
    with study.db.read() as session:
        codes = {c.id: c.code for c in queries.cases(session)}
        latest: dict[tuple[int, str], models.Consensus] = {}
        for row in queries.consensus_rows(session):
            latest[(row.case_id, row.scope)] = row
        rows = [
            (codes[r.case_id], r.scope, r.method, r.version, r.total, r.slow_healing, r.decided_by, r.decided_at, r.note)
            for r in latest.values()
        ]
    return pd.DataFrame(rows, columns=columns)


def case_scores(study: Study, case: str | int) -> pd.DataFrame:
    """Every rater's current first-read scores of one case (for the adjudication view)."""
    ratings = study_ratings(study)
    with study.db.read() as session:
        case_row = session.get(models.Case, case) if isinstance(case, int) else queries.case_by_code(session, case)
        if case_row is None:
            raise NotFoundError(f"no case {case!r} in this study")
        code = case_row.code
    data = ratings.first_reads
    rows = data[data["case"] == code]
    columns = ["rater", "rater_name", "group", *ratings.items, *ratings.subtotals, TOTAL]
    out = rows[columns].copy()
    out["rater"] = out["rater"].astype(str)
    out["group"] = out["group"].astype(str)
    for key in [*ratings.items, *ratings.subtotals, TOTAL]:
        out[key] = out[key].astype(np.int64)
    return out.sort_values(["group", "rater"]).reset_index(drop=True)


@dataclass(frozen=True)
class CaseImage:
    """One de-identified image of a case, with what display needs (for the adjudication view)."""

    view: str
    pixels: np.ndarray
    attributes: Any  # imaging.attributes.DisplayAttributes


def case_images(study: Study, case: str | int) -> list[CaseImage]:
    """The case's images (AP first), loaded from the image store and checked against their hash."""
    from ..imaging.attributes import DisplayAttributes
    from .reading import _legacy_attributes  # one rule for images imported before display attributes

    with study.db.read() as session:
        case_row = queries.case_details(session, case) if isinstance(case, int) else queries.case_by_code(session, case)
        if case_row is None:
            raise NotFoundError(f"no case {case!r} in this study")
        case_row = queries.case_details(session, case_row.id)
        images = [
            (i.view, i.storage_key, i.file_sha256,
             DisplayAttributes.from_dict(i.display) if i.display else _legacy_attributes(i))
            for i in sorted(case_row.images, key=lambda i: i.view != "AP")
        ]
    return [CaseImage(view, study.images.load(key, sha), attributes) for view, key, sha, attributes in images]
