"""The compliance rules: read ``rules.yaml``, check its shape, compile every pattern once.

The rules are data (what a message must contain and must never contain, per platform, kind and
language, with sources); this module is the mechanism. Compiled rules are cached per
(platform, language, kind), so a check only runs the patterns that apply.

Sources of the rules themselves: seed 002 (apology letter), DOMAIN.md "Left out on purpose"
(seed 001), POLICY-FACTS.md §5 and §11; each rule names its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import AftersalesError, UnknownNameError
from .concepts import Lexicon, Relation, compile_lexicon, parse_relation
from .vocabulary import (
    KINDS,
    LANGS,
    PLATFORMS,  # noqa: F401  (re-exported)
    SEVERITIES,
    known_platforms,
)

RULES_FILE = Path(__file__).with_name("rules.yaml")
CHECKS = ("forbidden", "required")
PATTERN_KEYS = LANGS + ("any",)

RULE_KEYS = {"id", "check", "severity", "kinds", "platforms", "except_platforms", "languages", "message", "source",
             "patterns", "use", "unless", "exempt", "superseded_by", "relations"}
ELEMENT_KEYS = set(PATTERN_KEYS) | {"unless", "exempt", "relations"}
# Patterns are matched case-insensitively by lowering both the text (see checker.lower_text) and
# the patterns (lower_pattern), not with re.IGNORECASE: case-sensitive patterns let `re` skip
# quickly over positions where no alternative can start, which makes a check several times faster.
FLAGS = re.UNICODE

_MACRO = re.compile(r"<<(\w+)>>")


def _messages(raw: Any, rule_id: str) -> dict[str, str]:
    """A rule's ``message``: one English text, or a text per language (en required; zh, ru)."""
    if isinstance(raw, str) and raw.strip():
        return {"en": raw.strip()}
    if isinstance(raw, dict) and all(isinstance(v, str) and v.strip() for v in raw.values()):
        unknown = set(raw) - set(LANGS)
        if unknown:
            raise _fail(rule_id, f"'message' has unknown language(s) {sorted(unknown)}; allowed: {', '.join(LANGS)}")
        if "en" not in raw:
            raise _fail(rule_id, "'message' needs its English text ('en')")
        return {lang: text.strip() for lang, text in raw.items()}
    raise _fail(rule_id, "'message' is required: a text, or a text per language (en, zh, ru)")


class RulesError(AftersalesError):
    """``rules.yaml`` is malformed: an unknown key, name or macro, or a pattern that does not compile."""


@dataclass(frozen=True)
class Rule:
    """One rule as written in ``rules.yaml`` (patterns already merged with the elements it uses)."""

    id: str
    check: str
    severity: str
    kinds: frozenset[str]
    platforms: frozenset[str]
    languages: frozenset[str]
    message: str
    messages: Mapping[str, str]  # the message in each language it is written in ("en" always)
    source: str
    patterns: dict[str, tuple[str, ...]]  # language or "any" -> regexes
    unless: dict[str, tuple[str, ...]]
    exempt: tuple[str, ...]
    superseded_by: tuple[str, ...]
    #: Concepts that co-occur (see :mod:`.concepts`): a forbidden rule fires where one holds, a
    #: required rule is satisfied where one holds (besides its patterns).
    relations: tuple[Relation, ...] = ()
    #: ``platforms: [all]`` (or no ``platforms``): every platform, including one added later as a
    #: profile file, but those of ``except_platforms`` (which have rules of their own); ``platforms``
    #: then names none.
    every_platform: bool = False
    except_platforms: frozenset[str] = frozenset()

    def applies(self, platform: str, lang: str, kind: str) -> bool:
        if self.every_platform:
            on_platform = platform not in self.except_platforms
        else:
            on_platform = platform in self.platforms
        return on_platform and lang in self.languages and kind in self.kinds


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready for one language: one alternation for its patterns, one for its exceptions."""

    rule: Rule
    pattern: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    exempt: re.Pattern[str] | None
    lexicons: Mapping[str, Lexicon] | None = None  # the concepts of its relations, in its language


def _fail(rule_id: str, problem: str) -> RulesError:
    return RulesError(f"{RULES_FILE.name}: rule '{rule_id}': {problem}")


ALL = "all"


def _every(value: Any) -> bool:
    """``platforms``/``kinds``/``languages`` absent, ``all`` or ``[all]``: every one."""
    return value in (None, ALL, [ALL])


def _names(value: Any, allowed: Iterable[str], what: str, rule_id: str) -> frozenset[str]:
    """``[all]`` or a list of known names."""
    allowed = tuple(allowed)
    if _every(value):
        return frozenset(allowed)
    if not isinstance(value, list) or not value:
        raise _fail(rule_id, f"{what} must be a non-empty list or [all]")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise _fail(rule_id, str(UnknownNameError(what.rstrip("s"), unknown[0], allowed)))
    return frozenset(value)


def _pattern_map(value: Any, rule_id: str, what: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(rule_id, f"{what} must map languages (en, zh, ru, any) to lists of regexes")
    result = {}
    for lang, patterns in value.items():
        if lang not in PATTERN_KEYS:
            raise _fail(rule_id, f"{what}: {UnknownNameError('language', lang, PATTERN_KEYS)}")
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            raise _fail(rule_id, f"{what}.{lang} must be a list of regexes")
        result[lang] = tuple(patterns)
    return result


def _merge(*maps: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for mapping in maps:
        for lang, patterns in mapping.items():
            merged[lang] = merged.get(lang, ()) + patterns
    return merged


def _relations(raw: Any, where: str, concepts: Iterable[str]) -> tuple[Relation, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RulesError(f"{RULES_FILE.name}: {where}: 'relations' must be a list")
    try:
        return tuple(parse_relation(item, where, concepts) for item in raw)
    except ValueError as exc:
        raise RulesError(f"{RULES_FILE.name}: {exc}") from None


def _concepts(raw: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    """``concepts:``: name -> language -> terms."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RulesError(f"{RULES_FILE.name}: 'concepts' must map names to lexicons per language")
    result: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, lexicon in raw.items():
        if not isinstance(lexicon, dict) or set(lexicon) - set(LANGS) or not all(
                isinstance(v, list) and all(isinstance(t, str) and t.strip() for t in v) for v in lexicon.values()):
            raise RulesError(f"{RULES_FILE.name}: concept '{name}': a list of terms per language (en, zh, ru)")
        result[str(name)] = {lang: tuple(terms) for lang, terms in lexicon.items()}
    return result


def parse_rules(data: Any, platforms: Iterable[str] | None = None) -> tuple[Rule, ...]:
    """Check the shape of the loaded YAML and return its rules (patterns not yet compiled).

    A rule's ``platforms`` is ``[all]`` (or left out): every platform, including one added later
    as one profile file, but those listed in ``except_platforms`` (the ones with rules of their
    own); or the platforms whose own rules it holds. Each platform named must have a profile:
    ``platforms`` (default: :func:`~aftersales.compliance.vocabulary.known_platforms`).
    """
    known = tuple(platforms) if platforms is not None else known_platforms()
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulesError(f"{RULES_FILE.name}: expected a mapping with a 'rules' list")
    concepts = _concepts(data.get("concepts"))
    elements_raw = data.get("elements") or {}
    elements: dict[str, dict[str, Any]] = {}
    for name, raw in elements_raw.items():
        if not isinstance(raw, dict) or set(raw) - ELEMENT_KEYS:
            raise RulesError(f"{RULES_FILE.name}: element '{name}': unknown keys {sorted(set(raw) - ELEMENT_KEYS)}")
        elements[name] = {
            "patterns": _pattern_map({k: v for k, v in raw.items() if k in PATTERN_KEYS}, f"element {name}", "patterns"),
            "unless": _pattern_map(raw.get("unless"), f"element {name}", "unless"),
            "exempt": tuple(raw.get("exempt") or ()),
            "relations": _relations(raw.get("relations"), f"element {name}", concepts),
        }
    rules = []
    seen: set[str] = set()
    for raw in data["rules"]:
        rule_id = raw.get("id", "?") if isinstance(raw, dict) else "?"
        if not isinstance(raw, dict):
            raise _fail(rule_id, "each rule must be a mapping")
        if not re.fullmatch(r"[a-z_]+\.[a-z_]+", str(rule_id)):
            raise _fail(rule_id, "id must look like 'group.name'")
        if rule_id in seen:
            raise _fail(rule_id, "duplicate id")
        seen.add(rule_id)
        unknown = set(raw) - RULE_KEYS
        if unknown:
            raise _fail(rule_id, f"unknown key(s) {sorted(unknown)}")
        for key in ("check", "severity", "source"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise _fail(rule_id, f"'{key}' is required")
        messages = _messages(raw.get("message"), rule_id)
        if raw["check"] not in CHECKS:
            raise _fail(rule_id, str(UnknownNameError("check", raw["check"], CHECKS)))
        if raw["severity"] not in SEVERITIES:
            raise _fail(rule_id, str(UnknownNameError("severity", raw["severity"], SEVERITIES)))
        used = []
        for name in raw.get("use") or []:
            if name not in elements:
                raise _fail(rule_id, str(UnknownNameError("element", name, elements)))
            used.append(elements[name])
        patterns = _merge(*(e["patterns"] for e in used), _pattern_map(raw.get("patterns"), rule_id, "patterns"))
        relations = tuple(r for e in used for r in e["relations"]) + _relations(raw.get("relations"), f"rule '{rule_id}'",
                                                                                concepts)
        if not patterns and not relations:
            raise _fail(rule_id, "no patterns (give 'patterns', 'relations' or 'use')")
        every_platform = _every(raw.get("platforms"))
        if "except_platforms" in raw and (not every_platform or _every(raw["except_platforms"])):
            raise _fail(rule_id, "except_platforms lists the platforms with rules of their own, under 'platforms: [all]' "
                                 "(or no platforms)")
        rules.append(Rule(
            id=rule_id,
            check=raw["check"],
            severity=raw["severity"],
            kinds=_names(raw.get("kinds"), KINDS, "kinds", rule_id),
            platforms=frozenset() if every_platform else _names(raw["platforms"], known, "platforms", rule_id),
            languages=_names(raw.get("languages"), LANGS, "languages", rule_id),
            message=messages["en"],
            messages=messages,
            source=raw["source"].strip(),
            patterns=patterns,
            unless=_merge(*(e["unless"] for e in used), _pattern_map(raw.get("unless"), rule_id, "unless")),
            exempt=tuple(p for e in used for p in e["exempt"]) + tuple(raw.get("exempt") or ()),
            superseded_by=tuple(raw.get("superseded_by") or ()),
            relations=relations,
            every_platform=every_platform,
            except_platforms=(_names(raw["except_platforms"], known, "except_platforms", rule_id)
                              if "except_platforms" in raw else frozenset()),
        ))
    ids = {rule.id for rule in rules}
    for rule in rules:
        for other in rule.superseded_by:
            if other not in ids:
                raise _fail(rule.id, f"superseded_by: {UnknownNameError('rule', other, ids)}")
    return tuple(rules)


@lru_cache(maxsize=1)
def _concept_terms() -> dict[str, dict[str, tuple[str, ...]]]:
    return _concepts(_raw_document().get("concepts"))


@cache
def lexicons(lang: str) -> dict[str, Lexicon]:
    """Every concept's lexicon in ``lang``, its words normalised (stems, lemmas) once."""
    return {name: compile_lexicon(terms.get(lang, ()), lang) for name, terms in _concept_terms().items()}


@lru_cache(maxsize=1)
def _raw_document() -> dict[str, Any]:
    try:
        text = RULES_FILE.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"cannot read {RULES_FILE.name}: {exc.strerror or exc}") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(text, Loader=loader)
    return data if isinstance(data, dict) else {}


@lru_cache(maxsize=1)
def _document() -> tuple[dict[str, str], tuple[Rule, ...]]:
    data = _raw_document()
    macros = {str(k): str(v) for k, v in (data.get("macros") or {}).items()}
    return macros, parse_rules(data)


def load_rules() -> tuple[Rule, ...]:
    """Every rule in ``rules.yaml``, in file order (read once per process)."""
    return _document()[1]


def expand(pattern: str, macros: dict[str, str], rule_id: str = "?") -> str:
    """Replace ``<<name>>`` by its macro (macros may not nest)."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise _fail(rule_id, f"unknown macro <<{name}>>")
        return macros[name]

    return _MACRO.sub(substitute, pattern)


def lower_pattern(pattern: str) -> str:
    """Lower-case a regex's literal characters, leaving escapes (``\\W``, ``\\S``) and ``(?P<`` alone."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if pattern.startswith("(?P", i):
            out.append("(?P")
            i += 3
            continue
        lowered = char.lower()
        out.append(lowered if len(lowered) == 1 else char)
        i += 1
    return "".join(out)


def _alternation(patterns: Iterable[str], macros: dict[str, str], rule_id: str) -> re.Pattern[str] | None:
    """One compiled alternation of ``patterns`` (None for none), each checked on its own first."""
    parts = []
    for pattern in patterns:
        source = lower_pattern(expand(pattern, macros, rule_id))
        try:
            re.compile(source, FLAGS)
        except re.error as exc:
            raise _fail(rule_id, f"pattern does not compile ({exc}): {pattern}") from None
        parts.append(f"(?:{source})")
    if not parts:
        return None
    return re.compile("|".join(parts), FLAGS)


@cache
def compiled_rules(platform: str, lang: str, kind: str) -> tuple[CompiledRule, ...]:
    """The rules that apply to a message on ``platform`` in ``lang`` of ``kind``, compiled once.

    ``platform`` is any platform with a profile (:func:`~aftersales.compliance.vocabulary.known_platforms`);
    one that no rule names gets the rules for every platform.
    """
    platforms = known_platforms()
    if platform not in platforms:
        raise UnknownNameError("platform", platform, platforms)
    if lang not in LANGS:
        raise UnknownNameError("language", lang, LANGS)
    if kind not in KINDS:
        raise UnknownNameError("message kind", kind, KINDS)
    macros, rules = _document()
    result = []
    for rule in rules:
        if not rule.applies(platform, lang, kind):
            continue
        patterns = rule.patterns.get(lang, ()) + rule.patterns.get("any", ())
        if not patterns and not rule.relations:
            continue
        pattern = _alternation(patterns, macros, rule.id)
        unless = _alternation(rule.unless.get(lang, ()) + rule.unless.get("any", ()), macros, rule.id)
        exempt = _alternation(rule.exempt, macros, rule.id)
        result.append(CompiledRule(rule, pattern, unless, exempt, lexicons(lang) if rule.relations else None))
    return tuple(result)


def rule_catalogue() -> list[dict[str, Any]]:
    """Every rule as plain data (id, check, severity, kinds, platforms, message, source), for docs and UIs."""
    return [
        {"rule": r.id, "check": r.check, "severity": r.severity, "kinds": sorted(r.kinds),
         "platforms": [ALL] if r.every_platform else sorted(r.platforms),
         "except_platforms": sorted(r.except_platforms), "languages": sorted(r.languages), "message": r.message, "source": r.source}
        for r in load_rules()
    ]
