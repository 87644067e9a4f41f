"""Check one after-sales message against the compliance rules: ``check_message()``.

A pure function: text, platform, language and kind in, findings out; no I/O after the rules
are loaded, no clock. The wizard runs it on every generated message, the CLI on a file.

What it checks (the rules and their sources are in ``rules.yaml``):
- an apology letter has the elements seed 002 requires (apology, the specific problem, a
  concrete solution, a commitment to improve, a way to follow up);
- nothing blames the buyer (seed 002; POLICY-FACTS §11) or uses the deceptive tactics that
  DOMAIN.md leaves out on purpose (made-up tracking numbers, steering the refund reason);
- the platform's message rules: Amazon's communication guidelines and Customer Reviews policy
  (POLICY-FACTS §5.1-5.2, §11), Ozon's communication rules (§5.6), and review law (§5.5).

It is a screen, not a proof: a pattern list cannot understand every sentence, so a message
with no finding still needs a human eye, and ``benchmarks/bench_compliance.py`` measures how
often it is right on a labelled set.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from ..errors import AftersalesError
from .rules import KINDS, LANGS, PLATFORMS, CompiledRule, compiled_rules

MAX_CHARS = 20_000

# One character for one character, so that spans found in the normalised text are spans of the
# original: Russian ё as е, every kind of quote as a straight one, no-break spaces as spaces.
_NORMALISE = str.maketrans({
    "ё": "е", "Ё": "Е",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u02bc": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u300c": '"', "\u300d": '"', "\u300e": '"', "\u300f": '"',
    "\u00a0": " ", "\u202f": " ", "\u2009": " ",
})
# Sentence ends, for the rules' `unless` context. A full stop counts only before a space or
# the end, so "www.example.com" and "12.50" stay in one sentence.
_SENTENCE_END = re.compile(r"[。！？；\n]|[.!?;](?=\s|$)")


def lower_text(text: str) -> str:
    """Lower-case ``text`` one character for one character (the rules' patterns are lower-cased too)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    """One problem in a message: which rule, how bad, why, where, and on what authority.

    ``span`` is ``(start, end)`` in characters of the checked text (``text[start:end]`` is the
    offending passage), or ``None`` when the finding is about something missing.
    """

    rule: str
    severity: str
    message: str
    span: tuple[int, int] | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        """``{"rule", "severity", "message", "span", "source"}`` with ``span`` as ``[start, end]`` or ``None``."""
        return {"rule": self.rule, "severity": self.severity, "message": self.message,
                "span": list(self.span) if self.span is not None else None, "source": self.source}


class _Sentences:
    """Sentence boundaries of a text, found once and only if a rule needs them."""

    def __init__(self, text: str):
        self.text = text
        self._ends: list[int] | None = None

    def around(self, start: int, end: int) -> str:
        if self._ends is None:
            self._ends = [m.end() for m in _SENTENCE_END.finditer(self.text)]
        ends = self._ends
        before = bisect.bisect_right(ends, start) - 1
        first = ends[before] if before >= 0 else 0
        after = bisect.bisect_left(ends, end)
        last = ends[after] if after < len(ends) else len(self.text)
        return self.text[first:last]


def _matches(rule: CompiledRule, text: str, sentences: _Sentences) -> list[tuple[int, int]]:
    spans = []
    for match in rule.pattern.finditer(text):
        start, end = match.span()
        if end <= start:
            continue
        if rule.exempt is not None and rule.exempt.search(text[start:end]):
            continue
        if rule.unless is not None and rule.unless.search(sentences.around(start, end)):
            continue
        spans.append((start, end))
    return spans


def check_message(text: str, platform: str, lang: str, kind: str) -> list[Finding]:
    """Findings for ``text``, a message to a buyer on ``platform`` in ``lang`` of ``kind``.

    ``kind`` is one of ``KINDS``: ``apology`` (seed 002's required elements are errors when
    missing), ``review_reply`` and ``claim_response`` (expected elements are warnings), or
    ``general`` (only what is forbidden). Findings are sorted: missing elements first, then by
    position. Raises :class:`~aftersales.errors.UnknownNameError` for an unknown platform,
    language or kind, and :class:`~aftersales.errors.AftersalesError` for a text that is not a
    string, is empty, or is longer than ``MAX_CHARS``.
    """
    rules = compiled_rules(platform, lang, kind)  # validates the three names
    if not isinstance(text, str):
        raise AftersalesError(f"message must be text, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise AftersalesError(f"message is {len(text):,} characters long; the checker takes at most {MAX_CHARS:,}")
    if not text.strip():
        raise AftersalesError("message is empty: nothing to check")
    normalised = lower_text(text.translate(_NORMALISE))
    sentences = _Sentences(normalised)
    findings: list[Finding] = []
    for compiled in rules:
        rule = compiled.rule
        if rule.check == "required":
            if compiled.pattern.search(normalised) is None:
                findings.append(Finding(rule.id, rule.severity, rule.message, None, rule.source))
            continue
        for span in _matches(compiled, normalised, sentences):
            findings.append(Finding(rule.id, rule.severity, rule.message, span, rule.source))
    findings = _drop_superseded(findings, {c.rule.id: c.rule.superseded_by for c in rules})
    findings.sort(key=lambda f: (f.span is not None, f.span or (0, 0), _SEVERITY_ORDER[f.severity], f.rule))
    return findings


def _drop_superseded(findings: list[Finding], superseded_by: dict[str, tuple[str, ...]]) -> list[Finding]:
    """Drop a finding when a finding of a rule that supersedes it overlaps the same text."""
    by_rule: dict[str, list[tuple[int, int]]] = {}
    for finding in findings:
        if finding.span is not None:
            by_rule.setdefault(finding.rule, []).append(finding.span)
    kept = []
    for finding in findings:
        stronger = superseded_by.get(finding.rule, ())
        if finding.span is not None and any(
            s < finding.span[1] and finding.span[0] < e for other in stronger for s, e in by_rule.get(other, ())
        ):
            continue
        kept.append(finding)
    return kept


def has_errors(findings: list[Finding]) -> bool:
    """True when any finding is an error (the message must not be sent as it is)."""
    return any(f.severity == "error" for f in findings)


__all__ = ["KINDS", "LANGS", "MAX_CHARS", "PLATFORMS", "Finding", "check_message", "has_errors"]
