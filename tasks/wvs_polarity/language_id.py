"""Which language a response is written in, via ``py3langid`` (offline, models shipped in the wheel).

The identifier is restricted to :data:`CANDIDATES`: the four WVS-polarity languages plus the
large Western European languages a model might drift into. Norwegian and Swedish are left out
on purpose: short Danish text is often scored as Norwegian, which would count a correct
Danish answer as the wrong language.
"""

from __future__ import annotations

import re
from functools import lru_cache

CANDIDATES = ("en", "da", "nl", "pt", "de", "fr", "es", "it")
MIN_LETTERS = 20  # below this, identification is a guess: report "undetermined"

_LETTER_RE = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language among :data:`CANDIDATES`, or ``None`` when the
    text has fewer than :data:`MIN_LETTERS` letters."""
    if len(_LETTER_RE.findall(text)) < MIN_LETTERS:
        return None
    return str(_identifier().classify(text)[0])


def is_wrong_language(text: str, expected: str) -> bool | None:
    """``True`` when ``text`` is identified as a language other than ``expected``; ``None``
    when it is too short to tell (counted as undetermined, not as wrong)."""
    detected = detect_language(text)
    return None if detected is None else detected != expected
