"""Element detection by meaning: words as lemmas and stems, concepts as sets of them, rules as
concepts that co-occur (issue 15).

A message is cut into words the way each language needs (:func:`analyse`):
- English: letters and digits, each word reduced to its Snowball stem (``refunds`` → ``refund``,
  ``replacement`` → ``replac``);
- Russian: each word reduced to its lemma by pymorphy3 with its Russian dictionary
  (``вернули`` → ``вернуть``, ``Озона`` → ``озон``);
- Chinese: words found by jieba (``您给好评后`` → 您 / 给 / 好评 / 后); a Chinese term matches where
  it starts or ends on a word boundary, so ``评价`` is found in ``好评价``-free text, and a term that
  spans two words still matches.

A *concept* (``concepts:`` in ``rules.yaml``) is a lexicon per language: words and phrases (each
word normalised as above when the lexicon is loaded; ``word*`` matches every stem or lemma that
starts with ``word``, ``=word`` only that form as written (an imperative, not its lemma); ``...`` stands for up to three words, or six characters in Chinese).

A *relation* (a rule's ``relations:``) says how concepts must co-occur for the rule to fire:
``all`` (each present), ``any`` (at least one of these present too), ``none`` (none present before
or among the words found, or just after them: see ``NONE_REACH``),
``within`` (in how many consecutive sentences; default 1) and ``near`` (at most that many words
between the first and the last concept found; for Chinese characters / 2). A required rule is
satisfied when any of its relations holds; a forbidden rule reports each window where one holds.

Nothing is downloaded: jieba's dictionary and pymorphy3's ship in their pip packages. The tools
are loaded on the first check that needs them.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

GAP = "..."
#: Up to this many words (Chinese: characters x 2) stand for one ``...`` in a phrase.
GAP_WORDS = 3
GAP_CHARS = 6
#: A ``none`` concept vetoes a relation when it comes before or among the words found ("we cannot
#: offer a discount for a review"), or at most this many words after them (Chinese: characters).
NONE_REACH = 4
#: Prefixed terms are indexed by this many first characters of their first word (see Lexicon.by_start).
KEY_CHARS = 2

_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_RU_WORD = re.compile(r"[а-яa-z0-9]+(?:-[а-яa-z0-9]+)*")
_SENTENCE_END = re.compile(r"[。！？；\n]|[.!?;](?=\s|$)")
_CLITIC = re.compile(r"'(?:ll|re|ve|d|s|m)$")


@lru_cache(maxsize=1)
def _english() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=65536)
def stem_en(word: str) -> str:
    word = _CLITIC.sub("", word).replace("'", "")  # we'll -> we, you're -> you; don't -> dont
    return str(_english().stemWord(word))


@lru_cache(maxsize=65536)
def lemma_ru(word: str) -> str:
    if not re.search(r"[а-я]", word):
        return word
    return str(_morph().parse(word)[0].normal_form).replace("ё", "е")


def _normalise_word(word: str, lang: str) -> str:
    return stem_en(word) if lang == "en" else lemma_ru(word) if lang == "ru" else word


@dataclass
class Analysis:
    """One normalised text cut into words (with their stems or lemmas) and sentences."""

    text: str
    lang: str
    starts: list[int]
    ends: list[int]
    norms: list[str]
    raws: list[str]
    sentence_ends: list[int]
    _cache: dict[str, list[tuple[int, int]]]

    def sentence_of(self, position: int) -> int:
        return bisect.bisect_right(self.sentence_ends, position)

    def word_of(self, position: int) -> int:
        return max(0, bisect.bisect_right(self.starts, position) - 1)

    def sentence_span(self, first: int, last: int) -> tuple[int, int]:
        """Characters of sentences ``first`` to ``last`` (inclusive)."""
        begin = self.sentence_ends[first - 1] if 0 < first <= len(self.sentence_ends) else 0
        end = self.sentence_ends[last] if last < len(self.sentence_ends) else len(self.text)
        return begin, end

    @property
    def sentences(self) -> int:
        return len(self.sentence_ends) + 1


def analyse(text: str, lang: str) -> Analysis:
    """Words, their normal forms and the sentence ends of ``text`` (already normalised and lower-cased)."""
    starts: list[int] = []
    ends: list[int] = []
    norms: list[str] = []
    raws: list[str] = []
    if lang == "zh":
        for word, start, end in _jieba().tokenize(text):
            if word.strip():
                starts.append(start)
                ends.append(end)
                norms.append(word)
    else:
        pattern = _EN_WORD if lang == "en" else _RU_WORD
        for match in pattern.finditer(text):
            starts.append(match.start())
            ends.append(match.end())
            raws.append(match.group())
            norms.append(_normalise_word(match.group(), lang))
    # a sentence holds at least one word: "end.\n" or "?!" is one boundary, not two (else `within: 2`
    # would span one real sentence and an empty one)
    sentence_ends: list[int] = []
    for match in _SENTENCE_END.finditer(text):
        previous = sentence_ends[-1] if sentence_ends else 0
        first_word = bisect.bisect_left(starts, previous)
        if first_word < len(starts) and starts[first_word] < match.start():
            sentence_ends.append(match.end())
    return Analysis(text, lang, starts, ends, norms, raws or norms, sentence_ends, {})


# ---- lexicons -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One lexicon entry: a sequence of word forms (``None`` for a gap), each exact or a prefix."""

    parts: tuple[tuple[str, str] | None, ...]  # (form, how: "norm" | "prefix" | "raw") or None for "..."


@dataclass(frozen=True)
class Lexicon:
    """A concept's terms for one language, indexed for matching."""

    lang: str
    by_first: Mapping[str, tuple[Term, ...]]  # exact first word -> terms
    prefixed: tuple[Term, ...]  # terms whose first word is a prefix or a form as written
    chinese: tuple[tuple[str, ...], ...]  # zh: each term as its pieces between gaps

    @cached_property
    def by_start(self) -> dict[str, tuple[Term, ...]]:
        """The prefixed terms by the first ``KEY_CHARS`` characters of their first word (a shorter
        first word under itself), so that a word is tried only against the terms it can start."""
        index: dict[str, list[Term]] = {}
        for term in self.prefixed:
            first = term.parts[0]
            assert first is not None
            index.setdefault(first[0][:KEY_CHARS], []).append(term)
        return {key: tuple(terms) for key, terms in index.items()}

    @cached_property
    def short_keys(self) -> tuple[int, ...]:
        """The lengths of the index keys shorter than ``KEY_CHARS`` (first words of one character)."""
        return tuple(sorted({len(key) for key in self.by_start if len(key) < KEY_CHARS}))

    def starting(self, norm: str, raw: str) -> tuple[Term, ...]:
        """The prefixed terms whose first word may match the word (``norm`` its stem or lemma, ``raw`` as written)."""
        keys = {norm[:KEY_CHARS], raw[:KEY_CHARS]}
        for length in self.short_keys:
            keys.update((norm[:length], raw[:length]))
        found: tuple[Term, ...] = ()
        for key in keys:
            found += self.by_start.get(key, ())
        return found


def _split_words(term: str, lang: str) -> list[str]:
    if lang == "en":
        return [w for w in re.split(r"[^a-z0-9'*.=]+", term) if w]
    return [w for w in re.split(r"[^а-яa-z0-9*.=\-]+", term) if w]


def compile_lexicon(terms: Iterable[str], lang: str) -> Lexicon:
    """Normalise each term's words once (stems, lemmas) and index them."""
    if lang == "zh":
        pieces = tuple(tuple(p.strip() for p in term.lower().split(GAP) if p.strip()) for term in terms)
        return Lexicon(lang, {}, (), tuple(p for p in pieces if p))
    by_first: dict[str, list[Term]] = {}
    prefixed: list[Term] = []
    for term in terms:
        parts: list[tuple[str, str] | None] = []
        for word in _split_words(term.lower().replace("ё", "е"), lang):
            if word == GAP:
                parts.append(None)
            elif word.startswith("="):
                parts.append((word[1:], "raw"))
            elif word.endswith("*"):
                parts.append((word[:-1], "prefix"))
            else:
                parts.append((_normalise_word(word, lang), "norm"))
        while parts and parts[0] is None:
            parts.pop(0)
        if not parts:
            continue
        compiled = Term(tuple(parts))
        first = parts[0]
        assert first is not None
        if first[1] != "norm":
            prefixed.append(compiled)
        else:
            by_first.setdefault(first[0], []).append(compiled)
    return Lexicon(lang, {k: tuple(v) for k, v in by_first.items()}, tuple(prefixed), ())


def _part_matches(part: tuple[str, str], norm: str, raw: str) -> bool:
    form, how = part
    if how == "prefix":
        return norm.startswith(form) or raw.startswith(form)
    return raw == form if how == "raw" else norm == form


def _term_end(term: Term, norms: list[str], raws: list[str], i: int) -> int | None:
    """Index after the last word of ``term`` matched from word ``i``, or None."""

    def walk(p: int, j: int) -> int | None:
        if p == len(term.parts):
            return j
        part = term.parts[p]
        if part is None:
            for skip in range(GAP_WORDS + 1):
                found = walk(p + 1, j + skip)
                if found is not None:
                    return found
            return None
        if j < len(norms) and _part_matches(part, norms[j], raws[j]):
            return walk(p + 1, j + 1)
        return None

    return walk(0, i)


def find(lexicon: Lexicon, analysis: Analysis) -> list[tuple[int, int]]:
    """Character spans where a term of ``lexicon`` occurs in ``analysis``."""
    found: list[tuple[int, int]] = []
    if lexicon.lang == "zh":
        text = analysis.text
        bounds = set(analysis.starts) | set(analysis.ends) | {0, len(text)}
        for pieces in lexicon.chinese:
            first = pieces[0]
            position = text.find(first)
            while position >= 0:
                end = position + len(first)
                # a one-character term must be a word of its own; a longer one may start or end one
                if (position in bounds and end in bounds) if len(first) == 1 else (position in bounds or end in bounds):
                    last = end
                    ok = True
                    for piece in pieces[1:]:
                        nxt = text.find(piece, last, last + GAP_CHARS + len(piece))
                        if nxt < 0 or _SENTENCE_END.search(text, last, nxt) is not None:
                            ok = False
                            break
                        last = nxt + len(piece)
                    if ok:
                        found.append((position, last))
                position = text.find(first, position + 1)
        return found
    norms, raws = analysis.norms, analysis.raws
    for i, norm in enumerate(norms):
        candidates = lexicon.by_first.get(norm, ())
        if lexicon.prefixed:
            candidates = candidates + tuple(t for t in lexicon.starting(norm, raws[i])
                                            if _part_matches(t.parts[0], norm, raws[i]))  # type: ignore[arg-type]
        for term in candidates:
            end = _term_end(term, norms, raws, i)
            if end is not None and end > i:
                found.append((analysis.starts[i], analysis.ends[end - 1]))
    return found


# ---- relations ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Relation:
    """How concepts co-occur for a rule to fire (see the module's doc)."""

    all: tuple[str, ...]
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    within: int = 1
    near: int | None = None

    @property
    def concepts(self) -> tuple[str, ...]:
        return self.all + self.any + self.none


def occurrences(analysis: Analysis, name: str, lexicons: Mapping[str, Lexicon]) -> list[tuple[int, int]]:
    """Spans of concept ``name`` in ``analysis`` (cached on the analysis)."""
    cached = analysis._cache.get(name)
    if cached is None:
        lexicon = lexicons.get(name)
        cached = sorted(set(find(lexicon, analysis))) if lexicon is not None else []
        analysis._cache[name] = cached
    return cached


def _distance(analysis: Analysis, spans: Iterable[tuple[int, int]]) -> int:
    spans = list(spans)
    first = min(s for s, _ in spans)
    last = max(e for _, e in spans)
    if analysis.lang == "zh":
        return (last - first) // 2
    return analysis.word_of(last - 1) - analysis.word_of(first)


def holds(relation: Relation, analysis: Analysis, lexicons: Mapping[str, Lexicon],
          unless: re.Pattern[str] | None = None) -> list[tuple[int, int]]:
    """Spans (first concept to last) of each sentence window where ``relation`` holds."""
    found_all = [occurrences(analysis, name, lexicons) for name in relation.all]
    if any(not spans for spans in found_all):
        return []
    found_any = [s for name in relation.any for s in occurrences(analysis, name, lexicons)]
    if relation.any and not found_any:
        return []
    found_none = [s for name in relation.none for s in occurrences(analysis, name, lexicons)]
    within = max(1, relation.within)
    results: list[tuple[int, int]] = []
    for first in range(analysis.sentences):
        begin, end = analysis.sentence_span(first, min(first + within - 1, analysis.sentences - 1))

        def inside(spans: list[tuple[int, int]], b: int = begin, e: int = end) -> list[tuple[int, int]]:
            return [s for s in spans if b <= s[0] and s[1] <= e]

        groups = [inside(spans) for spans in found_all]
        if any(not g for g in groups):
            continue
        if relation.any:
            groups.append(inside(found_any))
            if not groups[-1]:
                continue
        if unless is not None and unless.search(analysis.text, begin, end):
            continue
        vetoes = inside(found_none)
        for combo in itertools.islice(itertools.product(*groups), 2000):
            if relation.near is not None and _distance(analysis, combo) > relation.near:
                continue
            span = (min(s for s, _ in combo), max(e for _, e in combo))
            if any(_close(analysis, veto, span) for veto in vetoes):
                continue
            if not any(s < span[1] and span[0] < e for s, e in results):
                results.append(span)
            break
    return results


def _close(analysis: Analysis, veto: tuple[int, int], span: tuple[int, int]) -> bool:
    """Whether a ``none`` concept at ``veto`` bears on ``span``: before it in the window, inside it, or
    at most NONE_REACH words after it."""
    if veto[0] < span[1]:  # before or inside: a negation or a hedge reaches forward over the sentence
        return True
    if analysis.lang == "zh":
        return veto[0] < span[1] + NONE_REACH
    return analysis.word_of(veto[0]) <= analysis.word_of(span[1] - 1) + NONE_REACH


def parse_relation(raw: Any, where: str, known: Iterable[str]) -> Relation:
    """A relation from ``rules.yaml`` (a mapping; or a concept name: that concept present)."""
    known = set(known)
    if isinstance(raw, str):
        raw = {"all": [raw]}
    if not isinstance(raw, dict) or not raw.get("all") or set(raw) - {"all", "any", "none", "within", "near"}:
        raise ValueError(f"{where}: a relation is a concept name or a mapping with 'all' (and 'any', 'none', "
                         f"'within', 'near')")
    names: dict[str, tuple[str, ...]] = {}
    for key in ("all", "any", "none"):
        value = raw.get(key) or []
        if isinstance(value, str):
            value = [value]
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"{where}: unknown concept {unknown[0]!r}")
        names[key] = tuple(value)
    within = raw.get("within", 1)
    near = raw.get("near")
    if not isinstance(within, int) or within < 1 or (near is not None and (not isinstance(near, int) or near < 0)):
        raise ValueError(f"{where}: 'within' is a number of sentences >= 1 and 'near' a number of words >= 0")
    return Relation(names["all"], names["any"], names["none"], within, near)
