"""The Examples in the outcome statistics' docstrings run and print what they say."""

from __future__ import annotations

import doctest

import pytest

from rushrater.stats import correlation, logistic, roc


@pytest.mark.parametrize("module", [roc, logistic, correlation])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0
