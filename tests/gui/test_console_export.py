"""The console's Export… and Make report… actions write the same files as the command line."""

from __future__ import annotations

import os
import re

import pytest

pytest.importorskip("PySide6", reason="the coordinator console needs PySide6 (pip install PySide6-Essentials)")
pytest.importorskip("pyreadstat")

from rushrater.services.study import create_study  # noqa: E402


@pytest.fixture
def console(rated_console):
    return rated_console("Console export study", 6)


def _choose(dialog, key: str, path) -> None:
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(key))
    dialog.path_edit.setText(str(path))


def test_export_action_writes_the_chosen_format(console, tmp_path, modal, qtbot):
    import pyreadstat

    out = tmp_path / "out" / "ratings.sav"
    out.parent.mkdir()
    actions = {a.text(): a for a in console.menuBar().actions()[0].menu().actions()}
    assert {"&Export…", "Make &report…"} <= set(actions)
    seen = {}

    def handle(dialog):
        _choose(dialog, "sav", out)
        seen["formats"] = [dialog.format_combo.itemData(i) for i in range(dialog.format_combo.count())]
        if os.environ.get("RUSHRATER_SCREENSHOTS"):
            dialog.grab().save(os.path.join(os.environ["RUSHRATER_SCREENSHOTS"], "export-dialog.png"))
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=60_000)  # written off the GUI thread

    result = modal(lambda: console.open_output_dialog("export"), handle)
    assert result["error"] is None and not result["left_open"]
    assert seen["formats"] == ["csv", "csv-wide", "sav", "dta", "xlsx", "r", "spss", "stata"]
    data, meta = pyreadstat.read_sav(str(out))
    assert len(data) == 6 * 2 * 6 and meta.variable_value_labels["group"] == {1: "attending", 2: "resident"}
    assert (out.parent / "ratings_sav_codebook.csv").exists()
    assert str(out) in console.statusBar().currentMessage()


def test_make_report_action_writes_a_pdf_and_refuses_to_overwrite_without_asking(console, tmp_path, modal,
                                                                                  message_boxes, qtbot, settle):
    out = tmp_path / "report.pdf"

    def make(dialog):
        _choose(dialog, "pdf", out)
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=120_000)  # written off the GUI thread

    assert modal(lambda: console.open_output_dialog("report"), make)["error"] is None
    assert out.read_bytes().startswith(b"%PDF-")
    before = out.read_bytes()
    errors = []

    def again(dialog):
        _choose(dialog, "pdf", out)
        dialog.ok_button.click()  # refused: shows an error, the dialog stays open
        settle()
        errors.append(dialog.isVisible())
        dialog.force_check.setChecked(True)
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=120_000)

    result = modal(lambda: console.open_output_dialog("report"), again)
    assert result["error"] is None and errors == [True]
    assert len(message_boxes) == 1 and "already exists" in message_boxes[0][1]
    assert out.read_bytes() != before and out.read_bytes().startswith(b"%PDF-")


def _cli_help_formats(capsys) -> tuple[list[str], dict[str, str]]:
    """The --format choices and the (name -> description) list of ``rushrater export --help``."""
    from rushrater.cli.main import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["export", "--help"])
    text = capsys.readouterr().out
    choices = re.search(r"--format \{([^}]*)\}", text).group(1).split(",")
    listed, block = {}, text.split("formats (--format):\n", 1)[1]
    for line in block.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, description = line.split(None, 1)
            listed[name] = description
        elif line.strip():  # a wrapped description continues
            listed[name] += " " + line.strip()
    return choices, listed


def test_cli_help_and_the_export_dialog_list_exactly_the_registrys_formats(qtbot, tmp_path, monkeypatch, capsys):
    """Both read services/export/formats.py: a format added there appears in the CLI's --format
    choices and help and in the dialog's format list, with its description, in registry order."""
    import dataclasses

    from rushrater.gui.console.export import OutputDialog
    from rushrater.services.export import FORMATS, formats

    study = create_study(tmp_path / "study", "Registry study", actor="test")
    try:
        extra = dataclasses.replace(FORMATS["csv"], name="demo", suffix=".demo", default_name="ratings.demo",
                                    description="Demo format: only this test declares it")
        for added in (False, True):
            if added:
                monkeypatch.setitem(formats.FORMATS, "demo", extra)
            expected = {name: f.description for name, f in FORMATS.items()}
            assert ("demo" in expected) == added
            choices, listed = _cli_help_formats(capsys)
            assert choices == list(expected) and listed == expected
            dialog = OutputDialog(study, "export")
            qtbot.addWidget(dialog)
            combo = dialog.format_combo
            assert [combo.itemData(i) for i in range(combo.count())] == list(expected)
            assert [combo.itemText(i) for i in range(combo.count())] == list(expected.values())
            if added:
                combo.setCurrentIndex(combo.findData("demo"))
                assert dialog.path_edit.text().endswith("ratings.demo")
    finally:
        study.close()
