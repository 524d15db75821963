"""What a write changed: the value every study write returns (after Anki's ``OpChanges``).

A window that shows raters listens for changes that touch :attr:`Entity.RATERS` and reloads only
then; a write that stores a rating does not make the planning tab re-query the study. The entities
are what a user sees change, not tables: storage maps its tables onto them
(``storage.changes.TABLE_ENTITIES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Entity(str, Enum):
    """A kind of thing in a study that a write can change and a window can show."""

    STUDY = "study"  # title, time points, rubric, settings
    RATERS = "raters"  # raters, their groups, PINs and database logins
    CASES = "cases"  # patients and their reading cases (one per patient and time point)
    IMAGES = "images"  # stored images, images awaiting assignment, redactions
    READING_PLAN = "reading_plan"  # reading lists and their assignments
    RATINGS = "ratings"  # submitted ratings and their item scores
    CONSENSUS = "consensus"
    BODY_COMPOSITION = "body_composition"  # CT series, anthropometry, measured indices, DRRs
    CLINICAL = "clinical"  # clinical variables and values
    FOLLOW_UP = "follow_up"  # follow-up events
    TRAINING = "training"  # calibration cases and training reads
    AUDIT = "audit"  # the audit trail itself (every write adds to it)


@dataclass(frozen=True)
class Changes:
    """The entities one write (or several, combined with ``|``) changed. Falsy when nothing did."""

    entities: frozenset[Entity] = field(default_factory=frozenset)
    #: The audit actions recorded (``"ratings.submit"``, ...), in order, for messages and logs.
    actions: tuple[str, ...] = ()

    def touches(self, *entities: Entity) -> bool:
        """Whether any of ``entities`` changed (a view showing them should reload)."""
        return any(entity in self.entities for entity in entities)

    def __bool__(self) -> bool:
        return bool(self.entities)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.entities | other.entities, self.actions + other.actions)

    @classmethod
    def of(cls, *entities: Entity) -> Changes:
        return cls(frozenset(entities))


#: Nothing changed.
NO_CHANGES = Changes()
