"""Enrolling raters into groups (e.g. residents and attendings)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.changes import Changes
from ..domain.errors import DuplicateError, NotFoundError, ValidationError
from ..domain.settings import StudySettings
from ..storage import models, queries
from . import audit
from .reading import (
    OPEN_WORKSTATION_SETTING,
    check_pin_format,
    hash_pin,
    needs_credential,
)
from .study import Study
from .unit_of_work import unit_of_work


@dataclass(frozen=True)
class RaterInfo:
    id: int
    code: str
    name: str
    group: str


def _clean_name(name: str, what: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationError(f"the {what} name is empty", fix=f"give the {what} a name")
    if len(cleaned) > 100:
        raise ValidationError(f"the {what} name is longer than 100 characters", fix="use a shorter name")
    return cleaned


def add_rater(
    study: Study, name: str, group: str, *, code: str | None = None, pin: str | None = None, actor: str | None = None
) -> RaterInfo:
    """Enrol a rater; ``pin`` (optional) is their workstation PIN, stored only as its hash.

    Without one, a rater in a study with more than one rater chooses their own at first login.
    """
    name = _clean_name(name, "rater")
    group = _clean_name(group, "group")
    if pin is not None:
        check_pin_format(pin)
    with unit_of_work(study, actor) as uow:
        session = uow.session
        if queries.rater_by_name(session, name) is not None:
            raise DuplicateError(
                f"a rater named {name!r} is already enrolled",
                where=str(study.root),
                fix="use a distinguishing name (e.g. add an initial), or keep the existing rater",
            )
        existing_codes = set(queries.rater_codes(session))
        if code is None:
            code = _next_code(existing_codes)
        else:
            code = code.strip().upper()
            if not re.fullmatch(r"[A-Z0-9][A-Z0-9_-]{0,19}", code):
                raise ValidationError(f"rater code {code!r} is not valid", fix="use up to 20 letters, digits, - or _")
            if code in existing_codes:
                raise DuplicateError(f"rater code {code} is already used", fix="choose another --code")
        group_row = queries.group_by_name(session, group)
        if group_row is None:
            group_row = models.RaterGroup(name=group)
            session.add(group_row)
            session.flush()
            uow.record("group.create", "rater_group", group_row.id, after={"name": group})
        rater = models.Rater(
            code=code, name=name, name_key=name.lower(), group_id=group_row.id, created_at=audit.now(),
            pin_hash=hash_pin(pin) if pin is not None else None,
        )
        session.add(rater)
        session.flush()
        uow.record(
            "rater.add", "rater", rater.id, after={"code": code, "name": name, "group": group_row.name, "pin_set": pin is not None},
        )
        # RaterInfo is also the listing (`raters list --json` prints its fields): no Changes on it;
        # the study's listeners hear them.
        return RaterInfo(rater.id, code, name, group_row.name)


def _next_code(existing: set[str]) -> str:
    number = 1
    while f"R{number:02d}" in existing:
        number += 1
    return f"R{number:02d}"


def list_raters(study: Study) -> list[RaterInfo]:
    with study.db.read() as session:
        return [RaterInfo(r.id, r.code, r.name, r.group.name) for r in queries.raters(session)]


@dataclass(frozen=True)
class RaterCredential:
    """Whether a rater can be told apart from whoever sits at the workstation (for the console)."""

    code: str
    name: str
    group: str
    has_pin: bool
    open_workstation: bool
    #: No PIN and not open: the rater must choose a PIN at their next login before reading.
    needs_pin: bool


def rater_credentials(study: Study) -> list[RaterCredential]:
    """Each rater's credential state -- never the PIN itself, which is stored only as a hash."""
    open_codes = set(study.settings.get(OPEN_WORKSTATION_SETTING) or [])
    with study.db.read() as session:
        return [
            RaterCredential(
                r.code, r.name, r.group.name, r.pin_hash is not None, r.code in open_codes,
                r.pin_hash is None and needs_credential(study, session, r),
            )
            for r in queries.raters(session)
        ]


def set_open_workstation(study: Study, rater: str, allowed: bool, *, actor: str | None = None,
                         reason: str | None = None) -> Changes:
    """Let a rater read without a PIN in a multi-rater study (or take that back), in the audit trail.

    Meant for a demo or a training rater whose scores nobody relies on: anyone at the workstation
    can read as an open rater, so their scores are not blinded to other people.
    """
    with unit_of_work(study, actor) as uow:
        session = uow.session
        row = queries.rater_by_code_or_name(session, rater)
        if row is None:
            raise NotFoundError(f"no rater {rater!r} in this study", fix="see `rushrater raters list STUDY`")
        study_row = queries.study(session)
        settings = dict(study_row.settings or {})
        codes = [c for c in settings.get(OPEN_WORKSTATION_SETTING) or [] if c != row.code]
        was_open = row.code in (settings.get(OPEN_WORKSTATION_SETTING) or [])
        if allowed:
            codes.append(row.code)
        settings[OPEN_WORKSTATION_SETTING] = sorted(codes)
        study_row.settings = settings  # reassigned so SQLAlchemy sees the JSON change
        uow.record("rater.open_workstation", "rater", row.id,
                   before={"open_workstation": was_open}, after={"open_workstation": allowed}, reason=reason)
    study.settings = StudySettings.from_stored(settings)
    return uow.changes
