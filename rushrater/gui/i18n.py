"""Helpers for translatable text.

Counted phrases use Qt's numerus form so translators can give every plural form:
``plural(self.tr("%n case(s)", "", n), n)``. Without a translation Qt returns the English source
with ``%n`` filled in; :func:`plural` then settles the English "(s)".
"""

from __future__ import annotations


def plural(text: str, n: int) -> str:
    return text.replace("(s)", "" if n == 1 else "s")
