"""The built desktop app (packaging/build-linux → dist/rushrater/): it builds the demo study, opens
it in the desktop app offscreen, and exits cleanly; its command line writes the demo study's report
(PDF and HTML, with the matplotlib plots); the pieces PyInstaller cannot find by itself (decoder
plugins, migrations, translations, Qt platform plugins) and the third-party licence list are in the
bundle.

Skipped unless dist/rushrater exists: run packaging/build-linux first (CI does)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "rushrater"
EXE = BUNDLE / "rushrater"

pytestmark = [
    pytest.mark.bundle,
    pytest.mark.skipif(not EXE.is_file(), reason="no built app: run packaging/build-linux first"),
]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        HOME=str(tmp_path / "home"),
    )
    return env


def _recent_studies(tmp_path: Path) -> list[str]:
    try:
        prefs = json.loads((tmp_path / "config" / "rushrater" / "preferences.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [entry["path"] for entry in prefs.get("recent_studies", [])]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo study, built by the bundled app (once for this module)."""
    home = tmp_path_factory.mktemp("bundle-demo")
    demo = home / "demo"
    built = subprocess.run([str(EXE), "demo", str(demo), "--no-gui"], env=_env(home), capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    # every case got both views: the import ran (in the bundle's worker processes) and stored images
    assert (demo / "study.db").is_file() and any((demo / "images").iterdir())
    return demo


def test_the_built_app_opens_the_demo_study_and_exits_cleanly(demo, tmp_path):
    env = _env(tmp_path)
    app = subprocess.Popen([str(EXE), "gui", str(demo)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        # The start window records the study it opened in the user's recent studies.
        while str(demo) not in _recent_studies(tmp_path):
            assert app.poll() is None, app.communicate()
            assert time.monotonic() < deadline, "the app did not open the study within a minute"
            time.sleep(0.1)
        time.sleep(0.5)
        assert app.poll() is None  # still up, not crashed after showing the study
        app.send_signal(signal.SIGTERM)  # what a logout or `kill` sends: the app closes as if by the user
        out, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, err
    assert "Traceback" not in err and "Fatal" not in err, err


def test_the_built_app_writes_the_report_of_the_demo_study(demo, tmp_path):
    """The report draws its plots with matplotlib: a bundle without it fails here, not at a user's desk."""
    import pypdf

    env = _env(tmp_path)
    for name in ("report.pdf", "report.html"):
        done = subprocess.run([str(EXE), "report", str(demo), "--out", str(tmp_path / name)], env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr, done.stderr
    pdf = tmp_path / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) >= 3
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "5. Bland–Altman plots" in text and "7. Software" in text
    assert "matplotlib" in text and "krippendorff" in text  # versions from the bundled metadata
    assert sum(len(page.images) for page in reader.pages) >= 1  # the plots, rendered as PNG
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and html.rstrip().endswith("</html>")
    assert "<svg" in html and "5. Bland–Altman plots" in html  # the plots, inline SVG


def test_the_built_apps_statistics_commands_write_plots_in_every_documented_format(tmp_path):
    """savefig loads a backend module per file type (PDF, SVG; PNG is Agg): each must be in the bundle."""
    import numpy as np

    rng = np.random.default_rng(7)
    x = rng.normal(size=80)
    time_ = rng.exponential(np.exp(-0.5 * x))
    event = (rng.uniform(size=80) < 0.8).astype(int)
    csv = tmp_path / "cox.csv"
    csv.write_text("time,event,x\n" + "".join(f"{t:.6f},{e},{v:.6f}\n" for t, e, v in zip(time_, event, x)))
    magic = {".pdf": b"%PDF-", ".svg": b"<?xml", ".png": b"\x89PNG"}
    for suffix, start in magic.items():
        out = tmp_path / f"zph{suffix}"
        done = subprocess.run([str(EXE), "stats", "cox", str(csv), "--time", "time", "--event", "event",
                               "--predictors", "x", "--plot", str(out)], env=_env(tmp_path), capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert out.read_bytes().startswith(start), suffix


def test_the_bundle_carries_what_is_loaded_by_name(tmp_path):
    internal = BUNDLE / "_internal"
    # pylibjpeg finds its decoders through entry points in the dist-info metadata
    groups = {}
    for dist in ("pylibjpeg_libjpeg", "pylibjpeg_openjpeg"):
        (info,) = internal.glob(f"{dist}-*.dist-info")
        groups[dist] = (info / "entry_points.txt").read_text(encoding="utf-8")
    assert "1.2.840.10008.1.2.4.50" in groups["pylibjpeg_libjpeg"]  # JPEG baseline
    assert "1.2.840.10008.1.2.4.90" in groups["pylibjpeg_openjpeg"]  # JPEG 2000 lossless
    # Alembic runs migration scripts from disk
    assert list((internal / "rushrater" / "storage" / "migrations" / "versions").glob("0001_*.py"))
    assert (internal / "rushrater" / "storage" / "migrations" / "env.py").is_file()
    # compiled translations and the window icon
    assert (internal / "rushrater" / "gui" / "translations" / "rushrater_zh_CN.qm").is_file()
    assert (internal / "rushrater" / "gui" / "icons" / "rushrater.png").is_file()
    # Qt platform plugins: a real display (xcb) and headless (offscreen)
    platforms = internal / "PySide6" / "Qt" / "plugins" / "platforms"
    assert (platforms / "libqxcb.so").is_file() and (platforms / "libqoffscreen.so").is_file()
    assert list((internal / "PySide6" / "Qt" / "plugins" / "imageformats").glob("*.so"))
    # matplotlib's own data (fonts, matplotlibrc) for the report's plots
    assert (internal / "matplotlib" / "mpl-data" / "matplotlibrc").is_file()
    # the licences of what ships: the GPL libraries named, the test-only pingouin absent
    licences = (internal / "THIRD-PARTY-LICENSES.txt").read_text(encoding="utf-8")
    for name in ("krippendorff", "pylibjpeg-libjpeg", "PySide6_Essentials", "psycopg", "matplotlib", "numpy"):
        assert re.search(rf"^{re.escape(name)} \S+: \S", licences, re.MULTILINE | re.IGNORECASE), name
    assert "pingouin" not in licences.lower()
