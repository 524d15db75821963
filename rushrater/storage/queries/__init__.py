"""Read queries the services need, one module per aggregate, so services never write SQL themselves.

Every function here only reads; the writes a service needs besides adding rows are in
:mod:`rushrater.storage.writes`. This package re-exports every query, so ``queries.cases(session)``
works as before; a caller may also import the aggregate's module
(``from ..storage.queries import ratings as rating_queries``).
"""

from __future__ import annotations

from .audit import (  # noqa: F401
    audit_afters,
    audit_events,
)
from .bodycomp import (  # noqa: F401
    all_ct_series,
    body_composition_history,
    ct_series_by_content,
    ct_series_for_patient,
    current_body_compositions,
    CurrentBodyComposition,
    latest_anthropometry,
    latest_body_composition,
)
from .clinical import (  # noqa: F401
    current_clinical_variables,
    latest_clinical_values,
    latest_clinical_variable,
)
from .consensus import (  # noqa: F401
    consensus_export_rows,
    consensus_rows,
    ConsensusExportRow,
    latest_consensus,
)
from .followup import (  # noqa: F401
    latest_follow_up_events,
)
from .imports import (  # noqa: F401
    device_codes_in_use,
    image_deidentification,
    image_deidentification_count,
    image_provenance,
    ImageProvenance,
    images_with_template,
    ImageWithDeidentification,
    known_content_hashes,
    redaction_template,
    redaction_templates,
    referenced_storage_keys,
    staged_by_content,
    staged_image,
    staged_images,
    staged_with_template,
)
from .integrity import (  # noqa: F401
    all_text_values,
    DisplayRow,
    non_finite_json,
    rows_with_display,
    TextValue,
)
from .patient_cases import (  # noqa: F401
    case_by_code,
    case_codes,
    case_details,
    case_for,
    case_has_assignments,
    case_has_ratings,
    case_images,
    CaseOfPatient,
    cases,
    cases_with_patients,
    image_by_id,
    image_views_by_case,
    images_by_content,
    patient_by_code,
    patient_codes,
    patients,
)
from .rater_roster import (  # noqa: F401
    group_by_name,
    groups,
    rater_by_code_or_name,
    rater_by_name,
    rater_codes,
    raters,
)
from .ratings import (  # noqa: F401
    all_rating_rows,
    current_rating,
    current_rating_rows,
    current_ratings,
    CurrentRatingRow,
    last_rating_by,
    rated_keys,
    raters_with_ratings,
    rating_by_submission,
    RatingRows,
    RatingVersionRow,
    ReadKey,
    ScoreRow,
)
from .reading import (  # noqa: F401
    assigned_keys,
    assignment_for,
    assignment_progress,
    AssignmentProgress,
    assignments,
    latest_plan,
    next_assignments,
    progress,
    raters_with_assignments,
    reread_assignments,
    RereadAssignment,
)
from .study_design import (  # noqa: F401
    counts,
    rubric,
    study,
    timepoint_by_key,
    timepoints,
)
from .training import (  # noqa: F401
    training_cases,
    training_read_by_submission,
    training_read_for,
    training_reads,
)
from .verification import (  # noqa: F401
    audit_records_of,
    audit_rows_in_order,
    AuditRecord,
    enabled_triggers,
    every_score,
    ItemComponent,
    rating_totals,
    RatingTotal,
    rubric_item_components,
    rubric_item_keys,
    stored_ratings,
    StoredRating,
    Triggers,
    version_rows,
    VersionRow,
)
