"""Undo hard line wrapping: wire copy wrapped at ~70 columns arrives as one line per paragraph."""
from __future__ import annotations

MIN_PARAGRAPHS = 5  # too few lines to tell wrapping from short paragraphs
MAX_WIDTH = 100  # wider lines were not wrapped by a teletype-era column limit
FULL_LINE = 0.6  # a wrapped line fills at least this share of the column
MIN_TEXT_LINE = 25
_ENDS_SENTENCE = tuple('.!?:;"”’)]»')


def is_hard_wrapped(paragraphs: list[list[str]]) -> bool:
    """True when most paragraphs are single lines filling one fixed column width."""
    singles = [lines[0] for lines in paragraphs if len(lines) == 1]
    if len(singles) < MIN_PARAGRAPHS or len(singles) < 0.8 * len(paragraphs):
        return False
    width = max(len(line) for line in singles)
    if width > MAX_WIDTH:
        return False
    # Headings, sign-offs and notes are short whatever the wrapping: judge the text lines only.
    text_lines = [line for line in singles if len(line) >= MIN_TEXT_LINE]
    full = sum(1 for line in text_lines if len(line) >= FULL_LINE * width)
    return full >= 0.5 * len(text_lines) >= MIN_PARAGRAPHS / 2


def opens_story(line: str) -> bool:
    """True when a line starts with a dateline (so it is body, not a headline)."""
    from wirefeed.extract.dateline import find_dateline  # late: dateline imports the gazetteer tables

    return find_dateline(line) is not None


def reflow(paragraphs: list[list[str]], title: str = "") -> list[list[str]]:
    """Paragraphs with wrapped lines joined back; unchanged unless the text is hard-wrapped.

    A headline never absorbs the next line: it has no full stop, and the line after it is a
    dateline, not its continuation. So the first paragraph only continues if it opens the story.
    """
    if not is_hard_wrapped(paragraphs):
        return paragraphs
    width = max(len(lines[0]) for lines in paragraphs if len(lines) == 1)
    out: list[list[str]] = []
    for lines in paragraphs:
        previous = out[-1][-1] if len(out) > 1 or (out and opens_story(out[0][0])) else ""
        # A full line that does not end a sentence continues on the next line.
        if (previous and len(previous) >= FULL_LINE * width and not previous.endswith(_ENDS_SENTENCE)
                and previous != title):
            out[-1][-1] = previous + " " + " ".join(lines)
        else:
            out.append(list(lines))
    return out
