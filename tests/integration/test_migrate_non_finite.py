"""Migrating a study an older import left NaN in (issue 18): named before anything is copied.

(Its own module: it opens study.db with sqlite3, which keeps a module out of the PostgreSQL run.)"""

from __future__ import annotations

import datetime

import numpy as np
import pytest

import pgserver
from rushrater.imaging.writers import write_dicom_radiograph
from rushrater.services.imports import import_images


def test_migrate_names_values_an_older_import_stored_as_nan_instead_of_failing_half_way(study, tmp_path):
    import sqlite3

    from rushrater.domain.errors import ValidationError
    from rushrater.services.multisite import migrate_study

    if pgserver.BACKEND == "postgresql" or pgserver.server_problem():
        pytest.skip("needs a SQLite study and a PostgreSQL server")
    src = tmp_path / "src"
    write_dicom_radiograph(src / "a.dcm", np.ones((40, 32), np.uint16), patient_id="MRN5501", patient_name="QUAGGA^ROSALIND",
                           view="AP", study_date=datetime.date(2025, 3, 1))
    import_images(study, [src], key_file=tmp_path / "key.csv")
    study.close()
    with sqlite3.connect(study.root / "study.db") as connection:  # as an import before issue 18 stored it
        connection.execute("UPDATE image SET display = replace(display, '\"pixel_spacing_mm\": 0.15', '\"pixel_spacing_mm\": NaN')")
    url = pgserver.create_database()
    try:
        with pytest.raises(ValidationError, match=r"NaN or infinity.*image\.display, row 1"):
            migrate_study(str(study.root), url, actor="test")
    finally:
        pgserver.drop_database(url.rsplit("/", 1)[1])
