"""Pass/fail bookkeeping for the corpus suites, shared by the tests and the terminal summary."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Score:
    """Checks made on one suite, and the first failures (for the assertion message)."""

    passed: int = 0
    checked: int = 0
    failures: list[str] = field(default_factory=list)

    def record(self, ok: bool, what: str) -> None:
        """Count one check; keep what failed."""
        self.checked += 1
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)

    @property
    def rate(self) -> float:
        """Fraction passed (1.0 for a suite with nothing to check)."""
        return self.passed / self.checked if self.checked else 1.0

    def line(self, suite: str) -> str:
        """A summary line: suite, passed/checked, rate."""
        return f"{suite:<38} {self.passed:>5}/{self.checked:<5} {100 * self.rate:6.1f}%"

    def report(self, suite: str, limit: int = 25) -> str:
        """The summary line and the first failures, for an assertion message."""
        shown = "\n  ".join(self.failures[:limit])
        return f"{self.line(suite)}\n  {shown}"


SCORES: dict[str, Score] = {}


def score(suite: str) -> Score:
    """The (fresh) score of a suite."""
    SCORES[suite] = Score()
    return SCORES[suite]
