"""Simulated follow-up events for an outcome study (issue 15): poor rehabilitation depends on age and SMI."""

import csv

import numpy as np


def write_events(study, truth, tmp_path, *, seed: int = 15, import_them: bool = True):
    """Poor rehabilitation (hazard rising with age, falling with SMI) and subsequent fracture per patient,
    as days after surgery, censored at 3-12 months; imported through the real import. Returns the CSV."""
    rng = np.random.default_rng(seed)
    n = len(truth)
    lp = 0.06 * (truth["age"] - 72) - 0.09 * (truth["smi"] - 45)
    event_month = rng.exponential(1 / (0.15 * np.exp(lp)))
    censor_month = rng.uniform(3, 12, n)
    fracture_month = rng.exponential(40, n)
    path = tmp_path / "follow-up.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient", "event", "status", "day"])
        for i, patient in enumerate(truth["patient"]):
            for kind, when in (("poor_rehabilitation", event_month[i]), ("subsequent_fracture", fracture_month[i])):
                status = int(when <= censor_month[i])
                writer.writerow([patient, kind, status, round(min(when, censor_month[i]) * 365.25 / 12, 1)])
    if import_them:
        from rushrater.services.followup import import_events

        import_events(study, path, code_column="patient", actor="test")
    return path
