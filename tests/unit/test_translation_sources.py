"""The Simplified Chinese translation source is complete: every message of the GUI and of the RUSH
rubric is translated, keeps its placeholders, and the rubric context matches the built-in rubric."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from rushrater.domain.rubric import RUSH

TS = Path(__file__).resolve().parents[2] / "resources" / "translations" / "rushrater_zh_CN.ts"
PLACEHOLDER = re.compile(r"\{[^}]*\}|%\d|%n|%v|%m")


def _messages():
    for context in ET.parse(TS).getroot().findall("context"):
        for message in context.findall("message"):
            yield context.findtext("name"), message


def test_every_message_is_translated_with_its_placeholders():
    problems = []
    for context, message in _messages():
        translation = message.find("translation")
        if translation.get("type") in ("vanished", "obsolete"):
            continue
        source = message.findtext("source")
        forms = [f.text or "" for f in translation.findall("numerusform")] or [translation.text or ""]
        if translation.get("type") == "unfinished" or not all(forms):
            problems.append((context, source, "untranslated"))
        elif context != "Rubric" and any(sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(f)) for f in forms):
            problems.append((context, source, "placeholders differ"))
    assert problems == []


def test_the_rubric_context_covers_the_built_in_rubric():
    rubric = {(m.findtext("source"), m.findtext("comment")) for c, m in _messages() if c == "Rubric"}
    for item in RUSH.items:
        assert (item.label, f"{item.key}.label") in rubric
        assert (item.definition, f"{item.key}.definition") in rubric
        for level in item.levels:
            assert (level.anchor, f"{item.key}.level{level.value}") in rubric
    for component in RUSH.components:
        assert (component.label, f"{component.key}.label") in rubric
