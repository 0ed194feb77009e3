"""Language of a text with py3langid (a maintained langid.py fork whose model ships in the wheel)."""
from __future__ import annotations

import re
from functools import lru_cache

from wirefeed.extract.patterns import NEWS_LANGUAGES

SAMPLE_CHARS = 600  # enough: 600 SemEval news texts in 7 languages were all right from 400 characters on
MIN_LETTERS = 20  # below this any answer is a guess
MIN_PROBABILITY = 0.3
CACHED_SAMPLES = 32768  # about 25 MB of samples (~750 bytes each in ASCII, up to 2.5 KB in other scripts)
# MIN_LETTERS letters, each after any run of non-letters: one regex match says whether a text holds them.
_ENOUGH_LETTERS = re.compile(rf"(?:[\W\d_]*+[^\W\d_]){{{MIN_LETTERS}}}")  # possessive: no backtracking


@lru_cache(maxsize=1)
def _identifier():
    """The langid model, loaded once (about 1 s with its trie index) on first use."""
    import numpy as np
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from wirefeed.extract.ngram_states import TrieStates

    class Identifier(LanguageIdentifier):
        """py3langid's classifier with its per-byte feature walk replaced by the vectorised TrieStates."""

        __slots__ = ("states", "log1p")

        def _raw_score(self, text):
            """The same naive Bayes scores as py3langid's, from the same feature counts."""
            features, counts = self.states.visits(text)
            if not len(features):
                return np.zeros(len(self.nb_classes), dtype=np.float32)  # norm_probs: uniform, so abstain
            if len(text) >= len(self.log1p):  # no count exceeds the text's length
                self.log1p = _log1p_table(2 * len(text))
            scores = self.log1p.take(counts) @ self.nb_ptc.take(features, axis=0)
            scores += self.nb_pc
            return scores

    def _log1p_table(size: int) -> np.ndarray:
        """log1p of the float32 counts 0 .. size - 1, by the very ufunc py3langid applies to each count."""
        return np.log1p(np.arange(size, dtype=np.float32))

    identifier = Identifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.states = TrieStates(identifier.tk_nextmove, identifier.tk_row, identifier.tk_output)
    identifier.tk_nextmove = None  # 39 MB that py3langid's own walk needed; the states keep what theirs needs
    identifier.log1p = _log1p_table(4096)
    identifier.set_languages(NEWS_LANGUAGES)
    # Rows gathered from a row-major float32 table cost a tenth of the float16 column slice that
    # set_languages leaves (17 MB more memory); the products are the same to the bit.
    identifier.nb_ptc = np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32)
    return identifier


def load() -> None:
    """Load the model now."""
    _identifier()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or unclear."""
    return _sample_language(text[:SAMPLE_CHARS])


# Wire copies republished by several outlets, and items seen again on every poll of their feed,
# open with the same words: their language is looked up, not worked out again.
@lru_cache(maxsize=CACHED_SAMPLES)
def _sample_language(sample: str) -> str | None:
    """detect_language of a sample already cut to SAMPLE_CHARS."""
    if not _ENOUGH_LETTERS.match(sample):
        return None
    code, probability = _identifier().classify(sample)
    return code if probability >= MIN_PROBABILITY else None
