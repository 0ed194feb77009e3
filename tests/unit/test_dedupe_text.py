"""Normalization, shingles, sentence keys, MinHash and band keys: stable, and equal exactly when they should be."""
import subprocess
import sys

import numpy as np

from wirefeed.dedupe import minhash, text
from wirefeed.dedupe.match import features, match

STORY = ("Israeli Defence Minister Israel Katz hosted his Azerbaijani counterpart in Tel Aviv on Monday. "
         "Katz hailed the alliance as a “deep and strategic relationship,” citing Azerbaijan’s support. "
         "Azerbaijan shares a 428-mile border with Iran and supplies 1,234.5 barrels of oil.")


def test_tokens_ignore_case_punctuation_quotes_and_teasers():
    plain = text.tokens(STORY.replace("“", '"').replace("”", '"').replace("’", "'").upper())
    assert plain == text.tokens(STORY)
    assert text.tokens(STORY + "\n\nRead more") == text.tokens(STORY)
    assert "1234.5" in text.tokens(STORY) and "azerbaijan" in text.tokens("Azerbaijan's")


def test_fingerprint_equal_for_same_words_only():
    assert text.fingerprint(text.tokens(STORY)) == text.fingerprint(text.tokens(" ".join(STORY.split())))
    assert text.fingerprint(text.tokens(STORY)) != text.fingerprint(text.tokens(STORY.replace("Monday", "Tuesday")))


def test_shingles_are_sorted_unique_and_short_texts_still_have_one():
    hashes = text.token_hashes(text.tokens(STORY))
    shingles = text.shingles(hashes)
    assert len(shingles) == len(hashes) - text.SHINGLE_WORDS + 1
    assert np.all(np.diff(shingles.astype(np.float64)) > 0)
    assert len(text.shingles(text.token_hashes(["one", "two"]))) == 1
    assert len(text.shingles(text.token_hashes([]))) == 0


def test_facts_read_weekdays_month_days_and_numbers():
    dates, numbers = text.facts(text.tokens("Prices held on Tuesday, June 17 and 18 May; you may go in 2 cars. Rs 94.72"))
    assert dates == {"tuesday", "june 17", "may 18"}
    assert {"94.72", "17", "18", "2"} <= numbers


def test_sentence_keys_skip_short_sentences_and_survive_rewrapping():
    keys = text.sentence_keys(text.sentences(STORY + " It rained. "))
    assert len(keys) == 3
    assert text.sentence_keys(text.sentences(STORY.replace(". ", ".\n\n"))) == keys


def test_hashes_are_the_same_in_another_process():
    # The index lives in PostgreSQL: a key computed today must equal one computed after a restart.
    code = ("from wirefeed.dedupe.match import features; import sys; "
            "sys.stdout.write(','.join(map(str, features(sys.argv[1]).band_keys.tolist())))")
    other = subprocess.run([sys.executable, "-c", code, STORY], capture_output=True, text=True, check=True).stdout
    assert other == ",".join(map(str, features(STORY).band_keys.tolist()))


def test_minhash_estimates_jaccard():
    rng = np.random.default_rng(1)
    base = rng.integers(0, 2**63, size=400, dtype=np.uint64)
    other = np.concatenate([base[:300], rng.integers(0, 2**63, size=100, dtype=np.uint64)])
    a, b = (minhash.signature(np.unique(x), minhash.FULL) for x in (base, other))
    assert abs(np.mean(a == b) - 300 / 500) < 0.12
    assert (minhash.band_keys(a, minhash.FULL) == minhash.band_keys(a, minhash.FULL)).all()
    assert 0.3 < minhash.FULL.threshold() < 0.5


def test_edited_copy_matches_and_short_texts_do_not():
    edited = STORY.replace("Defence", "Defense").replace("Monday", "Monday morning")
    assert match(features(STORY), features(edited))[0] == "near"
    assert match(features("Markets close higher"), features("Markets close higher")) is None


def test_names_skip_sentence_openers_desk_codes_and_calendar_words():
    found = text.names("Officials said Hurco Companies met NASDAQ staff on Monday in May. Prices rose. PTI ZA NSK")
    assert found == {"hurco", "companies", "nasdaq"}
