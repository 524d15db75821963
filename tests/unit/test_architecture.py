"""The core never needs Qt, and the layers only depend downwards (import-linter contracts)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CORE_MODULES = [
    "rushrater.domain.rubric",
    "rushrater.domain.ordering",
    "rushrater.storage.queries",
    "rushrater.imaging.readers",
    "rushrater.imaging.synthetic",
    "rushrater.services.demo",
    "rushrater.services.ratings",
    "rushrater.cli.main",
]


def test_core_imports_and_runs_with_qt_blocked(tmp_path):
    """Import every core module, and run a CLI command, with PySide6 and pyqtgraph unimportable."""
    code = (
        "import sys\n"
        "for name in ('PySide6', 'shiboken6', 'pyqtgraph'): sys.modules[name] = None\n"
        + "".join(f"import {m}\n" for m in CORE_MODULES)
        + "from rushrater.cli.main import main\n"
        f"assert main(['init', {str(tmp_path / 's')!r}, '--title', 'T']) == 0\n"
        "assert not any(m.startswith(('PySide6', 'pyqtgraph')) and sys.modules[m] is not None for m in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_gui_reports_missing_qt_clearly(tmp_path):
    code = (
        "import sys\n"
        "sys.modules['PySide6'] = None\n"
        "from rushrater.cli.main import main\n"
        "sys.exit(main(['gui']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert "desktop app cannot start" in result.stderr and "pip install" in result.stderr


def test_import_linter_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if lint is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run([lint, "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
