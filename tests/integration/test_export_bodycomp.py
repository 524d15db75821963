"""Every export format joins CT body composition with the RUSH results per patient (issue 9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factories import write_ct_series
from rushrater.imaging import ct
from rushrater.services import bodycomp
from rushrater.services.agreement import study_ratings
from rushrater.services.export import FORMATS, export_study
from test_export_formats import rated_study

pyreadstat = pytest.importorskip("pyreadstat")


@pytest.fixture
def measured(make_study, tmp_path):
    """The export study plus one patient with a CT body-composition measurement (a phantom slice)."""
    study = rated_study(make_study, tmp_path, name="bodycomp-export")
    patient = sorted(study_ratings(study).first_reads["patient"].unique())[0]
    image, _exact = ct.phantom(spacing_mm=0.8, noise=10.0)
    write_ct_series(tmp_path / "ct", np.stack([image] * 3))
    bodycomp.import_ct(study, patient, tmp_path / "ct", actor="test")
    bodycomp.set_anthropometry(study, patient, 1.70, "F", actor="test")
    bodycomp.measure(study, patient, assessor="A1", slice_index=1)
    return study, patient


def _read(path):
    if path.suffix == ".csv":
        return pd.read_csv(path)
    frame, meta = pyreadstat.read_sav(path) if path.suffix == ".sav" else pyreadstat.read_dta(path)
    return frame


@pytest.mark.parametrize("fmt", FORMATS)
def test_patients_table_joins_rush_and_body_composition(measured, tmp_path, fmt):
    study, patient = measured
    folder_format = fmt in ("r", "spss", "stata")
    target = tmp_path / (f"export-{fmt}" if folder_format else f"study-{fmt}.{fmt.split('-')[0]}")
    written = export_study(study, fmt, target)
    if fmt == "xlsx":
        table = pd.read_excel(target, sheet_name="patients")
    else:
        files = [f for p in written for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
        matches = [p for p in files if p.stem.endswith("patients")]
        assert len(matches) == 1, written
        table = _read(matches[0])
    body = bodycomp.bodycomp_table(study).set_index("patient")
    row = table[table["patient"] == patient].iloc[0]
    assert row["smi"] == pytest.approx(body.loc[patient, "smi"])
    assert row["vsr"] == pytest.approx(body.loc[patient, "vsr"])
    assert row["height_m"] == pytest.approx(1.70)
    first = study_ratings(study).first_reads
    scored = first[(first["patient"] == patient) & (first["timepoint"] == "day1") & first["total"].notna()]
    assert row["rush_mean_day1"] == pytest.approx(scored["total"].mean())
    # Healing status follows the consensus where one was recorded (the fixture records 17 for one
    # day-1 case), else the raters' mean.
    decided = row["rush_consensus_day1"]
    basis = decided if not pd.isna(decided) else scored["total"].mean()
    assert row["slow_healing_day1"] == float(basis < 18)
    # Every rated patient is listed; those without CT have empty body-composition cells.
    assert set(table["patient"]) == set(first["patient"])
    assert table.loc[table["patient"] != patient, "smi"].isna().all()


def test_patients_table_is_labelled_in_spss(measured, tmp_path):
    study, _ = measured
    written = export_study(study, "sav", tmp_path / "s.sav")
    path = next(p for p in written if p.stem.endswith("patients"))
    _, meta = pyreadstat.read_sav(path)
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert "Skeletal muscle index" in labels["smi"]
    assert meta.variable_value_labels["slow_healing_month1"][1.0].startswith("slow healing")
