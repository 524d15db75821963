"""The GRRAS reliability report: the PDF renders (pdftoppm), its pages hold the tables (pypdf text),
the HTML is self-contained, and its numbers are the study's agreement report."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from rushrater.cli.main import main
from rushrater.services.agreement import agreement_report
from rushrater.services.report import build_report, write_report
from test_export_formats import rated_study

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("reportlab")


@pytest.fixture
def rated(make_study, tmp_path):
    return rated_study(make_study, tmp_path, name="reported")


def _text(pdf) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages)


def test_pdf_renders_and_its_pages_hold_the_grras_tables(rated, tmp_path):
    out = tmp_path / "report.pdf"
    assert main(["report", str(rated.root), "--out", str(out)]) == 0
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) >= 3
    text = _text(out)
    flat = re.sub(r"\s+", " ", text)
    for heading in ("1. Design", "2. Completeness", "3. Inter-rater reliability (ICC)",
                    "4. Item-level agreement and healing status", "5. Bland–Altman plots", "6. Consensus",
                    "7. Software", "8. Methods paragraph"):
        assert heading in flat, heading
    for fact in ("seed 11", "6 rater(s) with scored first reads", "8 patients", "Koo & Li", "Table 1.", "Krippendorff",
                 "1 read(s) marked unreadable", "statsmodels", "reportlab"):
        assert fact in flat, fact
    report = agreement_report(rated)
    for tp in ("day1", "month1"):
        for group in ("all", "attending", "resident"):
            cell = report.cell(tp, group, "total", "ICC(2,1)")
            assert f"{cell['icc']:.3f} ({cell['ci_low']:.3f}–{cell['ci_high']:.3f})" in flat, (tp, group)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm not found: apt-get install poppler-utils")
    done = subprocess.run([pdftoppm, "-r", "40", "-png", str(out), str(tmp_path / "page")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and not done.stderr, done.stderr
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(reader.pages)
    assert all(p.stat().st_size > 2000 for p in pages)


def test_html_is_self_contained_with_inline_plots_and_the_methods_paragraph(rated, tmp_path):
    out = write_report(rated, tmp_path / "report.html")
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 2  # Bland-Altman, one figure per time point
    assert not re.search(r"""(src|href)=["'](?!#|data:)""", page)  # nothing loaded from elsewhere
    assert '<p class="methods">' in page and "Radiographic Union Score for Hip" in page
    report = agreement_report(rated)
    month = report.cell("month1", "all")
    assert f"{month['icc']:.3f} (95% CI {month['ci_low']:.3f}–{month['ci_high']:.3f}; 7 cases) at Month 1" in page


def test_the_form_and_the_methods_paragraph_follow_the_study(rated):
    doc = build_report(rated, form="ICC(3,1)")
    methods = [b.text for b in doc.blocks if getattr(b, "style", "") == "methods"][0]
    assert "ICC(3,1) (two-way mixed effects, consistency, single rater; McGraw & Wong ICC(C,1))" in methods
    assert "3 attendings, 3 residents" in methods and "(seed 11)" in methods


def test_existing_report_needs_force_and_bad_suffix_is_refused(rated, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    out.write_bytes(b"%PDF old")
    assert main(["report", str(rated.root), "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == b"%PDF old"
    assert main(["report", str(rated.root), "--out", str(out), "--force"]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert main(["report", str(rated.root), "--out", str(tmp_path / "r.docx")]) == 1
    assert "report.pdf or report.html" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
