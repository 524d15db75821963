"""benchmarks/run.py prints each figure as a JSON line as soon as it is measured (a run cut short
keeps them), then the summary object; --quick marks every line and the summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_figures_stream_as_json_lines_then_the_summary():
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only", "stats_roc_delong_100k_s",
         "cox_fit_10k_s"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    figures = [json.loads(line) for line in lines if line.startswith('{"key"')]
    assert [f["key"] for f in figures] == ["stats_roc_delong_100k_s", "cox_fit_10k_s"]
    assert all(f["quick"] is True and f["benchmark_s"] >= 0 for f in figures)
    summary = json.loads("\n".join(lines[len(figures):]))
    assert summary["quick"] is True and summary["total_s"] >= 0
    assert {f["key"]: f["value"] for f in figures} == {k: summary[k] for k in ("stats_roc_delong_100k_s", "cox_fit_10k_s")}
