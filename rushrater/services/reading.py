"""One rater's reading session: log in, read the next case, submit, go back, resume.

The workstation (GUI) talks only to :class:`ReadingSession`. What it hands the GUI is *blinded*:
a :class:`CaseView` carries the images, their display attributes and "case 37 of 240", never a
patient code, time point, case code or file name. The session keeps the link from a case view to
the database rows (and from an image to its stored file) to itself.

Every submit goes through :func:`~rushrater.services.ratings.submit_rating`, which commits before
returning; each case view carries its own submission id, so a retried submit stores one rating.
Resuming is the same query as reading: the current case is always the first unfinished one.

Rater identity. In a study with more than one rater every rater needs a credential (a PIN or
password, stored only as its scrypt hash): set at enrolment by the coordinator, or chosen by the
rater at their first login (:meth:`ReadingSession.login` with ``new_pin``), so nobody else can open
a session as them and see or change their scores. The only exception is a rater the coordinator
explicitly marks "open workstation" (:func:`~rushrater.services.raters.set_open_workstation`,
recorded in the audit trail) -- the demo's one person-left rater. A session is bound to its rater:
it corrects only case views it issued itself, and every correction of a submitted case ("go back")
asks for the credential again.

If either image of a case fails to load, the workstation reports it
(:meth:`ReadingSession.report_image_failure`, kept in the audit trail for the coordinator) and the
session refuses scores for that case: it can only be marked unreadable.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ..domain.changes import NO_CHANGES, Changes
from ..domain.errors import NotFoundError, ValidationError
from ..domain.settings import DEFAULTS
from ..imaging.attributes import DisplayAttributes
from ..storage import models, queries
from . import audit, training
from .ratings import SubmittedRating, correct_rating, submit_rating
from .study import Study
from .unit_of_work import unit_of_work

# scrypt cost: about 50 ms and 16 MiB per check on a laptop (RFC 7914 interactive-login figures).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PIN_PATTERN = re.compile(r"\S{4,32}")


class PinError(ValidationError):
    """A missing or wrong PIN at login."""


class CredentialNeeded(PinError):
    """The rater has no PIN yet and the study needs one: they choose it before their first case."""


#: Study setting: codes of raters the coordinator allowed to read without a credential.
OPEN_WORKSTATION_SETTING = "open_workstation_raters"

#: The reason an unreadable submission carries when the case's images could not be shown.
IMAGE_FAILED_REASON = "unreadable: image failed to load"


# -- PINs ----------------------------------------------------------------------------------------


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            pin.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected) // 2
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


def check_pin_format(pin: str) -> None:
    if not PIN_PATTERN.fullmatch(pin or ""):
        raise ValidationError("a PIN is 4 to 32 characters without spaces", fix="choose a longer PIN")


def is_open_workstation(study: Study, code: str) -> bool:
    return code in (study.settings.get(OPEN_WORKSTATION_SETTING) or [])


def needs_credential(study: Study, session, rater: models.Rater) -> bool:
    """Whether this rater must have a PIN: any study with more than one rater, unless the
    coordinator marked the rater "open workstation"."""
    return len(queries.raters(session)) > 1 and not is_open_workstation(study, rater.code)


def set_rater_pin(study: Study, rater: str, pin: str | None, *, actor: str | None = None) -> Changes:
    """Set (or with ``None`` remove) a rater's PIN. The audit trail records that it changed, not the PIN."""
    if pin is not None:
        check_pin_format(pin)
    with unit_of_work(study, actor) as uow:
        row = queries.rater_by_code_or_name(uow.session, rater)
        if row is None:
            raise NotFoundError(f"no rater {rater!r} in this study", fix="see `rushrater raters list STUDY`")
        had = row.pin_hash is not None
        row.pin_hash = hash_pin(pin) if pin is not None else None
        uow.record("rater.pin", "rater", row.id, before={"pin_set": had}, after={"pin_set": pin is not None})
    return uow.changes


@dataclass(frozen=True)
class RaterChoice:
    """A rater as the login screen lists them.

    Names only, no progress: the login list is on a shared workstation, where the next person at
    the keyboard is another rater. How far a colleague has got (or that they have not started) is
    coordinator information -- it can nudge a rater's pace or hint at which cases others found
    slow -- and stays in the coordinator console and ``rushrater status``. A rater sees their own
    progress once logged in.
    """

    code: str
    name: str
    group: str
    has_pin: bool
    #: No PIN yet and the study needs one: the rater chooses it at this login.
    must_set_pin: bool


def raters_for_login(study: Study) -> list[RaterChoice]:
    with study.db.read() as session:
        return [
            RaterChoice(
                rater.code,
                rater.name,
                rater.group.name,
                rater.pin_hash is not None,
                rater.pin_hash is None and needs_credential(study, session, rater),
            )
            for rater in queries.raters(session)
        ]


@dataclass(frozen=True)
class ImageLoadFailure:
    """An image a rater's workstation could not show (for the coordinator, never for raters)."""

    at: datetime
    rater: str
    case: str
    view: str
    error: str


def image_load_failures(study: Study) -> list[ImageLoadFailure]:
    """Every image load failure the workstations reported, newest first."""
    with study.db.read() as session:
        codes = {c.id: c.code for c in queries.cases(session)}
        events = queries.audit_events(session, action="image.load_failed")
        result = [
            ImageLoadFailure(
                e.at,
                e.actor.removeprefix("rater:"),
                codes.get(int(e.entity_id), str(e.entity_id)),
                (e.after or {}).get("view", ""),
                (e.after or {}).get("error", ""),
            )
            for e in events
        ]
    return sorted(result, key=lambda f: f.at, reverse=True)


# -- what the workstation sees -------------------------------------------------------------------


@dataclass(frozen=True)
class ImageView:
    """One image of a case, blinded: an opaque id, its view and what display needs."""

    id: int
    view: str  # "AP" or "LAT"
    width: int
    height: int
    attributes: DisplayAttributes


@dataclass(frozen=True)
class CaseView:
    """A case as the rater sees it. ``key`` is opaque (not the case code)."""

    key: int
    number: int  # this is case ``number`` of ``total`` in the rater's list
    total: int
    images: tuple[ImageView, ...]
    submission_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    #: When reopened for a change (edit policy "previous"): the values submitted last time.
    previous_values: Mapping[str, int] | None = None
    previous_unreadable: str | None = None
    #: A training case (issue 17): ``number`` of ``total`` count the training round; the submit
    #: returns a :class:`~rushrater.services.training.TrainingFeedback`.
    training: bool = False

    @property
    def correcting(self) -> bool:
        return self.previous_values is not None or self.previous_unreadable is not None

    def image(self, view: str) -> ImageView | None:
        return next((i for i in self.images if i.view == view), None)


@dataclass(frozen=True)
class _CaseRef:
    key: int
    case_id: int
    read_number: int
    reverified: bool = False  # issued by previous() after the rater's credential was checked again
    training_round: int | None = None  # a training case, in this round of the rater's training


class ReadingSession:
    """A logged-in rater working through their reading list. Create with :meth:`login`."""

    def __init__(self, study: Study, rater: models.Rater, *, clock: Callable[[], datetime] = audit.now):
        self.study = study
        self.rater_id = rater.id
        self.rater_code = rater.code
        self.rater_name = rater.name
        self._clock = clock
        self._refs: dict[str, _CaseRef] = {}  # submission id of each view issued -> its case
        self._files: dict[int, tuple[str, str]] = {}  # image id -> (storage key, file hash)
        self._failed_cases: set[tuple[int, int]] = set()  # (case id, read number) whose images failed
        self._skipped_training: set[int] = set()  # training cases whose images failed in this session

    @classmethod
    def login(cls, study: Study, rater: str, pin: str | None = None, *, new_pin: str | None = None) -> ReadingSession:
        """Open a session as ``rater``, checking their PIN.

        A rater without a PIN in a study that needs one is refused with :class:`CredentialNeeded`
        unless they choose one now (``new_pin``); only its hash is stored, so not even the
        coordinator can read it.
        """
        with study.db.read() as session:
            row = queries.rater_by_code_or_name(session, rater)
            if row is None:
                raise NotFoundError(f"no rater {rater!r} in this study", fix="pick your name from the list")
            if row.pin_hash is not None:
                _check_pin(row, pin)
            elif new_pin is None and needs_credential(study, session, row):
                raise CredentialNeeded(
                    f"{row.name} has no PIN yet",
                    fix="choose a PIN (4 to 32 characters) before your first case; only you will know it",
                )
            session.expunge(row)
        if row.pin_hash is None and new_pin is not None:
            check_pin_format(new_pin)
            _set_first_pin(study, row.id, new_pin, actor=audit.rater_actor(row.code))
        return cls(study, row)

    def asks_pin_for_changes(self) -> bool:
        """Whether going back to a submitted case asks for the rater's PIN (they have one)."""
        with self.study.db.read() as session:
            return session.get(models.Rater, self.rater_id).pin_hash is not None

    def check_credential(self, pin: str | None) -> None:
        """Ask for the rater's credential again (before a change to a submitted case)."""
        with self.study.db.read() as session:
            row = session.get(models.Rater, self.rater_id)
            if row.pin_hash is not None:
                _check_pin(row, pin)
            elif needs_credential(self.study, session, row):
                raise CredentialNeeded(f"{row.name} has no PIN", fix="log in again and choose a PIN")

    # settings the workstation follows
    @property
    def edit_policy(self) -> str:
        return self.study.settings.edit_policy

    @property
    def blank_screen_ms(self) -> int:
        return int(self.study.settings.blank_screen_ms)

    @property
    def idle_pause_seconds(self) -> float:
        # 0 has always meant the default pause, not "never pause".
        return float(self.study.settings.idle_pause_seconds or DEFAULTS["idle_pause_seconds"])

    @property
    def rubric(self):
        return self.study.rubric

    def progress(self) -> tuple[int, int]:
        """(cases done, cases in the list)."""
        with self.study.db.read() as session:
            return queries.assignment_progress(session, self.rater_id)

    def current(self) -> CaseView | None:
        """The first unfinished case (re-reads still in washout wait), or None when all are done."""
        upcoming = self.upcoming(1)
        return upcoming[0] if upcoming else None

    def upcoming(self, count: int) -> list[CaseView]:
        """The next ``count`` unfinished cases in list order: the current one first."""
        with self.study.db.read() as session:
            rater = session.get(models.Rater, self.rater_id)
            pending = training.pending(self.study, session, rater)
            if training.blocks_study(self.study, pending):
                todo = [c for c in pending.case_ids if c not in self._skipped_training]
                if todo or training.policy(self.study) == "until_passed":
                    images = queries.case_images(session, todo[:count])
                    return [
                        self._view(-(10**9 + c), c, 1, pending.done + 1 + n, pending.of, images[c],
                                   training_round=pending.round, training=True)
                        for n, c in enumerate(todo[:count])
                    ]
            done, total = queries.assignment_progress(session, self.rater_id)
            assignments = queries.next_assignments(
                session, self.rater_id, self._clock(), limit=count, washout=self._washout()
            )
            images = queries.case_images(session, [a.case_id for a in assignments])
            return [
                self._view(a.id, a.case_id, a.read_number, done + 1 + n, total, images[a.case_id])
                for n, a in enumerate(assignments)
            ]

    def _washout(self) -> timedelta:
        """Re-reads wait this long after the rater's own first read of the case (study setting)."""
        return timedelta(days=float(self.study.settings.washout_days))

    def _view(self, key, case_id, read_number, number, total, images, *, reverified=False, training_round=None,
              **extra) -> CaseView:
        views = []
        for image in sorted(images, key=lambda i: (i.view != "AP", i.view)):
            self._files[image.id] = (image.storage_key, image.file_sha256)
            attributes = DisplayAttributes.from_dict(image.display) if image.display else _legacy_attributes(image)
            views.append(ImageView(image.id, image.view, image.width, image.height, attributes))
        view = CaseView(key=key, number=number, total=total, images=tuple(views), **extra)
        self._refs[view.submission_id] = _CaseRef(key, case_id, read_number, reverified, training_round)
        return view

    def load_pixels(self, image: ImageView) -> np.ndarray:
        """Stored pixels of an image, checked against their hash. Safe to call from a worker thread."""
        key, sha = self._files[image.id]
        return self.study.images.load(key, sha)

    # -- submitting ------------------------------------------------------------------------------

    def _ref(self, case: CaseView) -> _CaseRef:
        # Views are known by their submission id (random, one per view issued): a case view from
        # another rater's session is never accepted here, even if its key happens to match.
        ref = self._refs.get(case.submission_id)
        if ref is None or ref.key != case.key:
            raise NotFoundError(
                f"this case was not opened in {self.rater_name}'s session", fix="reopen the reading session"
            )
        return ref

    # -- images that did not load ----------------------------------------------------------------

    def report_image_failure(self, case: CaseView, view: str, error: str) -> Changes:
        """The workstation could not show an image of this case (hash mismatch, missing file, decode
        error). Recorded for the coordinator; from now on this session takes no scores for the case."""
        ref = self._ref(case)
        key = (ref.case_id, ref.read_number)
        if key in self._failed_cases:
            return NO_CHANGES
        self._failed_cases.add(key)
        image_id = next((i.id for i in case.images if i.view == view), None)
        with unit_of_work(self.study, audit.rater_actor(self.rater_code)) as uow:
            uow.record(
                "image.load_failed", "reading_case", ref.case_id,
                after={"image_id": image_id, "view": view, "read_number": ref.read_number, "error": str(error)[:500]},
            )
        return uow.changes

    def images_failed(self, case: CaseView) -> bool:
        ref = self._ref(case)
        return (ref.case_id, ref.read_number) in self._failed_cases

    def _refuse_scores_on_failed_images(self, ref: _CaseRef, values, unreadable_reason) -> None:
        if unreadable_reason is None and (ref.case_id, ref.read_number) in self._failed_cases:
            raise ValidationError(
                "this case's images did not load, so it cannot be scored",
                fix=f"mark it unreadable ({IMAGE_FAILED_REASON!r}); the study coordinator sees the failure",
            )

    def submit(
        self,
        case: CaseView,
        values: Mapping[str, int] | None,
        *,
        started_at: datetime | None = None,
        active_seconds: float | None = None,
        viewer_state: dict[str, Any] | None = None,
        unreadable_reason: str | None = None,
    ) -> SubmittedRating | training.TrainingFeedback | None:
        """Store the rating (committed when this returns); the same case view stores it once.

        A training case's read goes to the training table and returns the reference beside it."""
        if case.correcting:
            raise ValidationError("this case was already submitted; a change needs a reason", fix="use correct()")
        ref = self._ref(case)
        self._refuse_scores_on_failed_images(ref, values, unreadable_reason)
        if ref.training_round is not None:
            return self._submit_training(ref, case, values, started_at, active_seconds, unreadable_reason)
        return submit_rating(
            self.study,
            self.rater_id,
            ref.case_id,
            None if unreadable_reason is not None else dict(values or {}),
            read_number=ref.read_number,
            started_at=started_at,
            active_seconds=active_seconds,
            viewer_state=viewer_state,
            unreadable_reason=unreadable_reason,
            submission_id=case.submission_id,
        )

    def _submit_training(self, ref, case, values, started_at, active_seconds, unreadable_reason):
        """A training read: stored apart from study ratings; the reference comes back for the rater."""
        if unreadable_reason is not None:
            if (ref.case_id, ref.read_number) in self._failed_cases:
                self._skipped_training.add(ref.case_id)  # nothing to compare: left for another session
                return None
            raise ValidationError(
                "a training case has reference scores to compare yours with, so it is scored, not marked unreadable",
                fix="score every item; if the images cannot be read, tell the study coordinator",
            )
        return training.submit_training_read(
            self.study, self.rater_id, ref.case_id, ref.training_round, values,
            submission_id=case.submission_id, started_at=started_at, active_seconds=active_seconds,
        )

    def can_go_back(self) -> bool:
        if self.edit_policy != "previous":
            return False
        with self.study.db.read() as session:
            return queries.last_rating_by(session, self.rater_id) is not None

    def previous(self, pin: str | None = None) -> CaseView | None:
        """The case submitted last, with its current values, when the edit policy allows going back.

        Shows submitted scores and opens them for change, so the rater's credential is checked again
        (:class:`PinError` when it is missing or wrong).
        """
        if self.edit_policy != "previous":
            return None
        self.check_credential(pin)
        with self.study.db.read() as session:
            rating = queries.last_rating_by(session, self.rater_id)
            if rating is None:
                return None
            assignment = queries.assignment_for(session, self.rater_id, rating.case_id, rating.read_number)
            _, total = queries.assignment_progress(session, self.rater_id)
            item_keys = self.study.item_keys_by_id
            values = {item_keys[s.item_id]: s.value for s in rating.scores}
            images = queries.case_images(session, [rating.case_id])[rating.case_id]
            position = self._position_of(session, assignment)
            key = -(assignment.id if assignment is not None else rating.id)  # apart from unread keys
            return self._view(
                key,
                rating.case_id,
                rating.read_number,
                position,
                total,
                images,
                previous_values=values or None,
                previous_unreadable=rating.unreadable_reason,
                reverified=True,
            )

    def _position_of(self, session, assignment) -> int:
        if assignment is None:
            return 0
        ordered = [a.id for a in queries.assignments(session, self.rater_id)]
        return ordered.index(assignment.id) + 1

    def correct(
        self,
        case: CaseView,
        values: Mapping[str, int] | None,
        *,
        reason: str,
        active_seconds: float | None = None,
        unreadable_reason: str | None = None,
    ) -> SubmittedRating:
        """A change to a submitted case: a new version with the reason; the old one is kept.

        Only for a view :meth:`previous` issued in this session (after the credential check)."""
        ref = self._ref(case)
        if not ref.reverified:
            raise PinError(
                "a change to a submitted case needs your PIN again", fix="go back to the case and type your PIN"
            )
        self._refuse_scores_on_failed_images(ref, values, unreadable_reason)
        return correct_rating(
            self.study,
            self.rater_id,
            ref.case_id,
            None if unreadable_reason is not None else dict(values or {}),
            reason=reason,
            read_number=ref.read_number,
            active_seconds=active_seconds,
            unreadable_reason=unreadable_reason,
            actor=audit.rater_actor(self.rater_code),
            submission_id=case.submission_id,
        )


def _check_pin(row: models.Rater, pin: str | None) -> None:
    if not pin:
        raise PinError("this rater has a PIN", fix="type your PIN")
    if not verify_pin(pin, row.pin_hash):
        raise PinError("the PIN is not right", fix="type it again, or ask the study coordinator to reset it")


def _set_first_pin(study: Study, rater_id: int, pin: str, *, actor: str) -> None:
    """The rater's own first PIN; refused if one was set meanwhile (e.g. at another workstation)."""
    with unit_of_work(study, actor) as uow:
        row = uow.session.get(models.Rater, rater_id)
        if row.pin_hash is not None:
            raise PinError("a PIN was set for this rater meanwhile", fix="log in with that PIN")
        row.pin_hash = hash_pin(pin)
        # The PIN first: on a server the database accepts a rater's "rater.pin" event only after it.
        uow.session.flush()
        uow.record("rater.pin", "rater", row.id, before={"pin_set": False}, after={"pin_set": True},
                   reason="chosen by the rater at first login")


def _legacy_attributes(image: models.Image) -> DisplayAttributes:
    """Images imported before display attributes were kept as JSON: rebuild from the columns."""
    return DisplayAttributes.from_columns(
        photometric=image.photometric,
        bits_stored=image.bits_stored,
        rescale_slope=image.rescale_slope,
        rescale_intercept=image.rescale_intercept,
        window_center=image.window_center,
        window_width=image.window_width,
        pixel_spacing_mm=image.pixel_spacing_mm,
    )


# -- active time -----------------------------------------------------------------------------------


class ActiveClock:
    """Seconds a rater actually spends on a case.

    Time counts while the window is active, and stops ``idle_limit`` seconds after the last key
    or mouse input until the next one (the rater went for coffee). The GUI feeds it events;
    times come from a monotonic clock so a system clock change does not distort them.
    """

    def __init__(self, idle_limit: float, clock: Callable[[], float] = time.monotonic):
        self.idle_limit = float(idle_limit)
        self._clock = clock
        self.restart()

    def restart(self, focused: bool = True) -> None:
        now = self._clock()
        self._total = 0.0
        self._focused = focused
        self._segment_start = now
        self._last_input = now

    def _open_part(self, now: float) -> float:
        if not self._focused:
            return 0.0
        end = min(now, self._last_input + self.idle_limit)
        return max(0.0, end - self._segment_start)

    def activity(self) -> None:
        now = self._clock()
        self._total += self._open_part(now)
        self._segment_start = now
        self._last_input = now

    def set_focused(self, focused: bool) -> None:
        if focused == self._focused:
            return
        now = self._clock()
        self._total += self._open_part(now)
        self._focused = focused
        self._segment_start = now
        self._last_input = now

    def seconds(self) -> float:
        return self._total + self._open_part(self._clock())
