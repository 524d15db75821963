"""The study admin password that guards the coordinator console.

Set on first use, kept only as a scrypt hash in the study settings (``admin_password_hash``), so
whoever holds the study folder but not the password cannot open the console. The audit trail
records that the password was set or changed, never the password.
"""

from __future__ import annotations

from ..domain.changes import Changes
from ..domain.errors import ValidationError
from ..storage import queries
from .reading import hash_pin, verify_pin
from .study import Study
from .unit_of_work import unit_of_work

SETTING = "admin_password_hash"
MIN_LENGTH = 8


class AdminPasswordError(ValidationError):
    """A wrong or missing study admin password."""


def has_admin_password(study: Study) -> bool:
    return bool(study.settings.get(SETTING))


def check_admin_password(study: Study, password: str) -> None:
    """Raise :class:`AdminPasswordError` unless ``password`` is the study's admin password."""
    stored = study.settings.get(SETTING)
    if not stored:
        raise AdminPasswordError("no study admin password is set yet", fix="set one first")
    if not password or not verify_pin(password, stored):
        raise AdminPasswordError("wrong study admin password", fix="check the password and try again")


def set_admin_password(study: Study, password: str, *, current: str | None = None, actor: str | None = None) -> Changes:
    """Set the admin password (first use), or change it given the current one."""
    if has_admin_password(study):
        check_admin_password(study, current or "")
    if not password or len(password) < MIN_LENGTH or password.strip() != password:
        raise ValidationError(
            f"the admin password must have at least {MIN_LENGTH} characters and no leading or trailing spaces",
            fix="choose a longer password",
        )
    hashed = hash_pin(password)
    with unit_of_work(study, actor) as uow:
        row = queries.study(uow.session)
        before = dict(row.settings or {})
        row.settings = {**before, SETTING: hashed}
        uow.record("study.admin_password", "study", row.uid, before={"set": SETTING in before}, after={"set": True})
        study.settings = study.settings.with_changes(**{SETTING: hashed})
    return uow.changes
