"""One rater's reading session: log in, read the next case, submit, go back, resume.

The workstation (GUI) talks only to :class:`ReadingSession`. What it hands the GUI is *blinded*:
a :class:`CaseView` carries the images, their display attributes and "case 37 of 240", never a
patient code, time point, case code or file name. The session keeps the link from a case view to
the database rows (and from an image to its stored file) to itself.

Every submit goes through :func:`~rushrater.services.ratings.submit_rating`, which commits before
returning; each case view carries its own submission id, so a retried submit stores one rating.
Resuming is the same query as reading: the current case is always the first unfinished one.

PINs are optional (a coordinator sets one per rater); they are stored as scrypt hashes.
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

from ..domain.errors import NotFoundError, ValidationError
from ..imaging.attributes import DisplayAttributes
from ..storage import models, queries
from . import audit
from .ratings import SubmittedRating, correct_rating, submit_rating
from .study import Study

# scrypt cost: about 50 ms and 16 MiB per check on a laptop (RFC 7914 interactive-login figures).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PIN_PATTERN = re.compile(r"\S{4,32}")


class PinError(ValidationError):
    """A missing or wrong PIN at login."""


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


def set_rater_pin(study: Study, rater: str, pin: str | None, *, actor: str | None = None) -> None:
    """Set (or with ``None`` remove) a rater's PIN. The audit trail records that it changed, not the PIN."""
    if pin is not None and not PIN_PATTERN.fullmatch(pin):
        raise ValidationError("a PIN is 4 to 32 characters without spaces", fix="choose a longer PIN")
    actor = actor or audit.coordinator_actor()
    with study.db.write() as session:
        row = queries.rater_by_code_or_name(session, rater)
        if row is None:
            raise NotFoundError(f"no rater {rater!r} in this study", fix="see `rushrater raters list STUDY`")
        had = row.pin_hash is not None
        row.pin_hash = hash_pin(pin) if pin is not None else None
        audit.record(
            session, actor, "rater.pin", "rater", row.id, before={"pin_set": had}, after={"pin_set": pin is not None}
        )


@dataclass(frozen=True)
class RaterChoice:
    """A rater as the login screen lists them."""

    code: str
    name: str
    group: str
    has_pin: bool
    done: int
    assigned: int


def raters_for_login(study: Study) -> list[RaterChoice]:
    with study.db.read() as session:
        progress = queries.progress(session)
        result = []
        for rater in queries.raters(session):
            p = progress.get(rater.id, {})
            result.append(
                RaterChoice(
                    rater.code,
                    rater.name,
                    rater.group.name,
                    rater.pin_hash is not None,
                    p.get("done", 0) + p.get("reread_done", 0),
                    p.get("assigned", 0) + p.get("reread_assigned", 0),
                )
            )
        return result


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

    @property
    def correcting(self) -> bool:
        return self.previous_values is not None or self.previous_unreadable is not None

    def image(self, view: str) -> ImageView | None:
        return next((i for i in self.images if i.view == view), None)


@dataclass(frozen=True)
class _CaseRef:
    case_id: int
    read_number: int


class ReadingSession:
    """A logged-in rater working through their reading list. Create with :meth:`login`."""

    def __init__(self, study: Study, rater: models.Rater, *, clock: Callable[[], datetime] = audit.now):
        self.study = study
        self.rater_id = rater.id
        self.rater_code = rater.code
        self.rater_name = rater.name
        self._clock = clock
        self._refs: dict[int, _CaseRef] = {}
        self._files: dict[int, tuple[str, str]] = {}  # image id -> (storage key, file hash)

    @classmethod
    def login(cls, study: Study, rater: str, pin: str | None = None) -> "ReadingSession":
        with study.db.read() as session:
            row = queries.rater_by_code_or_name(session, rater)
            if row is None:
                raise NotFoundError(f"no rater {rater!r} in this study", fix="pick your name from the list")
            if row.pin_hash is not None:
                if not pin:
                    raise PinError("this rater has a PIN", fix="type your PIN")
                if not verify_pin(pin, row.pin_hash):
                    raise PinError("the PIN is not right", fix="type it again, or ask the study coordinator to reset it")
            session.expunge(row)
        return cls(study, row)

    # settings the workstation follows
    @property
    def edit_policy(self) -> str:
        return str(self.study.settings.get("edit_policy", "previous"))

    @property
    def blank_screen_ms(self) -> int:
        return int(self.study.settings.get("blank_screen_ms", 0) or 0)

    @property
    def idle_pause_seconds(self) -> float:
        return float(self.study.settings.get("idle_pause_seconds", 120) or 120)

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
        return timedelta(days=float(self.study.settings["washout_days"]))

    def _view(self, key, case_id, read_number, number, total, images, **extra) -> CaseView:
        self._refs[key] = _CaseRef(case_id, read_number)
        views = []
        for image in sorted(images, key=lambda i: (i.view != "AP", i.view)):
            self._files[image.id] = (image.storage_key, image.file_sha256)
            attributes = DisplayAttributes.from_dict(image.display) if image.display else _legacy_attributes(image)
            views.append(ImageView(image.id, image.view, image.width, image.height, attributes))
        return CaseView(key=key, number=number, total=total, images=tuple(views), **extra)

    def load_pixels(self, image: ImageView) -> np.ndarray:
        """Stored pixels of an image, checked against their hash. Safe to call from a worker thread."""
        key, sha = self._files[image.id]
        return self.study.images.load(key, sha)

    # -- submitting ------------------------------------------------------------------------------

    def _ref(self, case: CaseView) -> _CaseRef:
        try:
            return self._refs[case.key]
        except KeyError:
            raise NotFoundError("this case was not opened in this session", fix="reopen the reading session") from None

    def submit(
        self,
        case: CaseView,
        values: Mapping[str, int] | None,
        *,
        started_at: datetime | None = None,
        active_seconds: float | None = None,
        viewer_state: dict[str, Any] | None = None,
        unreadable_reason: str | None = None,
    ) -> SubmittedRating:
        """Store the rating (committed when this returns); the same case view stores it once."""
        if case.correcting:
            raise ValidationError("this case was already submitted; a change needs a reason", fix="use correct()")
        ref = self._ref(case)
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

    def can_go_back(self) -> bool:
        if self.edit_policy != "previous":
            return False
        with self.study.db.read() as session:
            return queries.last_rating_by(session, self.rater_id) is not None

    def previous(self) -> CaseView | None:
        """The case submitted last, with its current values, when the edit policy allows going back."""
        if self.edit_policy != "previous":
            return None
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
        """A change to a submitted case: a new version with the reason; the old one is kept."""
        ref = self._ref(case)
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
