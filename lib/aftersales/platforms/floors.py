"""Legal floors: no platform, store overlay or jurisdiction value may give the buyer less than
the law of its jurisdiction (``floors:`` in ``playbooks/jurisdictions/<code>.yaml``).

Each floor names a ``parameter`` and a ``bound``:

* ``min``: the parameter's value may not be lower (a window, a claim period), in the
  floor's ``unit`` (hours, days and business days are converted);
* ``max``: it may not be higher (a deadline the seller must meet);
* ``includes``: a list parameter must hold every item of the floor (the buyer's remedies);
* ``within``: a list parameter may hold no item outside the floor (goods the law lets a seller
  exclude from a return: excluding more takes a right away);
* ``equals``: a yes/no parameter must have the floor's value;
* ``rule``: not a number, encoded in the playbooks (``encoded_in``); not checked here.

A value that fails is a ``below-floor`` error at the value's ``file:line:col`` naming the
parameter, the floor and its article. ``null`` in a platform or overlay value below a
``min``/``includes``/``equals`` floor removes the buyer's right, so it fails too; the
jurisdiction file itself may keep ``null`` where the floor comes from a marketplace (US).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from ..errors import Location, PlaybookError, Problem
from ..paths import JURISDICTIONS_DIR
from ..yamlsource import SourceDoc, load_yaml

BOUNDS = ("min", "max", "includes", "within", "equals", "rule")
FLOOR_KEYS = ("rule", "parameter", "bound", "value", "unit", "article", "source", "confidence",
              "effective_from", "encoded_in", "note")
REQUIRED = ("rule", "bound", "value", "article", "source", "confidence", "effective_from")
_DAYS = {"days": 1.0, "hours": 1 / 24, "business_days": 1.0, "weeks": 7.0}


def _load(path: Path) -> SourceDoc | None:
    try:
        return load_yaml(path, display_name=_display(path))
    except PlaybookError:
        return None  # the file's own problems are reported by the profile checks


def _display(path: Path) -> str:
    from ..paths import display_path

    return display_path(path)


def read_floors(root: Path) -> tuple[dict[str, dict[str, dict]], list[Problem]]:
    """``{jurisdiction: {floor name: floor}}`` and the problems of the floors' own shape."""
    floors: dict[str, dict[str, dict]] = {}
    problems: list[Problem] = []
    for path in sorted((root / JURISDICTIONS_DIR).glob("*.yaml")):
        doc = _load(path)
        if doc is None or not isinstance(doc.data, dict):
            continue
        code = doc.data.get("jurisdiction", path.stem)
        raw = doc.data.get("floors") or {}
        if not isinstance(raw, dict):
            problems.append(doc.problem(("floors",), "floors must be a map of floor name to floor", "floor"))
            continue
        mine: dict[str, dict] = {}
        for name, floor in raw.items():
            where = ("floors", name)
            if not isinstance(floor, dict):
                problems.append(doc.problem(where, f"floor '{name}' must be a map", "floor"))
                continue
            for key in floor:
                if key not in FLOOR_KEYS:
                    problems.append(doc.problem(where + (key,), f"floor '{name}': unknown key '{key}'; "
                                                f"allowed: {', '.join(FLOOR_KEYS)}", "floor", key=True))
            for key in REQUIRED:
                if floor.get(key) in (None, ""):
                    problems.append(doc.problem(where, f"floor '{name}' has no '{key}'", "floor"))
            bound = floor.get("bound")
            if bound not in BOUNDS:
                problems.append(doc.problem(where + ("bound",), f"floor '{name}': bound '{bound}' is not one of "
                                            f"{', '.join(BOUNDS)}", "floor"))
                continue
            if bound != "rule" and not floor.get("parameter"):
                problems.append(doc.problem(where, f"floor '{name}' (bound {bound}) names no parameter", "floor"))
                continue
            if bound in ("min", "max") and not _is_number(floor.get("value")):
                problems.append(doc.problem(where + ("value",), f"floor '{name}': a {bound} floor needs a number", "floor"))
                continue
            mine[name] = {**floor, "_doc": doc, "_path": where}
        floors[code] = mine
    return floors, problems


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _entries(doc: SourceDoc, base: tuple, raw: Any) -> Iterator[tuple[Any, Any, Location]]:
    """``(value, unit, location)`` of each dated value of one parameter entry."""
    if not isinstance(raw, dict):
        return
    if "values" in raw and isinstance(raw["values"], list):
        for i, entry in enumerate(raw["values"]):
            if isinstance(entry, dict) and "value" in entry:
                yield entry["value"], entry.get("unit"), doc.at(base + ("values", i, "value"))
    elif "value" in raw:
        yield raw["value"], raw.get("unit"), doc.at(base + ("value",))


def _in_unit(value: float, unit: str | None, floor_unit: str | None, bound: str) -> float | None:
    if not unit or not floor_unit or unit == floor_unit:
        return float(value)
    if unit in _DAYS and floor_unit in _DAYS:
        days = value * _DAYS[unit]
        if unit == "business_days" and floor_unit != "business_days" and bound == "max":
            days = value * 7 / 5  # a business-day deadline can run longer in calendar days
        return days / _DAYS[floor_unit]
    return None  # other units are not comparable; the catalogue checks them


def violation(floor: dict, value: Any, unit: str | None = None, *, null_allowed: bool = False) -> str | None:
    """Why ``value`` gives less than ``floor``, or None when it does not."""
    bound, need = floor["bound"], floor.get("value")
    if bound == "rule":
        return None
    if value is None:
        if null_allowed or bound in ("max", "within"):
            return None
        return "null (no such right)"
    if bound in ("min", "max"):
        if not _is_number(value):
            return None  # the catalogue's type check reports it
        have = _in_unit(value, unit, floor.get("unit"), bound)
        if have is None:
            return None
        if bound == "min" and have < need - 1e-9:
            return f"{value} {unit or floor.get('unit') or ''}".strip()
        if bound == "max" and have > need + 1e-9:
            return f"{value} {unit or floor.get('unit') or ''}".strip()
        return None
    if bound == "includes":
        have_items = value if isinstance(value, list) else []
        missing = [item for item in need or [] if item not in have_items]
        return f"{value} (missing {', '.join(map(str, missing))})" if missing else None
    if bound == "within":
        have_items = value if isinstance(value, list) else []
        extra = [item for item in have_items if item not in (need or [])]
        return f"{value} (beyond the law: {', '.join(map(str, extra))})" if extra else None
    if bound == "equals":
        return None if value == need else str(value).lower()
    return None


def _message(code: str, name: str, floor: dict, param: str, shown: str) -> str:
    unit = f" {floor['unit']}" if floor.get("unit") else ""
    need = floor["value"]
    need_text = ", ".join(map(str, need)) if isinstance(need, list) else str(need).lower() if isinstance(need, bool) else str(need)
    relation = {"min": "at least", "max": "at most", "includes": "including", "within": "excluding no more than",
                "equals": "equal to"}[floor["bound"]]
    return (f"'{param}' {shown} gives the buyer less than the legal floor of jurisdiction '{code}': "
            f"{relation} {need_text}{unit} ({floor['article']}; floor '{name}', {floor.get('source')})")


def _check_parameters(doc: SourceDoc, base: tuple, params: Any, code: str, floors: dict[str, dict],
                      problems: list[Problem], *, null_allowed: bool = False) -> None:
    if not isinstance(params, dict):
        return
    for name, floor in floors.items():
        param = floor.get("parameter")
        if not param or param not in params:
            continue
        for value, unit, where in _entries(doc, base + (param,), params[param]):
            shown = violation(floor, value, unit, null_allowed=null_allowed)
            if shown is not None:
                problems.append(Problem(where, _message(code, name, floor, param, shown), "below-floor"))


def floor_problems(root: str | Path) -> list[Problem]:
    """Every value below its jurisdiction's floor in ``root``'s jurisdiction, platform and
    overlay files, and every malformed floor."""
    root = Path(root)
    floors, problems = read_floors(root)
    platform_jurisdiction: dict[str, str] = {}
    for path in sorted((root / JURISDICTIONS_DIR).glob("*.yaml")):
        doc = _load(path)
        if doc is not None and isinstance(doc.data, dict):
            code = doc.data.get("jurisdiction", path.stem)
            _check_parameters(doc, ("parameters",), doc.data.get("parameters"), code, floors.get(code, {}),
                              problems, null_allowed=True)
    for path in sorted((root / "platforms").glob("*.yaml")):
        doc = _load(path)
        if doc is None or not isinstance(doc.data, dict):
            continue
        code = doc.data.get("jurisdiction")
        platform_jurisdiction[doc.data.get("platform", path.stem)] = code
        _check_parameters(doc, ("parameters",), doc.data.get("parameters"), code, floors.get(code, {}), problems)
    for path in sorted((root / "overlays").glob("*.yaml")):
        doc = _load(path)
        if doc is None or not isinstance(doc.data, dict) or not isinstance(doc.data.get("parameters"), dict):
            continue
        for target, params in doc.data["parameters"].items():
            codes = sorted(set(platform_jurisdiction.values())) if target == "all" else [platform_jurisdiction.get(target)]
            for code in codes:
                if code in floors:
                    _check_parameters(doc, ("parameters", target), params, code, floors[code], problems)
    return sorted(set(problems))
