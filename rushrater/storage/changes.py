"""Which study entities a write transaction touched, read off the ORM flushes and bulk statements.

``Database.write()`` attaches :func:`track_changes` to every write session; the unit of work
(``services.unit_of_work``) reads :func:`changed_entities` when it commits and hands the result to
the windows that follow the study. Tracking at the flush means a service cannot forget to say what
it changed; raw ``text()`` SQL is invisible here, so a write that uses it names its entity itself.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..domain.changes import Entity

#: Every table of the schema, and the entity a user sees change when a row of it changes.
TABLE_ENTITIES: dict[str, Entity] = {
    "study": Entity.STUDY,
    "rubric": Entity.STUDY,
    "rubric_component": Entity.STUDY,
    "rubric_item": Entity.STUDY,
    "rubric_level": Entity.STUDY,
    "timepoint": Entity.STUDY,
    "rater_group": Entity.RATERS,
    "rater": Entity.RATERS,
    "rater_db_role": Entity.RATERS,
    "patient": Entity.CASES,
    "reading_case": Entity.CASES,
    "image": Entity.IMAGES,
    "image_deidentification": Entity.IMAGES,
    "staged_image": Entity.IMAGES,
    "redaction_template": Entity.IMAGES,
    "image_blob": Entity.IMAGES,
    "reading_plan": Entity.READING_PLAN,
    "assignment": Entity.READING_PLAN,
    "rating": Entity.RATINGS,
    "rating_score": Entity.RATINGS,
    "consensus": Entity.CONSENSUS,
    "audit_event": Entity.AUDIT,
    "ct_series": Entity.BODY_COMPOSITION,
    "patient_anthropometry": Entity.BODY_COMPOSITION,
    "body_composition": Entity.BODY_COMPOSITION,
    "clinical_variable": Entity.CLINICAL,
    "clinical_value": Entity.CLINICAL,
    "follow_up_event": Entity.FOLLOW_UP,
    "training_case": Entity.TRAINING,
    "training_read": Entity.TRAINING,
}

_KEY = "rushrater.changed_entities"


def track_changes(session: Session) -> None:
    """Collect, for the life of ``session``, the entities its flushes and bulk statements change."""
    session.info[_KEY] = set()

    @event.listens_for(session, "after_flush")
    def _flushed(session: Session, _context) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            table = getattr(getattr(obj, "__table__", None), "name", None)
            if table is not None and (obj not in session.dirty or session.is_modified(obj)):
                _add(session, table)

    @event.listens_for(session, "do_orm_execute")
    def _bulk(state) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            if table is not None:
                _add(state.session, table.name)


def mark_changed(session: Session, *entities: Entity) -> None:
    """Name entities a write changed that the flush cannot see (raw SQL)."""
    session.info.setdefault(_KEY, set()).update(entities)


def changed_entities(session: Session) -> frozenset[Entity]:
    return frozenset(session.info.get(_KEY, ()))


def _add(session: Session, table: str) -> None:
    # A table missing from the map is a schema change that forgot it: count it as the whole study.
    session.info.setdefault(_KEY, set()).add(TABLE_ENTITIES.get(table, Entity.STUDY))
