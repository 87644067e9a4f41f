"""Which SOP documents to render, where they go, and which are already up to date.

Deciding that nothing needs rendering must be quick (a rerun with nothing changed finishes
in well under a second), so this module reads files and hashes bytes; it never loads the
playbook library, Papermill or Jinja2. A document's cache key covers its playbook file and
the files it includes, the parameter catalogue, the platform and jurisdiction profiles (and
which of their dated values are in force on the render day), the templates, the frame
words, every source file of the aftersales package and its version.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..languages import LANGS
from ..library import scenario_files as library_scenario_files

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

    def flowchart(self, out: Path) -> Path:
        return out / self.scenario / f"flowchart.{self.lang}.svg"


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


def _header(path: Path, key: str) -> str | None:
    match = re.search(rf"^{key}:\s*(.+?)\s*(#.*)?$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else None


def _list_value(text: str | None) -> list[str]:
    if not text:
        return []
    return [item.strip().strip("'\"") for item in text.strip("[]").split(",") if item.strip()]


def scenario_platforms(path: Path, all_platforms: list[str]) -> list[str]:
    """The platforms a playbook declares (``platforms: [...]``), else every platform."""
    declared = _list_value(_header(path, "platforms"))
    return [p for p in all_platforms if p in declared] if declared else list(all_platforms)


def _in_force_epoch(paths: list[Path], day: date) -> str:
    """The latest ``effective_from`` on or before ``day`` in ``paths``: when it moves, values in force changed."""
    dates = [d for path in paths for d in re.findall(r"effective_from:\s*['\"]?(\d{4}-\d{2}-\d{2})", path.read_text(encoding="utf-8"))]
    passed = [d for d in dates if d <= day.isoformat()]
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


def document_key(root: Path, job: Job, day: date, explicit_date: bool, overlay: Path | None = None) -> str:
    scenario_file = root / f"{job.scenario}.yaml"
    parts = [code_digest(), job.lang, ",".join(job.formats), file_digest(scenario_file),
             file_digest(root / "parameters.yaml")]
    for included in _list_value(_header(scenario_file, "include")):
        parts.append(file_digest(root / f"{included}.yaml"))
    platform_file = root / "platforms" / f"{job.platform}.yaml"
    profile_files = [platform_file]
    jurisdiction = _header(platform_file, "jurisdiction")
    if jurisdiction:
        profile_files.append(root / "jurisdictions" / f"{jurisdiction.strip()}.yaml")
    if overlay is not None:
        profile_files.append(overlay)  # its parameters are dated like a profile's
    parts += [file_digest(p) for p in profile_files if p.exists()]
    parts.append(_in_force_epoch([p for p in profile_files if p.exists()], day))
    if explicit_date:
        parts.append(day.isoformat())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def disabled_platforms(overlay: Path) -> dict[str, list[str]]:
    """The platforms an overlay turns off: ``""`` for the whole store, else per scenario.

    Read without the library (planning stays fast); the overlay itself is validated before
    anything is rendered, so a malformed one never gets here.
    """
    import yaml

    try:
        data = yaml.safe_load(overlay.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    if not isinstance(data, dict):
        return {}
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
    all_platforms = sorted(p.stem for p in (root / "platforms").glob("*.yaml"))
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
            for lang in langs or LANGS:
                job = Job(scenario, platform, lang, tuple(formats))
                job.key = document_key(root, job, day, explicit_date, overlay)
                entry = manifest.get(job.doc_id)
                if (not force and entry and entry.get("status") == "ok" and entry.get("key") == job.key
                        and all(job.path(out, fmt).exists() for fmt in formats)):
                    job.status = "cached"
                jobs.append(job)
    return jobs
