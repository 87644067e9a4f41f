"""What only running an overlay's merged playbooks shows: its worked examples decided, every
template it adds rendered, every condition and term it adds evaluated, each problem located
at the overlay's own line. ``aftersales validate`` runs these (:func:`check_overlay`); loading
an overlay (:func:`aftersales.overlay.apply_overlay`) does not, so it never needs the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .engine.core import decide, decide_outcome, resolve_as_of
from .errors import AftersalesError, FactError, PlaybookError, Problem
from .examples import EXAMPLE_AS_OF, example_problems
from .library_model import Library
from .limits import MAX_MESSAGE_CHARS
from .overlay import Overlay, ScenarioPatch, apply_overlay
from .yamlsource import PathKey


def check_overlay(base: Library, path: Path) -> Library:
    """``base`` with the overlay at ``path`` laid over it, after every check ``validate`` makes.

    Raises :class:`PlaybookError` with every located problem: those of loading the overlay, of
    its own worked examples (the base's examples are kept as illustrations: their expectations
    hold for the base) and of :func:`deep_problems`.
    """
    merged = apply_overlay(base, path)
    overlay = merged.overlay
    assert overlay is not None
    problems: list[Problem] = []
    for playbook in merged.playbooks.values():
        own = tuple(e for e in playbook.examples if e[1].file == overlay.file)
        if own:
            problems.extend(example_problems(replace(playbook, examples=own), merged))
        # the base's examples, run on the merged playbook: where the overlay changes what one
        # decides, the lead sees it at that example's line (a warning: the overlay may mean it)
        others = tuple(e for e in playbook.examples
                       if e[1].file != overlay.file and e[0].platform not in merged.disabled_platforms)
        if others:
            merged.warnings.extend(
                Problem(p.location, f"under overlay '{overlay.name}': {p.message}", "overlay-moves-example")
                for p in example_problems(replace(playbook, examples=others), merged))
    problems.extend(deep_problems(overlay, merged, base))
    if problems:
        raise PlaybookError(sorted(set(problems)))
    return merged


@dataclass(frozen=True)
class _Sample:
    """Facts to try a merged playbook with: a worked example's (base or overlay)."""

    name: str
    platform: str
    as_of: Any
    facts: dict[str, Any]
    outcome: str


def deep_problems(overlay: Overlay, library: Any, base_library: Any) -> list[Problem]:
    """What only running the merged playbooks shows, located at the overlay's own lines.

    * Every message template the overlay adds or replaces is rendered in each of its languages
      on every platform the scenario applies to, with sample facts: a worked example that
      reaches the outcome, else any worked example's case ended at that outcome (facts it
      lacks filled from the input's default or a value of its type, a currency the platform
      does not take replaced by one it does). A template that fails (an error, a limit of
      :mod:`aftersales.limits`) is reported at the overlay's line of that language, not at
      the base file; on a case ended there artificially, a missing value only that outcome's
      own paths compute is inconclusive and the next sample is tried.
    * Every branch condition (and ``let``) the overlay adds is evaluated on every worked example
      of the scenario, on every platform: one that fails on every example reaching it is
      reported at its line. So are an outcome's terms the overlay gives (who pays, the
      compensation, the deadlines) when they fail for every sample case of that outcome.
    """
    problems: list[Problem] = []
    for scenario, patch in overlay.spec.scenarios.items():
        playbook = library.playbooks.get(scenario)
        base = base_library.playbooks.get(scenario)
        if playbook is None or base is None:
            continue
        samples = _samples(playbook)
        here: PathKey = ("scenarios", scenario)
        probes = _added_expressions(playbook, here, patch, set(base.steps))
        # sample cases for the templates must not depend on a broken condition the overlay adds
        tolerant = _probed(playbook, probes, tolerant=True) if probes else playbook
        problems.extend(_template_problems(overlay, library, tolerant, here, patch, samples))
        problems.extend(_terms_problems(overlay, library, tolerant, here, patch, samples))
        if probes:
            problems.extend(_expression_problems(overlay, library, _probed(playbook, probes), probes, samples))
    return problems


def _samples(playbook: Any) -> list[_Sample]:
    found = []
    for example, _location in playbook.examples:
        facts = example.facts if isinstance(example.facts, dict) else {}
        found.append(_Sample(example.name, example.platform, example.as_of, dict(facts), example.expect.outcome))
    return found


def _sample_value(spec: Any, as_of: Any) -> Any:
    """A value of an input's type for sample facts (its default when it has one)."""
    from datetime import timedelta


    if spec.default is not None:
        return spec.default
    kind = spec.type
    if kind == "bool":
        return False
    if kind in ("int", "number", "money"):
        low = spec.min if spec.min is not None else 0
        value = max(low, 1) if spec.max is None or spec.max >= 1 else low
        return int(value) if kind == "int" else value
    moment = resolve_as_of(as_of)
    if kind == "date":
        return (moment - timedelta(days=1)).date().isoformat()
    if kind == "datetime":
        return (moment - timedelta(hours=1)).isoformat()
    if kind == "choice":
        return spec.choices[0] if spec.choices else "sample"
    return "sample"


def _fill(facts: dict[str, Any], exc: Exception, playbook: Any, as_of: Any, filled: set[str]) -> bool:
    """Complete ``facts`` after a :class:`FactError`: a missing input gets a sample value, an input
    this platform does not accept (a worked example's USD on a euro platform) the first value it
    allows. False when it cannot (then the sample is given up)."""
    import re

    name = getattr(exc, "field", None)
    spec = playbook.inputs.get(name) if isinstance(name, str) else None
    if spec is None or name in filled:
        return False
    allowed = str(getattr(exc, "allowed", "") or "")
    first = allowed.split(",")[0].strip()
    try:
        if name in facts and re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", first):
            facts[name] = first
        else:
            facts[name] = _sample_value(spec.spec, as_of)
    except Exception:  # noqa: BLE001 - no sample for this input: these facts cannot be completed
        return False
    filled.add(name)
    return True


#: How many worked examples are tried, the likeliest first, to make a sample case for one outcome.
_MAX_SAMPLES = 8


def _ordered(samples: list[_Sample], outcome: str, platform: str) -> list[_Sample]:
    """The samples most likely to reach ``outcome`` on ``platform`` first."""
    return sorted(samples, key=lambda s: (s.outcome != outcome, s.platform != platform))


def _render_sample(playbook: Any, library: Any, outcome: str, platform: str, lang: str,
                   samples: list[_Sample]) -> tuple[str, str, str]:
    """``("ok" | "fail" | "none", sample name, error)``: ``outcome``'s message in ``lang`` rendered
    on ``platform`` with the first sample that gives it the facts it needs.

    A case that reaches ``outcome`` itself is a faithful sample: any failure counts. A case
    ended there although its path leads elsewhere lacks the values only that outcome's own
    paths compute, so a failure for a missing (undefined or null) value is inconclusive there
    and the next sample is tried; any other failure (an error of the template's own making,
    a limit) counts.
    """

    for sample in _ordered(samples, outcome, platform)[:_MAX_SAMPLES]:
        facts, filled = dict(sample.facts), set()
        as_of = sample.as_of or EXAMPLE_AS_OF
        for _attempt in range(len(playbook.inputs) + 1):
            try:
                decision = decide(playbook, facts, platform, lang=lang, as_of=as_of, render_message=False,
                                  library=library)
                decide_outcome(decision, outcome, render_message=False)  # its terms: not the template's doing
            except FactError as exc:
                if _fill(facts, exc, playbook, as_of, filled):
                    continue
                break
            except Exception:  # noqa: BLE001 - these facts do not make a case here; try the next sample
                break
            try:
                text = decide_outcome(decision, outcome, render_message=True).message["text"]
            except FactError as exc:
                if _fill(facts, exc, playbook, as_of, filled):
                    continue
                break
            except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - a template must never do this
                error = _without_location(str(exc), outcome)
                if not isinstance(exc, AftersalesError):
                    error = f"{type(exc).__name__}: {error}"
                if decision.outcome != outcome and _missing_value(error):
                    break  # inconclusive on a path that does not lead here: try the next sample
                return "fail", sample.name, error[:300]
            if len(text) > MAX_MESSAGE_CHARS:
                return "fail", sample.name, (f"the message is {len(text):,} characters long; at most "
                                             f"{MAX_MESSAGE_CHARS:,} are allowed (MAX_MESSAGE_CHARS)")
            return "ok", sample.name, ""
    return "none", "", ""


def _missing_value(error: str) -> bool:
    """Whether a template error is about a value the case does not have (undefined or null)."""
    import re

    return bool(re.search(r"' is undefined|has no attribute|\bNoneType\b|\bNone\b", error))


def _without_location(message: str, outcome: str) -> str:
    """An engine error without its ``file:line:col: outcome 'x': `` prefix (the base file's line)."""
    marker = f"outcome '{outcome}': "
    at = message.find(marker)
    return message[at + len(marker):] if at >= 0 else message


def _template_problems(overlay: Overlay, library: Any, playbook: Any, here: PathKey, patch: ScenarioPatch,
                       samples: list[_Sample]) -> list[Problem]:
    problems = []
    for outcome_id, changes in patch.outcomes.items():
        node = playbook.outcomes.get(outcome_id)
        if node is None or not isinstance(changes, dict) or not isinstance(changes.get("message"), dict):
            continue
        for lang in changes["message"]:
            if lang not in node.messages:
                continue
            at = here + ("outcomes", outcome_id, "message", lang)
            failed: list[str] = []
            first = ("", "")
            for platform in playbook.platforms:
                status, sample, error = _render_sample(playbook, library, outcome_id, platform, lang, samples)
                if status == "fail":
                    failed.append(platform)
                    first = first if first[1] else (sample, error)
                    break  # once is enough: a failing template may be a slow one
            if failed:
                sample, error = first
                problems.append(overlay.doc.problem(
                    at, f"message template ({lang}) of outcome '{outcome_id}' fails on {', '.join(failed)} with the "
                    f"facts of example '{sample}': {error}", "template"))
    return problems


#: The keys of an outcome that are worked out when a case ends there (not its message).
_TERMS = ("return_shipping_paid_by", "cost_borne_by", "compensation", "deadlines", "checklist", "include_checklists")


def _terms_problems(overlay: Overlay, library: Any, playbook: Any, here: PathKey, patch: ScenarioPatch,
                    samples: list[_Sample]) -> list[Problem]:
    """Outcome terms the overlay gives that fail for every sample case ending at that outcome."""

    problems = []
    for outcome_id, changes in patch.outcomes.items():
        given = [key for key in _TERMS if isinstance(changes, dict) and key in changes]
        if not given or outcome_id not in playbook.outcomes:
            continue
        worked, failed, first = 0, 0, ""
        for platform in playbook.platforms:
            for sample in _ordered(samples, outcome_id, platform)[:_MAX_SAMPLES]:
                try:
                    decision = decide(playbook, sample.facts, platform, as_of=sample.as_of or EXAMPLE_AS_OF,
                                      render_message=False, library=library)
                except Exception:  # noqa: BLE001 - these facts make no case here
                    continue
                try:
                    decide_outcome(decision, outcome_id, render_message=False)
                except FactError:
                    continue
                except Exception as exc:  # noqa: BLE001 - the terms failed
                    error = _without_location(str(exc), outcome_id)
                    if decision.outcome != outcome_id and _missing_value(error):
                        continue  # a value only the outcome's own paths compute: inconclusive
                    failed += 1
                    first = first or error[:300]
                    continue
                worked += 1
                break
            if worked:
                break
        if failed and not worked:
            problems.append(overlay.doc.problem(
                here + ("outcomes", outcome_id, given[0]), f"outcome '{outcome_id}' cannot be worked out for any "
                f"worked example ({failed} tried): {first}", "expression", key=True))
    return problems


@dataclass
class _Probe:
    """Counts how often one expression the overlay added is evaluated, and how often it fails."""

    path: PathKey
    what: str
    reached: int = 0
    failed: int = 0
    first: str = ""

    def wrap(self, expression: Any, tolerant: bool = False) -> Any:
        """``expression`` counted by this probe; ``tolerant``: a failing condition is just false."""
        from .playbook.expressions import MissingFactError

        inner = expression.evaluate

        def evaluate(env: Any) -> Any:
            if tolerant:
                try:
                    return inner(env)
                except MissingFactError:
                    raise
                except Exception:  # noqa: BLE001 - only to find sample cases; reported by the strict run
                    return False
            try:
                value = inner(env)
            except MissingFactError:
                raise
            except BaseException as exc:
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                self.reached += 1
                self.failed += 1
                self.first = self.first or (str(exc) or type(exc).__name__)[:300]
                raise
            self.reached += 1
            return value

        return replace(expression, evaluate=evaluate)


def _added_expressions(playbook: Any, here: PathKey, patch: ScenarioPatch, base_steps: set[str]
                       ) -> dict[tuple[str, str, Any], _Probe]:
    """``(step, "branch" | "let", index or name) -> probe`` for the conditions and lets the overlay gives."""
    probes: dict[tuple[str, str, Any], _Probe] = {}
    for step_id, changes in patch.steps.items():
        step = playbook.steps.get(step_id)
        if step is None or not isinstance(changes, dict):
            continue
        at = here + ("steps", step_id)
        if step_id not in base_steps or "branches" in changes:
            key, count = "branches", len(step.branches)
        elif isinstance(changes.get("add_branches"), list):
            key, count = "add_branches", len(changes["add_branches"])
        else:
            key, count = "", 0
        for index in range(min(count, len(step.branches))):
            if step.branches[index].condition is not None:
                probes[(step_id, "branch", index)] = _Probe(at + (key, index, "when"), "condition")
        if "let" in changes or step_id not in base_steps:
            for name, _expression in step.lets:
                probes[(step_id, "let", name)] = _Probe(at + ("let", name), f"let '{name}'")
    return probes


def _probed(playbook: Any, probes: dict[tuple[str, str, Any], _Probe], tolerant: bool = False) -> Any:
    """``playbook`` with the expressions of ``probes`` wrapped by them."""
    steps = dict(playbook.steps)
    for step_id in {key[0] for key in probes}:
        step = steps[step_id]
        branches = tuple(replace(b, condition=probes[(step_id, "branch", b.index)].wrap(b.condition, tolerant))
                         if (step_id, "branch", b.index) in probes else b for b in step.branches)
        lets = tuple((name, probes[(step_id, "let", name)].wrap(expr, tolerant))
                     if (step_id, "let", name) in probes and not tolerant else (name, expr) for name, expr in step.lets)
        steps[step_id] = replace(step, branches=branches, lets=lets)
    return replace(playbook, steps=steps)


def _expression_problems(overlay: Overlay, library: Any, probed: Any, probes: dict[tuple[str, str, Any], _Probe],
                         samples: list[_Sample]) -> list[Problem]:

    for sample in samples:  # each worked example on its own platform, then on the others
        for platform in dict.fromkeys((sample.platform, *probed.platforms)):
            if platform not in probed.platforms:
                continue
            try:
                decide(probed, sample.facts, platform, as_of=sample.as_of or EXAMPLE_AS_OF, render_message=False,
                       library=library)
            except Exception:  # noqa: BLE001 - counted by the probes; other failures are not the overlay's
                continue
    problems = []
    for probe in probes.values():
        if probe.reached and probe.failed == probe.reached:
            problems.append(overlay.doc.problem(
                probe.path, f"this {probe.what} fails on every worked example that reaches it ({probe.failed} of "
                f"{probe.reached} decisions): {probe.first}", "expression"))
    return problems

