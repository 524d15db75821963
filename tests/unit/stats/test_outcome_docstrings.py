"""The Examples in the outcome statistics' docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest


# By full name: rushrater.stats.roc and .logistic are also the names of exported functions.
@pytest.mark.parametrize("name", ["roc", "logistic", "correlation"])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"rushrater.stats.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
