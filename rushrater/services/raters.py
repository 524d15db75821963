"""Enrolling raters into groups (e.g. residents and attendings)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.errors import DuplicateError, ValidationError
from ..storage import models, queries
from . import audit
from .study import Study


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


def add_rater(study: Study, name: str, group: str, *, code: str | None = None, actor: str | None = None) -> RaterInfo:
    name = _clean_name(name, "rater")
    group = _clean_name(group, "group")
    actor = actor or audit.coordinator_actor()
    with study.db.write() as session:
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
            audit.record(session, actor, "group.create", "rater_group", group_row.id, after={"name": group})
        rater = models.Rater(
            code=code, name=name, name_key=name.lower(), group_id=group_row.id, created_at=audit.now()
        )
        session.add(rater)
        session.flush()
        audit.record(
            session, actor, "rater.add", "rater", rater.id, after={"code": code, "name": name, "group": group_row.name}
        )
        return RaterInfo(rater.id, code, name, group_row.name)


def _next_code(existing: set[str]) -> str:
    number = 1
    while f"R{number:02d}" in existing:
        number += 1
    return f"R{number:02d}"


def list_raters(study: Study) -> list[RaterInfo]:
    with study.db.read() as session:
        return [RaterInfo(r.id, r.code, r.name, r.group.name) for r in queries.raters(session)]
