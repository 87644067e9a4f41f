"""Citations that resolve: what a ``source:`` / ``sources:`` entry may say, and the check.

Every step, branch, outcome, template, parameter and practice case cites where its rule comes
from. ``docs/sources.md`` says what each kind of citation refers to; this module parses them
and :func:`validate` (run by ``aftersales validate``) reports, as a located ``citation``
problem, a part that resolves nowhere.

A ``source`` string may hold several citations separated by ``;`` or ``,`` (a comma inside
parentheses, or one followed by a mere locator such as ``§2``, ``p.7`` or ``10``, belongs to
the citation before it: ``Directive 2011/83 art. 6, 10, 14`` is one citation). Each part is one
of these kinds (a trailing ``(…)`` comment is allowed on any of them):

==========  ================================================================================
``seed``    ``seed 000`` … ``seed 004``: the five source documents described in docs/sources.md
``url``     ``https://…`` / ``http://…``, or a bare address (``85l.net/l/…``, ``evz.de``)
``note``    a section of the research notes: ``POLICY-FACTS §5.5``, ``LAW-FLOORS.md §3, §6 item 9``
``law``     a statute, article or court case: ``ZoZPP art. 26.1 p.4``, ``CPL art. 25``,
            ``Directive 2011/83 art. 14(2)``, ``SAIC Interim Measures 2017 art. 6-7``,
            ``§357a(1) BGB``, ``CJEU C-681/17``
``issue``   an issue of this project: ``issue 12``
``page``    a named platform or store document: ``Amazon return policy``,
            ``Seller Central policy update 2020 (restocking fees)``, ``Fashion House size policy 2026``
``other``   anything else: a problem (``trust me``)
==========  ================================================================================

A ``seed`` with another number (``seed 007``) and a research-note section that does not exist
(``POLICY-FACTS §42``) are problems too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PlaybookError, Problem

CODE = "citation"
DOC = "docs/sources.md"

KINDS = ("seed", "url", "note", "law", "issue", "page", "other")


@dataclass(frozen=True)
class Seed:
    """One of the five source documents the playbooks were built from (see docs/sources.md)."""

    number: str
    title_zh: str
    title_en: str
    covers: str
    title_ru: str = ""

    def title(self, lang: str) -> str:
        """Its title in ``lang`` (the original Chinese for zh; English where there is no translation)."""
        return {"zh": self.title_zh, "ru": self.title_ru}.get(lang) or self.title_en

    @property
    def citation(self) -> str:
        """How the playbooks cite it: ``seed 001``."""
        return f"seed {self.number}"

    @property
    def anchor(self) -> str:
        """Its entry's anchor in docs/sources.md: ``seed-001``."""
        return f"seed-{self.number}"


SEEDS: dict[str, Seed] = {s.number: s for s in (
    Seed("000", "ozon需要修理的售后怎么处理", "How to handle after-sales repairs on Ozon",
         "Ozon repairs: intake, diagnosis, ways to repair, shipping, who pays",
         "Как организовать послепродажный ремонт на Ozon"),
    Seed("001", "售后问题处理流程", "After-sales problem handling procedures",
         "general after-sales procedures, Taobao refunds, quality and size problems (several articles)",
         "Порядок работы с послепродажными обращениями"),
    Seed("002", "亚马逊卖家需要处理哪些售后事项?", "Which after-sales matters must an Amazon seller handle?",
         "Amazon claims, apology letters, returns, bad reviews",
         "Какие послепродажные вопросы решает продавец на Amazon?"),
    Seed("003", "线上店铺的售后处理技巧", "After-sales handling techniques for online stores",
         "the after-sales workflow (request, receipt, diagnosis, resolution) and its costs",
         "Приёмы послепродажного обслуживания в интернет-магазине"),
    Seed("004", "跨境电商中的售后服务与返修处理", "After-sales service and repairs in cross-border e-commerce",
         "cross-border after-sales: policies, the repair flow, language, time zones, shipping (slides)",
         "Послепродажное обслуживание и ремонт в трансграничной электронной торговле"),
)}

# The research notes beside the project (../shared/): their sections, by number.
NOTES: dict[str, dict[str, str]] = {
    "POLICY-FACTS": {
        "0": "Verdict on the claims from the project's source documents",
        "1": "Standard return windows (non-defective goods, change of mind)",
        "2": "Amazon A-to-z Guarantee (buyer claims)",
        "3": "Chargebacks, SAFE-T, FBA reimbursement (Amazon)",
        "4": "Amazon seller-fulfilled returns and refunds",
        "5": "Reviews and feedback",
        "5.1": "Amazon Customer Reviews policy: what sellers may not do",
        "5.2": "Requesting reviews",
        "5.3": "Amazon review removal grounds",
        "5.4": "Amazon seller feedback removal",
        "5.5": "Law on reviews",
        "5.6": "Ozon reviews and communication",
        "6": "Ozon returns and disputes",
        "7": "Russia: Law on Protection of Consumer Rights (ZoZPP)",
        "8": "China: CPL, 7-day rule, 三包",
        "9": "EU (besides the CRD rows)",
        "10": "US",
        "11": "After-sales message templates: required elements and forbidden content",
        "12": "Consolidated parameter table",
        "13": "Gaps and next checks",
    },
    "LAW-FLOORS": {
        "1": "Russia: ZoZPP (and Ozon)",
        "2": "EU: Directives 2019/771 and 2011/83",
        "3": "China: CPL, SAIC Interim Measures, 三包, Taobao",
        "4": "United States / Amazon.com",
        "5": "Time zones and day counting",
        "6": "Conflicts and unknowns",
        "7": "Full URLs for shortened sources",
    },
    "DOMAIN": {},  # the English digest of the seeds; cited by its section titles
}

_NUM = r"\d+(?:\.\d+)?[a-z]?(?:\(\w+\))*(?:\s*-\s*\d+(?:\.\d+)?(?:\(\w+\))*)?"
_ARTICLES = rf"(?:\s+(?:arts?\.|Arts?\.|articles?|Articles?)\s*{_NUM}(?:\s*,\s*{_NUM})*)?"
_POINTS = r"(?:\s*,?\s*(?:p\.|para\.|part)\s?\d+(?:\s*,\s*(?:p\.|para\.)\s?\d+)*)?"
_ACTS = (
    r"ZoZPP", r"CPL", r"SAIC Interim Measures \d{4}", r"(?:EU |Omnibus )?Directive \d{4}/\d+",
    r"CRD(?: \d{4}/\d+)?", r"Reg(?:ulation|\.) (?:\(EU\) )?\d+/\d+", r"(?:RF |Russian )?Civil Code", r"三包",
    r"\d+ CFR(?: (?:part )?\d+)?", r"UCC(?: § ?[\d-]+)?", r"Law No\. [\d-]+",
)
_LAW = re.compile(rf"^(?P<act>{'|'.join(_ACTS)}){_ARTICLES}{_POINTS}$")
_BGB = re.compile(r"^§\s?\d+[a-z]?(?:\(\d+\))*(?:\s+(?:S\.|Satz|Nr\.)\s*\d+)*\s+BGB$")
_CASE = re.compile(r"^CJEU\s+C-\d+/\d+$")
_SEED = re.compile(r"^seed\s+(?P<n>\d+)$", re.IGNORECASE)
_NOTE = re.compile(r"^(?P<note>POLICY-FACTS|LAW-FLOORS|DOMAIN)(?:\.md)?"
                   r"(?P<sections>\s+§\s?\d+(?:\.\d+)?(?:\s+(?:row|item)\s+\d+)?"
                   r"(?:\s*,\s*§\s?\d+(?:\.\d+)?(?:\s+(?:row|item)\s+\d+)?)*)?(?:\s+'[^']+')?$")
_ISSUE = re.compile(r"^issue\s+(?P<n>\d+)(?:\s*,\s*part\s+\d+)?$", re.IGNORECASE)
_URL = re.compile(r"^https?://[^\s/]+\S*$")
_ADDRESS = re.compile(r"^(?:www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?(?:\s+[\w=.-]+)?$", re.IGNORECASE)
_PAGE = re.compile(r"^\w[\w&'.-]*(?:\s+[\w&'.()-]+)*?\s+(?:policy|policies|guidelines?|forum|terms|rules|help page)"
                   r"\b.*$", re.IGNORECASE)
_TRAILING_COMMENT = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)\s*$")


@dataclass(frozen=True)
class Citation:
    """One cited source: its text, its kind (one of :data:`KINDS`) and, when it does not
    resolve, why (``problem``)."""

    text: str
    kind: str
    key: str = ""  # "seed 001", the URL, "POLICY-FACTS §5.5", "ZoZPP", "issue 12", ...
    problem: str = ""

    @property
    def ok(self) -> bool:
        """Whether the citation resolves (a described seed, a URL or a recognised form)."""
        return not self.problem

    @property
    def seed(self) -> Seed | None:
        """The described seed this citation names, if any."""
        return SEEDS.get(self.key.removeprefix("seed ")) if self.kind == "seed" else None


def _top_level_split(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside parentheses and brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        elif char == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def split(text: str) -> list[str]:
    """The citations in one ``source`` string (see the module's docstring for the rules)."""
    out: list[str] = []
    for chunk in _top_level_split(text, ";"):
        current: str | None = None
        for piece in _top_level_split(chunk, ","):
            piece = piece.strip()
            if current is not None and (not piece or parse(piece).kind == "other"):
                current = f"{current}, {piece}" if piece else current  # a locator of the citation before
            else:
                if current:
                    out.append(current)
                current = piece
        if current:
            out.append(current)
    return out


def parse(part: str) -> Citation:
    """Classify one citation (no ``;`` or list splitting: see :func:`split`)."""
    text = " ".join(part.split())
    core = text
    while True:  # drop trailing (…) comments: "loganpartners.com (Omnibus Directive 2019/2161)"
        stripped = _TRAILING_COMMENT.sub("", core)
        if stripped == core or not stripped:
            break
        core = stripped
    if m := _SEED.match(core):
        number = m["n"]
        if number in SEEDS:
            return Citation(text, "seed", f"seed {number}")
        described = ", ".join(s.citation for s in SEEDS.values())
        return Citation(text, "seed", f"seed {number}",
                        f"'{core}' is not a described seed (described in {DOC}: {described})")
    if _URL.match(core):
        return Citation(text, "url", core)
    if m := _NOTE.match(core):
        note, sections = m["note"], NOTES[m["note"]]
        if sections:
            for number in re.findall(r"§\s?(\d+(?:\.\d+)?)", m["sections"] or ""):
                if number not in sections:
                    return Citation(text, "note", note, f"{note} has no section §{number} "
                                                        f"(sections: §{', §'.join(sections)})")
        return Citation(text, "note", f"{note} {(m['sections'] or '').strip()}".strip())
    if m := _LAW.match(core):
        return Citation(text, "law", m["act"])
    if _BGB.match(core):
        return Citation(text, "law", "BGB")
    if _CASE.match(core):
        return Citation(text, "law", "CJEU")
    if m := _ISSUE.match(core):
        return Citation(text, "issue", f"issue {m['n']}")
    if _ADDRESS.match(core):
        return Citation(text, "url", core.split()[0])
    if _PAGE.match(core):
        return Citation(text, "page", core)
    return Citation(text, "other", "", f"'{text}' is not a citation: cite a seed (seed 000 … seed 004, {DOC}), "
                                       "a URL, a research-note section (POLICY-FACTS §n, LAW-FLOORS §n), an "
                                       "article (ZoZPP art. 26.1 p.4, Directive 2011/83 art. 14(2)), an issue "
                                       "(issue 12) or a named platform page (Amazon return policy)")


def citations(value: Any) -> list[Citation]:
    """Every citation of a ``source`` value (a string or a list of strings); a list item
    that is a mere locator (``§4``) belongs to the item before it."""
    items = value if isinstance(value, list) else [value]
    texts = [str(item).strip() for item in items if isinstance(item, (str, int, float)) and str(item).strip()]
    return [parse(part) for part in split(", ".join(texts))] if texts else []


def _located(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """``(path, text)`` of each list item (a locator item joined to the one before) or the string."""
    if not isinstance(value, list):
        if isinstance(value, (str, int, float)) and str(value).strip():
            yield path, str(value)
        return
    pending: tuple[tuple[Any, ...], str] | None = None
    for i, item in enumerate(value):
        if not isinstance(item, (str, int, float)) or not str(item).strip():
            continue
        text = str(item).strip()
        if pending is not None and parse(text).kind == "other" and parse(f"{pending[1]}, {text}").ok:
            pending = (pending[0], f"{pending[1]}, {text}")  # [Fashion House size policy 2026, §4]
            continue
        if pending is not None:
            yield pending
        pending = (path + (i,), text)
    if pending is not None:
        yield pending


def source_fields(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """``(path, text)`` of every ``source`` / ``sources`` entry in a YAML document's data."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("source", "sources"):
                yield from _located(value, path + (key,))
            else:
                yield from source_fields(value, path + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from source_fields(item, path + (i,))


def split_citations(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    """``(path, whole, locator)`` of each list item that is only a locator (``§4``) of the item
    before it: a flow list ``[X policy, §4]`` that YAML's comma split in two."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("source", "sources") and isinstance(value, list):
                texts = [str(v).strip() if isinstance(v, (str, int, float)) else "" for v in value]
                for i in range(1, len(texts)):
                    if texts[i] and texts[i - 1] and parse(texts[i]).kind == "other" \
                            and parse(f"{texts[i - 1]}, {texts[i]}").ok:
                        yield path + (key, i), f"{texts[i - 1]}, {texts[i]}", texts[i]
            else:
                yield from split_citations(value, path + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from split_citations(item, path + (i,))


def document_problems(doc: Any) -> list[Problem]:
    """A ``citation`` problem, at its line, for each citation of a parsed document
    (:class:`aftersales.yamlsource.SourceDoc`) that does not resolve, and a ``citation-split``
    warning where a list's comma cut one citation in two."""
    problems = [Problem(doc.at(path), f"'{locator}' is read as a source of its own: the comma of the list split "
                        f"'{whole}' in two; write it as one quoted item: [\"{whole}\"]", "citation-split")
                for path, whole, locator in split_citations(doc.data)]
    for path, text in source_fields(doc.data):
        for citation in (parse(part) for part in split(text)):
            if not citation.ok:
                problems.append(Problem(doc.at(path), citation.problem, CODE))
    return problems


def validate(path: str | Path, name: str | None = None) -> list[Problem]:
    """The ``citation`` problems of one YAML file (none if it cannot be read: other checks say why)."""
    from .yamlsource import load_yaml

    try:
        doc = load_yaml(path, display_name=name or str(path))
    except (PlaybookError, OSError, UnicodeDecodeError):
        return []
    return document_problems(doc)


def library_files(root: Path, *, cases: bool = True) -> list[Path]:
    """The files of a playbooks folder that hold citations besides its scenarios and overlays:
    the catalogue, the profiles and (``cases``) the practice bank."""
    files = [root / "parameters.yaml", root / "common.yaml"]
    for folder in ("platforms", "jurisdictions", *(["cases"] if cases else [])):
        files.extend(sorted((root / folder).glob("*.yaml")))
    return [f for f in files if f.is_file()]


def validation_problems(paths: list[Path], groups: dict[Path, list[Path]],
                        overlay_groups: dict[Path, list[Path]]) -> list[Problem]:
    """Every ``citation`` problem of what :func:`aftersales.validation.validate_paths` checks:
    the given scenario files with their folder's catalogue and profiles (and its practice cases
    when the whole folder is checked), and the overlays."""
    from .paths import display_path

    problems: list[Problem] = []
    for root, files in groups.items():
        whole = not paths or any(p.is_dir() and p.resolve() == root.resolve() for p in paths)
        for path in dict.fromkeys(files):
            problems.extend(validate(path, str(path)))
        for path in library_files(root, cases=whole):
            if path not in files:
                problems.extend(validate(path, display_path(path)))
    for files in overlay_groups.values():
        for path in dict.fromkeys(files):
            problems.extend(validate(path, display_path(path)))
    return problems


def usage(root: Path) -> Counter[tuple[str, str]]:
    """How often each file of a playbooks folder cites each seed: ``(file, "seed 001") -> n``,
    the file relative to ``root`` (one count per citation, a list counting each item)."""
    from .yamlsource import load_yaml

    counts: Counter[tuple[str, str]] = Counter()
    for path in sorted(root.rglob("*.yaml")):
        try:
            doc = load_yaml(path)
        except PlaybookError:
            continue
        for _path, text in source_fields(doc.data):
            for citation in (parse(part) for part in split(text)):
                if citation.kind == "seed":
                    counts[(path.relative_to(root).as_posix(), citation.key)] += 1
    return counts


def policy_citations() -> dict[str, list[Citation]]:
    """The citations of every registered policy function (``policy_function(sources=[...])``)."""
    from .policy import POLICY_FUNCTIONS

    return {name: [c for s in fn.sources for c in (parse(p) for p in split(s))]
            for name, fn in sorted(POLICY_FUNCTIONS.items())}


def seed_link(text: str, base: str = DOC) -> str | None:
    """The address of a citation's entry in docs/sources.md (``docs/sources.md#seed-001``) when
    ``text`` is a described seed, else ``None`` (a URL links to itself)."""
    citation = parse(text)
    return f"{base}#{citation.seed.anchor}" if citation.seed else None


def citation_parts(text: str) -> list[dict[str, str]]:
    """``text`` (a ``source`` string) cut into its citations, each with what it links to: the
    anchor of a described seed's entry (``seed``: ``seed-001``) or a web address (``url``)."""
    parts = []
    for part in split(text):
        citation = parse(part)
        url = citation.key if citation.kind == "url" and citation.key.startswith(("http://", "https://")) else ""
        parts.append({"text": part, "seed": citation.seed.anchor if citation.seed else "", "url": url})
    return parts


def seed_page_markdown() -> str:
    """The page the SOP library links seed citations to: what each seed document is."""
    lines = ["# Sources: the seed documents", "",
             "The playbooks cite the five source documents they were built from as `seed 000` … `seed 004`.", ""]
    for seed in SEEDS.values():
        lines += [f'<a id="{seed.anchor}"></a>', "", f"## {seed.citation}: {seed.title_en}", "",
                  f"- Original title: {seed.title_zh}", f"- Covers: {seed.covers}", ""]
    return "\n".join(lines)


def seed_page_html() -> str:
    """:func:`seed_page_markdown` as a self-contained HTML page (anchors ``seed-000`` …)."""
    from html import escape

    items = "".join(f'<section id="{seed.anchor}"><h2>{escape(seed.citation)}: {escape(seed.title_en)}</h2>'
                    f"<p>Original title: {escape(seed.title_zh)}</p><p>Covers: {escape(seed.covers)}</p></section>"
                    for seed in SEEDS.values())
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sources</title></head><body>'
            "<h1>Sources: the seed documents</h1><p>The playbooks cite the five source documents they were built "
            f"from as <code>seed 000</code> … <code>seed 004</code>.</p>{items}</body></html>")


def link_citations(text: str, base: str = DOC) -> str:
    """``text`` (a ``source`` string) as Markdown, each described seed linked to its entry in
    docs/sources.md and each URL to itself: ``[seed 001](docs/sources.md#seed-001)``."""
    out = []
    for part in split(text):
        citation = parse(part)
        if citation.seed:
            out.append(f"[{part}]({base}#{citation.seed.anchor})")
        elif citation.kind == "url" and citation.key.startswith(("http://", "https://")):
            out.append(part.replace(citation.key, f"<{citation.key}>", 1))
        else:
            out.append(part)
    return "; ".join(out)


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m aftersales.citations [PLAYBOOKS]``: the seed-citation counts per file."""
    import sys

    from .paths import default_playbooks_dir

    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(args[0]) if args else default_playbooks_dir()
    counts = usage(root)
    for (file, seed), n in sorted(counts.items()):
        print(f"{file}\t{seed}\t{n}")
    print(f"total\t\t{sum(counts.values())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
