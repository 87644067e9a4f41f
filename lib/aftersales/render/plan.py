"""Which SOP documents to render, where they go, and which are already up to date.

Deciding that nothing needs rendering must be quick (a rerun with nothing changed finishes
in well under a second), so this module never loads the playbook library, Papermill or Jinja2:
it asks which files a scenario's documents are made from (:func:`document_dependencies`: the
playbook and the files it includes, the platform profile and its jurisdiction, the store
overlay, the parameter catalogue, the SOP templates and the SOP render notebook), reading the few keys that say so with
the YAML parser the loader uses and resolving them as the loader does, and hashes their bytes.
A document's cache key covers those files (and which of the profiles' dated values are in force
on the render day), every source file of the aftersales package and its version.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..compliance.vocabulary import PLATFORMS_DIR, platform_names
from ..languages import LANGS
from ..library import scenario_files as library_scenario_files
from ..limits import MAX_YAML_BYTES
from ..paths import CATALOGUE_FILE, JURISDICTIONS_DIR, default_notebooks_dir

FORMATS: tuple[str, ...] = ("md", "html", "pdf")
MANIFEST = ".sop-manifest.json"
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass
class Job:
    """One document: a scenario on a platform in a language, in some formats."""

    scenario: str
    platform: str
    lang: str
    formats: tuple[str, ...]
    key: str = ""
    status: str = "todo"  # todo | ok | failed | cached
    error: str = ""

    @property
    def doc_id(self) -> str:
        return f"{self.scenario}/{self.platform}.{self.lang}"

    def path(self, out: Path, fmt: str) -> Path:
        return out / self.scenario / f"{self.platform}.{self.lang}.{fmt}"

    def sheet(self, out: Path, fmt: str) -> Path:
        """The one-page sheet of this document (``html`` or ``pdf``)."""
        return out / self.scenario / f"{self.platform}.{self.lang}.sheet.{fmt}"

    def outputs(self, out: Path) -> list[Path]:
        """Every file this job writes: its formats, and the sheet in HTML and PDF where asked."""
        files = [self.path(out, fmt) for fmt in self.formats]
        if {"html", "pdf"} & set(self.formats):  # the sheet's HTML is also what its PDF and the binder print
            files.append(self.sheet(out, "html"))
        if "pdf" in self.formats:
            files.append(self.sheet(out, "pdf"))
        return files

    def flowchart(self, out: Path) -> Path:
        return out / self.scenario / f"flowchart.{self.platform}.{self.lang}.svg"  # each platform's own


@lru_cache(maxsize=512)
def _digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes (remembered while its size and time stay the same)."""
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def scenario_files(root: Path) -> dict[str, Path]:
    """The scenario files by name, as the library finds them."""
    return {p.stem: p for p in library_scenario_files(root)}


#: The SOP templates and frame words every document is made from (also part of :func:`code_digest`).
TEMPLATES = (PACKAGE / "render" / "templates" / "sop.md.j2", PACKAGE / "render" / "templates" / "sop.html.j2",
             PACKAGE / "render" / "templates" / "sheet.html.j2", PACKAGE / "present" / "words.yaml")
#: The notebook ``aftersales render`` runs once per worker, for whole scenarios (in the notebooks folder).
RENDER_NOTEBOOK = "render_sop.ipynb"


def render_notebook() -> Path:
    """The SOP render notebook in use (``$AFTERSALES_NOTEBOOKS`` or the repository's ``notebooks/``):
    its cells are part of what every document is made from."""
    return default_notebooks_dir().resolve() / RENDER_NOTEBOOK


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PLAYBOOK_KEYS = ("include", "platforms")  # what the plan reads of a playbook
_PROFILE_KEYS = ("jurisdiction", "parameters")  # what the plan reads of a profile or an overlay


_SKIP = object()  # the value of a key that is not read


def _top_level(raw: bytes, keys: frozenset[str]) -> dict[str, Any] | None:
    """The top-level ``keys`` of a YAML mapping, built from libyaml's parse events (the loader's
    parser): everything else is skipped, never built, and an alias stays unexpanded (None).
    Scalars are kept as written (strings); None when the document is not a mapping."""
    import yaml
    from yaml import events as ev

    parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    root: dict[str, Any] = {}
    frames: list[list[Any]] = []  # [container or None (skipped), the key waiting for its value or _SKIP]
    started = False

    def put(value: Any) -> None:
        frame = frames[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
        elif frame[1] is _SKIP:
            frame[1] = value if isinstance(value, str) else None  # a key; a collection as a key is no name
        else:
            if container is not None and frame[1] is not None and (container is not root or frame[1] in keys):
                container[frame[1]] = value
            frame[1] = _SKIP

    def building() -> bool:
        frame = frames[-1]
        if frame[0] is root:
            return frame[1] in keys
        return frame[0] is not None

    for event in yaml.parse(raw, Loader=parser):
        if isinstance(event, (ev.StreamStartEvent, ev.StreamEndEvent, ev.DocumentStartEvent, ev.DocumentEndEvent)):
            if isinstance(event, ev.DocumentEndEvent):
                break
            continue
        if not started:
            if not isinstance(event, ev.MappingStartEvent):
                return None
            frames.append([root, _SKIP])
            started = True
        elif isinstance(event, ev.ScalarEvent):
            put(event.value)
        elif isinstance(event, ev.AliasEvent):
            put(None)
        elif isinstance(event, ev.SequenceStartEvent):
            frames.append([[] if building() else None, _SKIP])
        elif isinstance(event, ev.MappingStartEvent):
            frames.append([{} if building() else None, _SKIP])
        elif isinstance(event, (ev.SequenceEndEvent, ev.MappingEndEvent)):
            done = frames.pop()[0]
            if not frames:
                break
            put(done)
    return root


@lru_cache(maxsize=256)
def _read(path: Path, mtime_ns: int, size: int, keys: frozenset[str]) -> dict[str, Any] | None:
    if size > MAX_YAML_BYTES:
        return None
    try:
        return _top_level(path.read_bytes(), keys)
    except Exception:  # noqa: BLE001 - not YAML, too deep...: the loader reports it; the bytes still key it
        return None


def read_keys(path: Path, *keys: str) -> dict[str, Any]:
    """The top-level ``keys`` of the YAML file ``path`` (remembered while its size and time stay
    the same); empty when it cannot be read (the loader reports why when the document is rendered)."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    return _read(path, stat.st_mtime_ns, stat.st_size, frozenset(keys)) or {}


def _names(value: Any) -> list[str] | None:
    """A YAML list of names (flow ``[a, b]`` or block ``- a``), as the loader reads it; else None."""
    return [str(item) for item in value] if isinstance(value, list) else None


@dataclass(frozen=True)
class Dependencies:
    """The files a scenario's document on one platform is made from.

    ``files``: every one that exists, in a fixed order; ``absent``: the files named (an include,
    a jurisdiction) but not found, so that creating one changes the key; ``dated``: the files
    whose dated parameter values decide what is in force (profile, jurisdiction, overlay).
    """

    files: tuple[Path, ...]
    absent: tuple[str, ...]
    dated: tuple[Path, ...]


def playbook_includes(playbook: Path, root: Path) -> tuple[list[Path], list[str]]:
    """The files a playbook's ``include:`` names, looked up as the loader does (``<name>.yaml``
    beside the playbook, then in the playbooks folder); and the names not found."""
    names = _names(read_keys(playbook, *_PLAYBOOK_KEYS).get("include"))
    found: list[Path] = []
    absent: list[str] = []
    for name in names or []:
        candidates = [playbook.parent / f"{name}.yaml", root / f"{name}.yaml"]
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            absent.append(f"include {name}")
        elif path not in found:
            found.append(path)
    return found, absent


def profile_files(root: Path, platform: str) -> tuple[list[Path], list[str]]:
    """A platform's profile and the jurisdiction profile it names (``jurisdiction:``); and the
    files named but not found."""
    profile = root / PLATFORMS_DIR / f"{platform}.yaml"
    if not profile.is_file():
        return [], [f"platform {platform}"]
    jurisdiction = read_keys(profile, *_PROFILE_KEYS).get("jurisdiction")
    if not isinstance(jurisdiction, str):
        return [profile], []
    path = root / JURISDICTIONS_DIR / f"{jurisdiction}.yaml"
    return ([profile, path], []) if path.is_file() else ([profile], [f"jurisdiction {jurisdiction}"])


def document_dependencies(root: Path, scenario_file: Path, platform: str, overlay: Path | None = None) -> Dependencies:
    """Which files the documents of ``scenario_file`` on ``platform`` depend on: the playbook, the
    files it includes, the parameter catalogue, the platform and jurisdiction profiles, the store
    ``overlay`` (its parameters are dated like a profile's), the SOP templates and the SOP render
    notebook (:func:`render_notebook`)."""
    includes, absent = playbook_includes(scenario_file, root)
    profiles, missing = profile_files(root, platform)
    dated = [*profiles, *([overlay] if overlay is not None and overlay.is_file() else [])]
    notebook = render_notebook()
    if not notebook.is_file():
        missing.append(f"notebook {RENDER_NOTEBOOK}")
    files = [scenario_file, *includes, root / CATALOGUE_FILE, *dated, *TEMPLATES, notebook]
    return Dependencies(tuple(p for p in files if p.is_file()), tuple(absent + missing), tuple(dated))


def scenario_platforms(path: Path, all_platforms: list[str]) -> list[str]:
    """The platforms a playbook declares (``platforms:``), else every platform."""
    declared = _names(read_keys(path, *_PLAYBOOK_KEYS).get("platforms"))
    return [p for p in all_platforms if p in declared] if declared else list(all_platforms)


def _effective_dates(data: Any) -> list[str]:
    """Every ``effective_from`` date in a profile's (or an overlay's) parameters, however nested
    (one value, a ``values:`` history, an overlay's per-platform tables)."""
    found: list[str] = []
    stack = [data]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if key == "effective_from" and isinstance(value, str) and _DATE.fullmatch(value):
                found.append(value)
            elif isinstance(value, (dict, list)):
                stack.append(value)
    return found


def _dates(path: Path) -> tuple[str, ...]:
    try:
        stat = path.stat()
    except OSError:
        return ()
    return _dates_of(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _dates_of(path: Path, mtime_ns: int, size: int) -> tuple[str, ...]:
    return tuple(_effective_dates(read_keys(path, *_PROFILE_KEYS).get("parameters")))


def _in_force_epoch(paths: list[Path] | tuple[Path, ...], day: date) -> str:
    """The latest ``effective_from`` on or before ``day`` in ``paths``: when it moves, values in force changed."""
    passed = [d for path in paths for d in _dates(path) if d <= day.isoformat()]
    return max(passed) if passed else ""


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Every source, template and word file of the aftersales package, and its version."""
    from .. import __version__

    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".yaml", ".j2") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE)).encode())
            digest.update(file_digest(path).encode())
    return digest.hexdigest()


def document_key(root: Path, job: Job, day: date, explicit_date: bool, overlay: Path | None = None,
                 dependencies: Dependencies | None = None) -> str:
    """The cache key of ``job``'s document: the code, its language and formats, the bytes of every
    file it depends on (:func:`document_dependencies`), the values in force on ``day``."""
    deps = dependencies or document_dependencies(root, root / f"{job.scenario}.yaml", job.platform, overlay)
    parts = [code_digest(), job.lang, ",".join(job.formats)]
    parts += [f"{_shown(path, root)} {file_digest(path)}" for path in deps.files]
    parts += [f"absent {name}" for name in deps.absent]
    parts.append(_in_force_epoch(deps.dated, day))
    if explicit_date:
        parts.append(day.isoformat())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _shown(path: Path, root: Path) -> str:
    if path.name == RENDER_NOTEBOOK and path.suffix == ".ipynb":
        return f"notebook {RENDER_NOTEBOOK}"  # wherever the notebooks folder is
    for base in (root, PACKAGE):
        try:
            return str(path.relative_to(base))
        except ValueError:
            continue
    return "overlay"


def disabled_platforms(overlay: Path) -> dict[str, list[str]]:
    """The platforms an overlay turns off: ``""`` for the whole store, else per scenario.

    Read without the library (planning stays fast); the overlay itself is validated before
    anything is rendered, so a malformed one never gets here.
    """
    data = read_keys(overlay, "disable_platforms", "scenarios", "parameters")
    found = {"": list(data.get("disable_platforms") or [])}
    for scenario, patch in (data.get("scenarios") or {}).items():
        if isinstance(patch, dict):
            found[scenario] = list(patch.get("disable_platforms") or [])
    return found


def read_manifest(out: Path) -> dict[str, dict]:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def plan_jobs(root: Path, out: Path, *, scenarios: list[str] | None, platforms: list[str] | None,
              langs: list[str] | None, formats: list[str], day: date, explicit_date: bool,
              force: bool, overlay: Path | None = None) -> list[Job]:
    """Every requested document with its cache key; those up to date are marked ``cached``.

    With a store ``overlay``, the platforms it disables (for the store or one scenario) get no
    documents, and the overlay's bytes are part of every key.
    """
    from ..errors import UnknownNameError

    known = scenario_files(root)
    all_platforms = list(platform_names(root))
    for name in scenarios or []:
        if name not in known:
            raise UnknownNameError("scenario", name, known)
    for name in platforms or []:
        if name not in all_platforms:
            raise UnknownNameError("platform", name, all_platforms)
    for name in langs or []:
        if name not in LANGS:
            raise UnknownNameError("language", name, LANGS)
    manifest = read_manifest(out)
    jobs = []
    disabled = disabled_platforms(overlay) if overlay is not None else {}
    for scenario in scenarios or list(known):
        for platform in scenario_platforms(known[scenario], all_platforms):
            if platforms and platform not in platforms:
                continue
            if platform in disabled.get("", ()) or platform in disabled.get(scenario, ()):
                continue
            deps = document_dependencies(root, known[scenario], platform, overlay)
            for lang in langs or LANGS:
                job = Job(scenario, platform, lang, tuple(formats))
                job.key = document_key(root, job, day, explicit_date, overlay, deps)
                entry = manifest.get(job.doc_id)
                if (not force and entry and entry.get("status") == "ok" and entry.get("key") == job.key
                        and all(path.exists() for path in job.outputs(out))):
                    job.status = "cached"
                jobs.append(job)
    return jobs
