"""Cheap word checks that rule out an expensive case-insensitive regex before it runs."""
from __future__ import annotations

# The characters re.IGNORECASE matches with an ASCII letter that str.lower() does not turn into one
# (long s, dotless i, dotted capital I, Kelvin sign).
_IGNORECASE_TWINS = "ſıİK"
_TO_ASCII = str.maketrans({"ſ": "s", "ı": "i", "İ": "i", "K": "k"})


def ignorecase_fold(text: str) -> str:
    """The text lower-cased the way re.IGNORECASE compares ASCII letters."""
    if not text.isascii() and any(twin in text for twin in _IGNORECASE_TWINS):
        text = text.translate(_TO_ASCII)
    return text.lower()


def holds_any(text: str, words: tuple[str, ...]) -> bool:
    """True when the text holds one of these lower-case ASCII words, in any case."""
    folded = ignorecase_fold(text)
    for word in words:  # a plain loop: this runs on every paragraph, and a generator costs more than the scans
        if word in folded:
            return True
    return False
