"""Check one after-sales message against the compliance rules: ``check_message()``.

A pure function: text, platform, language and kind in, findings out; no I/O after the rules
are loaded, no clock. The wizard runs it on every generated message, the CLI on a file.

What it checks (the rules and their sources are in ``rules.yaml``):
- an apology letter has the elements seed 002 requires (apology, the specific problem, a
  concrete solution, a commitment to improve, a way to follow up);
- nothing blames the buyer (seed 002; POLICY-FACTS §11) or uses the deceptive tactics that
  DOMAIN.md leaves out on purpose (made-up tracking numbers, steering the refund reason);
- the platform's message rules: Amazon's communication guidelines and Customer Reviews policy
  (POLICY-FACTS §5.1-5.2, §11), Ozon's communication rules (§5.6), and review law (§5.5);
- the message is in the customer's language (seed 004): a text the language detector is sure
  is in another language is a warning (``language.mismatch``, :mod:`.language`).

Before matching, the text is normalised so that look-alike spellings cannot slip past the
patterns (issue 13): Unicode NFKC (fullwidth ``＠ ．`` and letters, ligatures), format characters
(category Cf: zero-width spaces and joiners, soft hyphens, bidi marks) and other invisible
characters dropped, and common defanged forms undone (``example[.]com``, ``(dot)``, ``[at]``,
``(at)``, ``hxxp``, ``shop dot com``). Spans are mapped back, so they still point at the original text.

Besides its patterns, a rule may find its elements by meaning (issue 15; :mod:`.concepts`): the
text is cut into words (jieba for Chinese, pymorphy3 lemmas for Russian, Snowball stems for
English), concepts (remedies, follow-up channels, incentives, review objects, conditions,
off-platform channels, sensitive data...) are looked up as lexicons of those forms, and the rule
fires where its concepts co-occur as its ``relations`` say. Paraphrases are caught that way, and
well-formed apologies in unusual words pass.

When no rule has stopped a message, a learned second opinion reads it whole (:mod:`.learned`: a
naive Bayes model trained on the project's labelled sets): a message that reads like ones a
reviewer stopped is an error (``learned.resembles_stopped``) pointing at its heaviest sentence and
naming the concern it resembles; one close to that is a warning. A concern only some platforms forbid
(off-platform contact) is named only where one of its rules applies (``only_where`` in ``learned.yaml``),
and words that defuse a concern near the sentence it points at make it a warning (``unless``: a review
invited whatever the rating is no gating).

It is a screen, not a proof: a pattern list cannot understand every sentence, so a message
with no finding still needs a human eye, and ``benchmarks/bench_compliance.py`` measures how
often it is right on a labelled set.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import AftersalesError
from ..limits import MAX_MESSAGE_CHARS
from .concepts import analyse, holds
from .language import RULE as LANGUAGE_RULE
from .language import SOURCE as LANGUAGE_SOURCE
from .language import language_mismatch, mismatch_message
from .learned import RULE as LEARNED_RULE
from .learned import opinion, softened
from .learned import texts as learned_texts
from .rules import KINDS, LANGS, PLATFORMS, CompiledRule, compiled_rules

#: Longest message checked (characters): a customer message is at most MAX_MESSAGE_CHARS long.
MAX_CHARS = MAX_MESSAGE_CHARS

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


# ---- folding look-alikes before matching (issue 13) ------------------------------------------
# CJK punctuation the rules match as written (``[^。！？\n]`` means "within one sentence"): NFKC
# would turn it into ASCII, so it is kept.
_KEEP = frozenset("！？，；（）～")
_DROP_KEPT = {ord(c): None for c in _KEEP}
# Invisible characters: every format character (Cf, Unicode 14: soft hyphen, zero-width space,
# joiners, bidi marks, BOM, tags...), the combining grapheme joiner, variation selectors and the
# Hangul fillers. A test checks the class against unicodedata.
_INVISIBLE_CLASS = ("\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
                    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164"
                    "\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
                    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
                    "\U000e0100-\U000e01ef")
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")
# A character may fold to a few (ﬁ → fi, ㎏ → kg); one that folds to more stays as it is, so the
# folded text stays close to the checked text's length.
_MAX_FOLD = 4

_TLD = r"(?:com|net|org|ru|cn|info|biz|shop|store|site|online|io|co|me|de|uk|fr|it|es|su|xyz|top|link|ly)"
_OPEN, _CLOSE = r"[\[({<（【]", r"[\])}>）】]"
_DOT_WORD = r"\s{1,3}(?:dot|точка)\s{1,3}"
# Defanged links and addresses, written to slip past a filter (lowered text). Every repetition is
# bounded or anchored, so a long run of spaces or of "a dot a dot ..." is read in linear time;
# the spaces before a bracketed form are dropped by _undo_defanging.
_DEFANGED = re.compile(
    rf"(?P<dot>{_OPEN}\s{{0,3}}(?:\.|。|dot|точка|点)\s{{0,3}}{_CLOSE}\s{{0,3}})"
    rf"|(?P<at>{_OPEN}\s{{0,3}}(?:@|at|собака|艾特)\s{{0,3}}{_CLOSE}\s{{0,3}})"
    rf"|(?<=[a-z0-9])(?P<word>{_DOT_WORD}|。)(?=(?:[a-z0-9-]{{1,63}}(?:{_DOT_WORD}|\.)){{0,6}}{_TLD}\b)"
    r"|\bhxxp(?P<s>s?)(?=:)"
)


def _fold(text: str) -> tuple[str, list[int], list[int]]:
    """NFKC ``text`` without its invisible characters; ``starts[i]:ends[i]`` is the source of folded character i.

    A base character and the combining marks after it are folded together (``е`` + U+0308 → ``ё``).
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    category = unicodedata.category
    length = len(text)
    i = 0
    while i < length:
        j = i + 1
        while j < length and category(text[j])[0] == "M":
            j += 1
        unit = "".join(c for c in text[i:j] if category(c) != "Cf" and not _INVISIBLE.match(c))
        if unit:
            folded = unit if unit[0] in _KEEP else unicodedata.normalize("NFKC", unit)
            if len(folded) > _MAX_FOLD * len(unit):
                folded = unit
            out.append(folded)
            starts.extend([i] * len(folded))
            ends.extend([j] * len(folded))
        i = j
    return "".join(out), starts, ends


def _undo_defanging(text: str, starts: list[int] | None, ends: list[int] | None
                    ) -> tuple[str, list[int] | None, list[int] | None]:
    """Replace ``[.]``, ``(at)``, `` dot `` (before a top-level domain), ``hxxp``... by what they stand for."""
    if _DEFANGED.search(text) is None:
        return text, starts, ends
    if starts is None or ends is None:
        starts, ends = list(range(len(text))), list(range(1, len(text) + 1))
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    position = 0
    for match in _DEFANGED.finditer(text):
        begin, end = match.span()
        if match.group("dot") is not None or match.group("at") is not None:
            while begin > position and match.start() - begin < 3 and text[begin - 1].isspace():
                begin -= 1  # "ann [at] shop": the spaces before the bracket go too
        out.append(text[position:begin])
        new_starts.extend(starts[position:begin])
        new_ends.extend(ends[position:begin])
        if match.group("dot") is not None or match.group("word") is not None:
            replacement = "."
        elif match.group("at") is not None:
            replacement = "@"
        else:
            replacement = "http" + match.group("s")
        out.append(replacement)
        new_starts.extend([starts[begin]] * len(replacement))
        new_ends.extend([ends[end - 1]] * len(replacement))
        position = end
    out.append(text[position:])
    new_starts.extend(starts[position:])
    new_ends.extend(ends[position:])
    return "".join(out), new_starts, new_ends


#: Chinese A-not-A questions ("能不能", "可不可以"): the 不 in them is no refusal, so it reads as 否
#: (one character for one: spans stay right).
_QUESTION_FORM = re.compile(r"(能|可|会|要|肯|愿)不(\1)")


def normalise(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """The text the rules are matched on, and where each of its characters came from.

    Returns ``(normalised, starts, ends)``: ``text[starts[i]:ends[i]]`` is the source of
    ``normalised[i]``, or ``starts`` and ``ends`` are None when the two are the same length and
    character ``i`` comes from character ``i`` (the common case: nothing to fold). The
    normalised text is NFKC without invisible characters (see ``_INVISIBLE``), with ё as е, every
    quote straight, lower-cased, Chinese A-not-A questions with 否 for 不 ("能否能"), and with
    defanged links and addresses undone.
    """
    starts: list[int] | None = None
    ends: list[int] | None = None
    folded = text
    if not text.isascii():
        probe = text.translate(_DROP_KEPT)
        if _INVISIBLE.search(text) is not None or not unicodedata.is_normalized("NFKC", probe):
            folded, starts, ends = _fold(text)
    lowered = _QUESTION_FORM.sub(r"\1否\2", lower_text(folded.translate(_NORMALISE)))
    return _undo_defanging(lowered, starts, ends)


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
    translations: Mapping[str, str] = field(default_factory=dict, compare=False)  # the message per language

    def message_in(self, lang: str) -> str:
        """The finding's message in ``lang`` (the reader's), English where it has no translation."""
        return self.translations.get(lang) or self.message

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
    spans: list[tuple[int, int]] = []
    if rule.pattern is None:
        return spans
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


def check_message(text: str, platform: str, lang: str, kind: str, *, second_opinion: bool = True) -> list[Finding]:
    """Findings for ``text``, a message to a buyer on ``platform`` in ``lang`` of ``kind``.

    ``kind`` is one of ``KINDS``: ``apology`` (seed 002's required elements are errors when
    missing, but for the commitment to improve, a warning), ``review_reply`` and ``claim_response`` (expected elements are warnings), or
    ``general`` (only what is forbidden). Findings are sorted: missing elements first, then by
    position. Raises :class:`~aftersales.errors.UnknownNameError` for an unknown platform,
    language or kind, and :class:`~aftersales.errors.AftersalesError` for a text that is not a
    string, is empty, or is longer than ``MAX_CHARS``.

    ``second_opinion`` (default on): when no rule found an error, the learned model reads the
    message too (:mod:`.learned`); off, the rules alone speak (to measure them on the sets the
    model was trained on).
    """
    rules = compiled_rules(platform, lang, kind)  # validates the three names
    if not isinstance(text, str):
        raise AftersalesError(f"message must be text, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise AftersalesError(f"message is {len(text):,} characters long; the checker takes at most {MAX_CHARS:,}")
    if not text.strip():
        raise AftersalesError("message is empty: nothing to check")
    normalised, starts, ends = normalise(text)
    sentences = _Sentences(normalised)
    analysis = None
    findings: list[Finding] = []
    for compiled in rules:
        rule = compiled.rule
        meant: list[tuple[int, int]] = []
        if rule.relations and compiled.lexicons is not None:
            if rule.check == "required" and compiled.pattern is not None and compiled.pattern.search(normalised):
                continue
            if analysis is None:
                analysis = analyse(normalised, lang)
            for relation in rule.relations:
                meant.extend(holds(relation, analysis, compiled.lexicons, compiled.unless))
                if meant and rule.check == "required":
                    break
        if rule.check == "required":
            if not meant and (compiled.pattern is None or compiled.pattern.search(normalised) is None):
                findings.append(Finding(rule.id, rule.severity, rule.message, None, rule.source, rule.messages))
            continue
        spans = _matches(compiled, normalised, sentences)
        for span in meant:  # a relation adds what the patterns did not already find
            if not any(s < span[1] and span[0] < e for s, e in spans):
                spans.append(span)
        for start, end in sorted(spans):
            span = (start, end) if starts is None or ends is None else (starts[start], ends[end - 1])
            findings.append(Finding(rule.id, rule.severity, rule.message, span, rule.source, rule.messages))
    findings = _drop_superseded(findings, {c.rule.id: c.rule.superseded_by for c in rules})
    if second_opinion and not has_errors(findings):
        if analysis is None:
            analysis = analyse(normalised, lang)
        second = softened(opinion(normalised, lang, analysis), analysis)
        only_where = learned_texts().get("only_where", {}).get(second.concern)
        if only_where is not None and not set(only_where) & {c.rule.id for c in rules}:
            second = replace(second, severity=None)  # a concern this platform does not forbid
        if second.severity is not None:
            span = second.span
            if span is not None and starts is not None and ends is not None:
                span = (starts[span[0]], ends[span[1] - 1])
            findings.append(Finding(LEARNED_RULE, second.severity, second.message("en"), span, learned_texts()["source"],
                                    {reader: second.message(reader) for reader in LANGS}))
    found_lang = language_mismatch(text, lang)
    if found_lang is not None:
        findings.append(Finding(LANGUAGE_RULE, "warning", mismatch_message(found_lang, lang), None, LANGUAGE_SOURCE,
                                {reader: mismatch_message(found_lang, lang, reader) for reader in LANGS}))
    findings.sort(key=lambda f: (f.span is not None, f.span or (0, 0), _SEVERITY_ORDER[f.severity], f.rule))
    return findings


def _drop_superseded(findings: list[Finding], superseded_by: dict[str, tuple[str, ...]]) -> list[Finding]:
    """Drop a finding when a finding of a rule that supersedes it overlaps the same text, or, for a
    missing element, when the stronger rule reports its element missing too."""
    by_rule: dict[str, list[tuple[int, int]]] = {}
    missing = {finding.rule for finding in findings if finding.span is None}
    for finding in findings:
        if finding.span is not None:
            by_rule.setdefault(finding.rule, []).append(finding.span)
    kept = []
    for finding in findings:
        stronger = superseded_by.get(finding.rule, ())
        if finding.span is None and missing.intersection(stronger):
            continue
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
