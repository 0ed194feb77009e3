"""Corpus tests report their pass rates in pytest's terminal summary, whatever the capture setting."""
from __future__ import annotations

from tests.corpus.scoring import SCORES


def pytest_terminal_summary(terminalreporter) -> None:
    """One line per suite: passed/checked and the rate."""
    if not SCORES:
        return
    terminalreporter.section("wirefeed corpus pass rates")
    total_ok = total = 0
    for suite, score in sorted(SCORES.items()):
        terminalreporter.write_line(score.line(suite))
        total_ok += score.passed
        total += score.checked
    if total:
        terminalreporter.write_line(f"{'overall':<38} {total_ok:>5}/{total:<5} {100 * total_ok / total:6.1f}%")
