"""A process killed (SIGKILL) at any moment leaves an intact database holding every rating whose
submit returned. The writer prints a line only after ``submit_rating``/``correct_rating`` returned;
the test kills it at random points, many times, and checks the database each time."""

import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from rushrater.services.planning import plan_reading

WRITER = r"""
import sys, itertools
from rushrater.services.study import open_study
from rushrater.services.planning import reading_list
from rushrater.services.ratings import submit_rating, correct_rating
from rushrater.services.raters import list_raters

study = open_study(sys.argv[1])
keys = study.rubric.item_keys
print("READY", flush=True)
for n in itertools.count():
    for rater in list_raters(study):
        for _, case, _ in reading_list(study, rater.code):
            values = {k: 1 + (n + i) % 3 for i, k in enumerate(keys)}
            try:
                r = submit_rating(study, rater.code, case, values)
            except Exception:
                r = correct_rating(study, rater.code, case, values, reason=f"pass {n}")
            print("ACK", r.id, r.total, flush=True)
"""


@pytest.mark.slow
def test_sigkill_mid_write_never_loses_an_acknowledged_rating(populated_study):
    plan_reading(populated_study, seed=1, actor="test")
    path = populated_study.root
    populated_study.close()
    acknowledged: dict[int, int] = {}
    rng = random.Random(20261121)
    for _ in range(15):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "READY", proc.stderr.read()
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        # A line the kill cut short has no newline: that submit was never acknowledged.
        for line in out.split("\n")[:-1]:
            if line.startswith("ACK"):
                _, rating_id, total = line.split()
                acknowledged[int(rating_id)] = int(total)
        with sqlite3.connect(path / "study.db") as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert con.execute("PRAGMA foreign_key_check").fetchall() == []
            stored = dict(con.execute("SELECT id, total FROM rating"))
            # Every stored rating is complete: all ten items, total equal to their sum.
            incomplete = con.execute(
                "SELECT r.id FROM rating r LEFT JOIN rating_score s ON s.rating_id = r.id "
                "GROUP BY r.id HAVING count(s.item_id) != 10 OR sum(s.value) != max(r.total)"
            ).fetchall()
        assert incomplete == []
        missing = {i: t for i, t in acknowledged.items() if stored.get(i) != t}
        assert missing == {}, f"acknowledged ratings lost: {missing}"
    assert len(acknowledged) > 30  # the writer really was interrupted mid-stream many times
