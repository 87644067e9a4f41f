"""Load, validate and merge the parameter files into :class:`Profile` objects.

Layout under a playbooks directory::

    parameters.yaml              the catalogue (every parameter name once)
    jurisdictions/<code>.yaml    consumer-law parameters (cn, ru, eu, de, us)
    platforms/<name>.yaml        platform parameters; one file = one platform

Files whose name starts with ``_`` are ignored. :func:`profile_problems` never raises for
bad content: it returns every located problem of every file, each with a code in
brackets (``schema``, ``unknown-parameter``, ``missing-parameter``, ``no-source``,
``duplicate-date``, ``type``, ``choice``, ``unknown-jurisdiction``, ``unit``, ``name``,
``return-route``, ``yaml``, ``io``).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Location, PlaybookError, Problem, did_you_mean
from ..paths import CATALOGUE_FILE, JURISDICTIONS_DIR, default_playbooks_dir, display_path
from ..yamlsource import SourceDoc, load_yaml_bytes, pydantic_problems, read_yaml_bytes
from .model import (
    LANGUAGES,
    UNIT_GROUPS,
    UNITS,
    Catalogue,
    CatalogueEntry,
    JurisdictionFile,
    Parameter,
    PlatformFile,
    ValueEntry,
    start_key,
    unit_group,
)
from .profile import Layer, Profile

PLATFORMS_DIR = "platforms"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _root(playbooks_dir: str | os.PathLike | None) -> Path:
    return Path(playbooks_dir) if playbooks_dir is not None else default_playbooks_dir()


# --------------------------------------------------------------------------- reading


@dataclass
class _Layer:
    """One jurisdiction or platform file, read and (as far as possible) validated."""

    kind: str  # "jurisdiction" | "platform"
    stem: str
    doc: SourceDoc
    header: JurisdictionFile | PlatformFile | None = None
    raw_parameters: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)


@dataclass
class _Scan:
    """Everything read from a playbooks directory, plus every problem found."""

    catalogue: Catalogue | None = None
    jurisdictions: dict[str, _Layer] = field(default_factory=dict)
    platforms: dict[str, _Layer] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


_DOCS: dict[tuple[str, bytes], SourceDoc] = {}


def _read(path: Path, playbooks_dir: Path, problems: list[Problem]) -> SourceDoc | None:
    """Parse ``path`` with positions. Parsing is the slow part of loading, so a file with
    the same place in a playbooks folder and the same bytes is parsed once per process
    (a copy of the folder elsewhere only gets its file name changed)."""
    name = display_path(path)
    try:
        raw = read_yaml_bytes(path, name)  # a regular file, at most MAX_YAML_BYTES (limits.py)
    except PlaybookError as exc:
        problems.extend(exc.problems)
        return None
    key = (path.relative_to(playbooks_dir).as_posix(), hashlib.blake2b(raw, digest_size=16).digest())
    doc = _DOCS.get(key)
    if doc is not None:
        return doc if doc.file == name else _renamed(doc, name)
    try:
        doc = load_yaml_bytes(raw, name)
    except PlaybookError as exc:
        problems.extend(exc.problems)
        return None
    if len(_DOCS) > 256:
        _DOCS.clear()
    _DOCS[key] = doc
    return doc


def _renamed(doc: SourceDoc, name: str) -> SourceDoc:
    """The same parsed document reported under another file name."""

    def table(marks: dict) -> dict:
        return {path: Location(name, loc.line, loc.col) for path, loc in marks.items()}

    return SourceDoc(name, doc.data, table(doc.marks), table(doc.key_marks))


def _validate(doc: SourceDoc, model: type[BaseModel], data: Any, problems: list[Problem], base=()) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(doc, exc, model, base))
        return None


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))


def _read_catalogue(playbooks_dir: Path, scan: _Scan) -> None:
    path = playbooks_dir / CATALOGUE_FILE
    doc = _read(path, playbooks_dir, scan.problems)
    if doc is None:
        return
    catalogue = _validate(doc, Catalogue, doc.data, scan.problems)
    raw = doc.data.get("parameters") if isinstance(doc.data, dict) else None
    if isinstance(raw, dict):
        for name, entry in raw.items():
            here = ("parameters", name)
            if not _NAME.match(str(name)):
                scan.problems.append(
                    doc.problem(here, f"parameter name '{name}' must be snake_case", "name", key=True)
                )
            if isinstance(entry, dict) and "unit" in entry and entry["unit"] not in UNITS:
                scan.problems.append(_unknown_unit(doc, here + ("unit",), entry["unit"]))
    scan.catalogue = catalogue


def _unknown_unit(doc: SourceDoc, path: tuple, unit: Any) -> Problem:
    return doc.problem(
        path, f"unknown unit '{unit}'{did_you_mean(unit, UNITS)}; allowed: {', '.join(UNITS)}", "unit"
    )


def _read_layer(kind: str, path: Path, playbooks_dir: Path, scan: _Scan) -> _Layer | None:
    doc = _read(path, playbooks_dir, scan.problems)
    if doc is None:
        return None
    layer = _Layer(kind, path.stem, doc)
    data = doc.data
    model = JurisdictionFile if kind == "jurisdiction" else PlatformFile
    header_data = data
    if isinstance(data, dict) and isinstance(data.get("parameters"), dict):
        layer.raw_parameters = data["parameters"]
        header_data = {**data, "parameters": {}}
    layer.header = _validate(doc, model, header_data, scan.problems)
    if isinstance(data, dict):
        declared = data.get(kind)
        if isinstance(declared, str) and declared != path.stem:
            scan.problems.append(
                doc.problem(
                    (kind,),
                    f"{kind} '{declared}' does not match the file name '{path.name}' "
                    f"(expected '{kind}: {path.stem}')",
                    "name",
                )
            )
    _parse_parameters(layer, scan.problems)
    return layer


def _parse_parameters(layer: _Layer, problems: list[Problem]) -> None:
    """Each entry of ``parameters:`` as a dated :class:`Parameter` (one value or ``values:``)."""
    for name, raw in layer.raw_parameters.items():
        base = ("parameters", name)
        is_dated = isinstance(raw, dict) and "values" in raw
        parsed = _validate(layer.doc, Parameter if is_dated else ValueEntry, raw, problems, base)
        if parsed is not None:
            layer.parameters[name] = parsed if is_dated else Parameter(values=(parsed,))


def read_parameters(doc: SourceDoc, raw: dict[str, Any], catalogue: Catalogue, problems: list[Problem]) -> dict[str, Parameter]:
    """Parse and check parameter entries laid out as in a platform file (``doc`` paths
    ``("parameters", name, ...)``), e.g. a store overlay's; every problem goes to ``problems``."""
    layer = _Layer("overlay", doc.file, doc, raw_parameters=raw)
    _parse_parameters(layer, problems)
    _check_parameters(layer, catalogue, problems)
    return {name: param for name, param in layer.parameters.items() if name in catalogue}


# --------------------------------------------------------------------------- checks


def _check_type(entry: CatalogueEntry, value: Any) -> str | None:
    """Why ``value`` does not fit the catalogue type, or None when it does."""
    if value is None:
        return None
    kind = entry.type
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind in ("number", "money") and not is_number:
        return f"is not a {kind}"
    if kind == "money" and value < 0:
        return "is negative (money must be >= 0)"
    if kind == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
        return "is not an int"
    if kind == "bool" and not isinstance(value, bool):
        return "is not a bool (true/false)"
    if kind == "text" and not isinstance(value, str):
        return "is not a text"
    if kind == "list" and not isinstance(value, list):
        return "is not a list"
    if kind == "map" and not isinstance(value, dict):
        return "is not a map"
    if kind == "texts" and not isinstance(value, dict):
        return "is not a map of names to texts in en, zh and ru"
    return None


def _check_texts(entry: CatalogueEntry, value: Any) -> list[tuple[tuple, bool, str]]:
    """Items of a ``texts`` value that are not a text in each customer language, as
    ``(path below the value, is a key, message)``."""
    if entry.type != "texts" or not isinstance(value, dict):
        return []
    found: list[tuple[tuple, bool, str]] = []
    for name, item in value.items():
        if not isinstance(item, dict):
            found.append(((name,), False, f"'{name}' must be a text in each language "
                          f"({{{', '.join(f'{lang}: ...' for lang in LANGUAGES)}}}), got {item!r}"))
            continue
        for lang in item:
            if lang not in LANGUAGES:
                found.append(((name, lang), True, f"'{name}': unknown language '{lang}'"
                              f"{did_you_mean(lang, LANGUAGES)}; allowed: {', '.join(LANGUAGES)}"))
        for lang in LANGUAGES:
            text = item.get(lang)
            if lang not in item:
                found.append(((name,), True, f"'{name}' has no text in '{lang}' (every text needs "
                              f"{', '.join(LANGUAGES)})"))
            elif not isinstance(text, str) or not text.strip():
                found.append(((name, lang), False, f"'{name}' in '{lang}' must be a non-empty text, got {text!r}"))
    return found


def _check_choices(entry: CatalogueEntry, value: Any) -> list[tuple[tuple, bool, str]]:
    """Keys and values outside the catalogue's ``keys`` / ``choices``, as
    ``(path below the value, is a key, message)``."""
    found: list[tuple[tuple, bool, str]] = []
    if isinstance(value, dict) and entry.keys is not None:
        for key in value:
            if key not in entry.keys:
                found.append(
                    ((key,), True, f"unknown key '{key}'{did_you_mean(key, entry.keys)}; allowed: {', '.join(entry.keys)}")
                )
    if entry.choices is None:
        return found
    items: list[tuple[tuple, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, list):
                items.extend(((key, i), v) for i, v in enumerate(item))
            else:
                items.append(((key,), item))
    elif isinstance(value, list):
        items = [((i,), v) for i, v in enumerate(value)]
    elif isinstance(value, str):
        items = [((), value)]
    for where, item in items:
        if item not in entry.choices:
            found.append(
                (where, False, f"'{item}' is not allowed{did_you_mean(item, entry.choices)}; "
                 f"allowed: {', '.join(entry.choices)}")
            )
    return found


def _check_parameters(layer: _Layer, catalogue: Catalogue | None, problems: list[Problem]) -> None:
    doc = layer.doc
    for name, raw in layer.raw_parameters.items():
        here = ("parameters", name)
        if catalogue is not None and name not in catalogue:
            problems.append(
                doc.problem(
                    here,
                    f"unknown parameter '{name}'{did_you_mean(name, catalogue.names)}; "
                    f"add it to {CATALOGUE_FILE} first",
                    "unknown-parameter",
                    key=True,
                )
            )
            continue
        spec = catalogue[name] if catalogue is not None else None
        if isinstance(raw, dict) and "values" in raw:
            items = raw["values"] if isinstance(raw["values"], list) else []
            paths = [here + ("values", i) for i in range(len(items))]
        else:
            items, paths = [raw], [here]
        seen: dict[Any, int] = {}
        for item, path in zip(items, paths, strict=False):
            if not isinstance(item, dict):
                continue  # reported as a schema error
            source = item.get("source")
            if not isinstance(source, str) or not source.strip():
                problems.append(
                    doc.problem(
                        path + ("source",) if "source" in item else path,
                        f"parameter '{name}': every value needs a source (a seed id like "
                        "'seed 001' or a URL from POLICY-FACTS.md)",
                        "no-source",
                    )
                )
            when = item.get("effective_from")
            if when is not None and isinstance(when, (str, int, float, date)):  # else a schema problem
                if when in seen:
                    problems.append(
                        doc.problem(
                            path + ("effective_from",),
                            f"parameter '{name}': two values take effect on {when} "
                            f"(the other is value #{seen[when] + 1})",
                            "duplicate-date",
                        )
                    )
                else:
                    seen[when] = len(seen)
            unit = item.get("unit")
            if unit is not None:
                if unit not in UNITS:
                    problems.append(_unknown_unit(doc, path + ("unit",), unit))
                elif spec is not None and unit_group(unit) != unit_group(spec.unit):
                    allowed = UNIT_GROUPS[unit_group(spec.unit) or "none"]
                    problems.append(
                        doc.problem(
                            path + ("unit",),
                            f"parameter '{name}': unit '{unit}' does not fit its catalogue unit "
                            f"'{spec.unit}'; allowed: {', '.join(allowed)}",
                            "unit",
                        )
                    )
            for c_index, case in enumerate(item.get("cases") or [] if isinstance(item.get("cases"), list) else []):
                if isinstance(case, dict):
                    _check_case(doc, path + ("cases", c_index), name, spec, case, problems)
            if spec is not None and "value" in item:
                why = _check_type(spec, item["value"])
                if why:
                    problems.append(
                        doc.problem(
                            path + ("value",),
                            f"parameter '{name}': value {item['value']!r} {why} "
                            f"(catalogue type {spec.type}; null is always allowed)",
                            "type",
                        )
                    )
                else:
                    for where, is_key, message in _check_choices(spec, item["value"]):
                        problems.append(
                            doc.problem(path + ("value",) + where, f"parameter '{name}': {message}", "choice", key=is_key)
                        )
                    for where, is_key, message in _check_texts(spec, item["value"]):
                        problems.append(
                            doc.problem(path + ("value",) + where, f"parameter '{name}': {message}", "type", key=is_key)
                        )


def _check_case(doc: SourceDoc, path: tuple[Any, ...], name: str, spec: CatalogueEntry | None,
                case: dict[str, Any], problems: list[Problem]) -> None:
    """A value for some cases: its condition parses and its value fits the catalogue type (the
    names it reads are checked against the playbooks by ``aftersales validate``)."""
    from ..playbook.expressions import ExpressionSyntaxError, compile_expression
    from ..policy import POLICY_FUNCTIONS

    when = case.get("when")
    if isinstance(when, str):
        try:
            compile_expression(when, {n: f.func for n, f in POLICY_FUNCTIONS.items()})
        except ExpressionSyntaxError as exc:
            problems.append(doc.problem(path + ("when",), f"parameter '{name}': in condition {when!r}: {exc}",
                                        "expression"))
    if spec is not None and "value" in case:
        why = _check_type(spec, case["value"])
        if why:
            problems.append(doc.problem(path + ("value",), f"parameter '{name}': value {case['value']!r} {why} "
                                        f"(catalogue type {spec.type})", "type"))


def _check_platform(platform: _Layer, scan: _Scan) -> None:
    doc = platform.doc
    data = doc.data if isinstance(doc.data, dict) else {}
    ref = data.get("jurisdiction")
    if not isinstance(ref, str):
        return  # a schema problem already says so
    if ref not in scan.jurisdictions:
        allowed = sorted(scan.jurisdictions)
        scan.problems.append(
            doc.problem(
                ("jurisdiction",),
                f"unknown jurisdiction '{ref}'{did_you_mean(ref, allowed)}; "
                f"allowed: {', '.join(allowed) or '(none found in jurisdictions/)'}",
                "unknown-jurisdiction",
            )
        )
        return
    if scan.catalogue is None:
        return
    defined = set(platform.raw_parameters) | set(scan.jurisdictions[ref].raw_parameters)
    where = ("parameters",) if "parameters" in data else ()
    for name in sorted(scan.catalogue.names - defined):
        scan.problems.append(
            doc.problem(
                where,
                f"parameter '{name}' is defined neither by platform '{platform.stem}' nor by "
                f"its jurisdiction '{ref}' (use 'value: null' with a source where the rule "
                "does not apply)",
                "missing-parameter",
                key=bool(where),
            )
        )


#: The fulfilment-model flow in which the seller runs the return itself (the templates name the
#: couriers; no ``return_route`` sentence is needed).
SELLER_FLOW = "seller"


def _in_force(layer: _Layer, name: str) -> list[tuple[Any, Any, tuple]]:
    """``(effective_from, value, path of the value)`` of each entry of ``name`` in ``layer``."""
    param = layer.parameters.get(name)
    raw = layer.raw_parameters.get(name)
    if param is None:
        return []
    dated = isinstance(raw, dict) and "values" in raw
    base = ("parameters", name)
    return [(entry.effective_from, entry.value, base + ("values", i, "value") if dated else base + ("value",))
            for i, entry in enumerate(param.values)]


def _check_return_routes(platform: _Layer, jurisdiction: _Layer, scan: _Scan) -> None:
    """``return_flow`` names a flow for every fulfilment model of the platform, and every flow
    other than ``seller`` has its customer sentence in ``return_route`` - on every day any of the
    three parameters changes. A problem is reported at the ``return_flow`` value that names it."""
    names = ("fulfilment_options", "return_flow", "return_route")
    if scan.catalogue is None or not all(n in scan.catalogue for n in names):
        return
    owner = {n: platform if n in platform.parameters else jurisdiction for n in names}
    history = {n: _in_force(owner[n], n) for n in names}
    days = sorted({start for entries in history.values() for start, _v, _p in entries if start is not None})

    def on(name: str, day: Any) -> tuple[Any, tuple] | None:
        best = None
        for start, value, path in history[name]:
            if start is None and best is None:
                best = (start, value, path)
            elif start is not None and (day is not None and start <= day) and (best is None or best[0] is None or start >= best[0]):
                best = (start, value, path)
        return None if best is None else (best[1], best[2])

    doc = owner["return_flow"].doc
    for day in [None, *days]:
        flows, options, routes = on("return_flow", day), on("fulfilment_options", day), on("return_route", day)
        if flows is None or not isinstance(flows[0], dict):
            continue
        flow_map, where = flows
        when = f" (in force from {day.isoformat()})" if day is not None else ""
        if options is not None and isinstance(options[0], list):
            for model in options[0]:
                if not isinstance(model, (str, int, float)):
                    continue  # not a model name: reported by the type and choice checks
                if model not in flow_map:
                    scan.problems.append(doc.problem(
                        where, f"parameter 'return_flow': no flow for fulfilment model '{model}' of "
                        f"params.fulfilment_options{when}; add '{model}: {SELLER_FLOW}' or the platform flow's name",
                        "return-route"))
        known = sorted(routes[0]) if routes is not None and isinstance(routes[0], dict) else []
        for model, flow in flow_map.items():
            if flow == SELLER_FLOW or flow in known:
                continue
            scan.problems.append(doc.problem(
                where + (model,), f"parameter 'return_flow': flow '{flow}' of fulfilment model '{model}' "
                f"has no customer sentence in return_route{when}{did_you_mean(str(flow), known)}; "
                f"allowed: {', '.join([SELLER_FLOW, *known])}", "return-route"))


def _scan(root: Path) -> _Scan:
    scan = _Scan()
    _read_catalogue(root, scan)
    for kind, folder, table in (
        ("jurisdiction", JURISDICTIONS_DIR, scan.jurisdictions),
        ("platform", PLATFORMS_DIR, scan.platforms),
    ):
        for path in _files(root / folder):
            layer = _read_layer(kind, path, root, scan)
            if layer is not None:
                table[layer.stem] = layer
                _check_parameters(layer, scan.catalogue, scan.problems)
    for platform in scan.platforms.values():
        _check_platform(platform, scan)
        ref = platform.doc.data.get("jurisdiction") if isinstance(platform.doc.data, dict) else None
        if isinstance(ref, str) and ref in scan.jurisdictions:
            _check_return_routes(platform, scan.jurisdictions[ref], scan)
    if not scan.platforms and not any(p.code in ("io", "yaml") for p in scan.problems):
        scan.problems.append(
            Problem(Location(display_path(root / PLATFORMS_DIR)), "no platform files found", "missing-platform")
        )
    return scan


# --------------------------------------------------------------------------- building


def _build(scan: _Scan) -> dict[str, Profile]:
    assert scan.catalogue is not None
    catalogue = scan.catalogue
    profiles = {}
    for stem, platform in sorted(scan.platforms.items()):
        header = platform.header
        assert isinstance(header, PlatformFile)
        jurisdiction = scan.jurisdictions[header.jurisdiction]
        jheader = jurisdiction.header
        assert isinstance(jheader, JurisdictionFile)
        history: dict[str, tuple[ValueEntry, ...]] = {}
        layers: dict[str, Layer] = {}
        for name in sorted(catalogue.names):
            if name in platform.parameters:
                param, layers[name] = platform.parameters[name], "platform"
            else:
                param, layers[name] = jurisdiction.parameters[name], "jurisdiction"
            default_unit = catalogue[name].unit
            history[name] = tuple(
                sorted(
                    (e if e.unit else e.model_copy(update={"unit": default_unit}) for e in param.values),
                    key=start_key,
                )
            )
        profiles[stem] = Profile(
            name=stem,
            jurisdiction=header.jurisdiction,
            holiday_country=jheader.holidays,
            display_name=header.name.model_dump(),
            history=history,
            layers=layers,
            catalogue=catalogue,
            laws=jheader.laws,
        )
    return profiles


# --------------------------------------------------------------------------- public API

_SCANS: dict[str, tuple[tuple, _Scan, dict[str, Profile] | None]] = {}


def _fingerprint(root: Path) -> tuple:
    files = [root / CATALOGUE_FILE, *_files(root / JURISDICTIONS_DIR), *_files(root / PLATFORMS_DIR)]
    stamp = []
    for path in files:
        try:
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
        except OSError:
            continue
        stamp.append((str(path.relative_to(root)), digest))
    return tuple(stamp)


def _cached(root: Path) -> tuple[_Scan, dict[str, Profile] | None]:
    """Scan ``root`` (and build its profiles when valid), reusing the result until a file
    changes: the library, the CLI and notebooks ask for problems, catalogue and profiles of
    the same folder in turn, and parsing YAML with positions is the slow part."""
    key = str(root.resolve())
    stamp = _fingerprint(root)
    hit = _SCANS.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1], hit[2]
    scan = _scan(root)
    profiles = None if scan.problems else _build(scan)
    if len(_SCANS) > 16:
        _SCANS.clear()
    _SCANS[key] = (stamp, scan, profiles)
    return scan, profiles


def profile_problems(playbooks_dir: str | os.PathLike | None = None) -> list[Problem]:
    """Every problem of the catalogue, jurisdiction and platform files (sorted; never raises
    for bad content)."""
    scan, _ = _cached(_root(playbooks_dir))
    return sorted(set(scan.problems))


def load_catalogue(playbooks_dir: str | os.PathLike | None = None) -> Catalogue:
    """The parameter catalogue; raises :class:`PlaybookError` if ``parameters.yaml`` is invalid."""
    root = _root(playbooks_dir)
    scan, _ = _cached(root)
    own = display_path(root / CATALOGUE_FILE)
    problems = [p for p in scan.problems if p.location.file == own]
    if problems or scan.catalogue is None:
        raise PlaybookError(problems or [Problem(Location(own), "no valid parameter catalogue", "io")])
    return scan.catalogue


def load_profiles(playbooks_dir: str | os.PathLike | None = None) -> dict[str, Profile]:
    """Every platform's merged profile, keyed by platform name (= file name).

    Raises :class:`PlaybookError` carrying all problems if any file is invalid. Results are
    cached until one of the files changes.
    """
    scan, profiles = _cached(_root(playbooks_dir))
    if profiles is None:
        raise PlaybookError(scan.problems)
    return dict(profiles)


# --------------------------------------------------------------------------- freshness

#: A value last checked against its source longer ago than this is stale (docs/parameters.md).
VERIFY_MAX_AGE_DAYS = 180


def verification_warnings(playbooks_dir: str | os.PathLike | None = None, today: "date | None" = None,
                          max_age_days: int = VERIFY_MAX_AGE_DAYS) -> list[str]:
    """Warnings (never errors) for parameter values that may be out of date, as text lines.

    Only values still relevant on ``today`` are looked at: the one in force and any scheduled
    later (a superseded value is history and needs no re-check). A value whose ``verified_on``
    is more than ``max_age_days`` before ``today`` gets one line ``file:line:col: ...`` naming
    the parameter; values without ``verified_on`` (never verified) are summed up in one line per
    file, at its ``parameters:`` key, naming them.
    """
    from datetime import date as _date

    today = today or _date.today()
    scan, _profiles = _cached(_root(playbooks_dir))
    warnings: list[str] = []
    for table in (scan.jurisdictions, scan.platforms):
        for stem in sorted(table):
            layer = table[stem]
            never: list[str] = []
            for name, param in layer.parameters.items():
                raw = layer.raw_parameters.get(name)
                dated = isinstance(raw, dict) and "values" in raw
                order = sorted(range(len(param.values)), key=lambda i: start_key(param.values[i]))
                current = None
                for i in order:
                    start = param.values[i].effective_from
                    if start is None or start <= today:
                        current = i
                relevant = [i for i in order if i == current or (param.values[i].effective_from or _date.min) > today]
                for i in relevant:
                    entry = param.values[i]
                    if entry.verified_on is None:
                        if name not in never:
                            never.append(name)
                        continue
                    age = (today - entry.verified_on).days
                    if age > max_age_days:
                        path = ("parameters", name, "values", i) if dated else ("parameters", name)
                        where = layer.doc.at(path + ("verified_on",))
                        warnings.append(f"warning: {where}: parameter '{name}': value {entry.value!r} was last "
                                        f"verified on {entry.verified_on.isoformat()}, {age} days ago (more than "
                                        f"{max_age_days}); re-check it against its source ({entry.source})")
            if never:
                where = layer.doc.at(("parameters",), key=True)
                warnings.append(f"warning: {where}: {len(never)} parameter value(s) in force were never verified "
                                f"(no verified_on): {', '.join(sorted(never))}")
    return warnings
