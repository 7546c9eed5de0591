"""Match a parameter's name in an error message as a whole word.

``pytest.raises(..., match="n")`` passes for almost any message ("must", "integer" and "given"
all contain an n); ``match=whole_word("n")`` passes only when ``n`` stands on its own, so the
message really names the parameter.
"""

from __future__ import annotations

import re


def whole_word(text: str) -> str:
    """A regular expression that finds ``text`` with no letter, digit or underscore on either
    side."""
    return rf"(?<![A-Za-z0-9_]){re.escape(text)}(?![A-Za-z0-9_])"


def names(text: str, message: str) -> bool:
    """Whether ``message`` holds ``text`` as a whole word."""
    return re.search(whole_word(text), message) is not None
