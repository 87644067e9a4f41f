"""The exception tree of aftersales: one base, precise and located subclasses.

Every error a user can cause is an :class:`AftersalesError`; the CLI prints its one-line
``str()`` and exits 2 (bad input) or 1 (invalid playbooks), never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, Iterable

from .problem_codes import severity as code_severity


class AftersalesError(Exception):
    """Base of every error raised on purpose by aftersales."""

    def _render_traceback_(self) -> list[str]:
        """IPython (notebooks, Papermill) shows this instead of a deep traceback: the message is the news."""
        return [f"{type(self).__name__}: {self}"]


def did_you_mean(name: str, allowed: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest allowed name, or an empty string."""
    match = get_close_matches(str(name), [str(a) for a in allowed], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


@dataclass(frozen=True, order=True)
class Location:
    """A position in a source file: 1-based line and column, as editors show them."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem found in a playbook or profile (validation reports many)."""

    location: Location
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.code}]"

    @property
    def severity(self) -> str:
        """``error`` or ``warning``, from the registry of :mod:`aftersales.problem_codes`
        (``error`` for a code it does not know)."""
        return code_severity(self.code)

    def to_dict(self) -> dict[str, Any]:
        """The problem as plain data for JSON (``validate --format json``): file, line and col
        (None when not known), code, severity and message."""
        line = self.location.line or None
        col = (self.location.col or None) if line else None
        return {"file": self.location.file, "line": line, "col": col, "code": self.code,
                "severity": self.severity, "message": self.message}


class PlaybookError(AftersalesError):
    """A playbook, profile or parameter file is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        first = self.problems[0] if self.problems else "invalid playbook"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{first}{more}")


class UnknownNameError(AftersalesError, LookupError):
    """An unknown scenario, platform, language or parameter was asked for."""

    def __init__(self, kind: str, name: str, allowed: Iterable[str]):
        allowed = sorted(allowed)
        self.kind, self.name, self.allowed = kind, name, allowed
        super().__init__(
            f"unknown {kind} '{name}'{did_you_mean(name, allowed)}; allowed: {', '.join(allowed)}"
        )


class DisabledPlatformError(UnknownNameError):
    """A platform that the store overlay in use turns off was asked for."""

    def __init__(self, name: str, overlay: str, where: str, allowed: Iterable[str]):
        super().__init__("platform", name, allowed)
        self.args = (f"platform '{name}' is disabled by overlay {overlay} ({where}); "
                     f"this store's platforms: {', '.join(self.allowed)}",)


class FactError(AftersalesError, ValueError):
    """A fact given to the engine is unknown, missing, of the wrong type or out of range.

    ``field`` names the fact and ``allowed`` says what would be accepted. This is the one
    documented error type of :func:`aftersales.engine.decide` for bad facts.
    """

    def __init__(self, field: str, problem: str, allowed: str = ""):
        self.field, self.problem, self.allowed = field, problem, allowed
        tail = f"; allowed: {allowed}" if allowed else ""
        super().__init__(f"fact '{field}': {problem}{tail}")


class EvaluationError(AftersalesError):
    """A condition or template failed while deciding (e.g. a parameter is null here)."""


class InputError(AftersalesError, ValueError):
    """An input file or stream (facts, answers, a cases CSV) cannot be read as what it should be:
    larger than its limit, binary or in an unknown encoding, not valid JSON, nested too deep.
    ``source`` names the file (or stdin) and ``allowed`` says what would be accepted."""

    def __init__(self, source: str, problem: str, allowed: str = ""):
        self.source, self.problem, self.allowed = source, problem, allowed
        tail = f"; allowed: {allowed}" if allowed else ""
        super().__init__(f"{source}: {problem}{tail}")
