"""The return slip (seed 003): one A4 page that goes into the customer's parcel.

It carries the case number and the order number (each also as a Code 128 barcode and a QR code),
the customer, the items, the reason and the finding, the approved resolution, who pays the return
shipping, the return address, the return-by date and the packing instructions, in the customer's
language with the warehouse's language beside it. ``aftersales slip CASE_ID`` writes it as HTML and
PDF (:func:`write_slip`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import AftersalesError
from ..languages import LANGS

__all__ = ["DEFAULT_WAREHOUSE_LANG", "RETURN_ASKED_FACTS", "RETURN_BY_DEADLINES", "ReturnAddress", "SlipFiles",
           "find_record", "has_return", "return_address", "return_by", "slip_html", "slip_words", "write_slip"]

WORDS_FILE = Path(__file__).with_name("words.yaml")
TEMPLATE_DIR = Path(__file__).with_name("templates")
#: The warehouse reads Chinese unless told otherwise (``--warehouse-lang``).
DEFAULT_WAREHOUSE_LANG = "zh"
#: Deadlines of a decision that say by when the customer sends the item back, the first found wins.
RETURN_BY_DEADLINES = ("return_by", "return_due", "return_window_end")
#: A ``return_shipping_paid_by`` that means the outcome has no return.
NO_RETURN = (None, "", "none")


@dataclass(frozen=True)
class SlipFiles:
    """What :func:`write_slip` wrote: the HTML page, the PDF (None when not asked for), and what
    the agent must know before sending it (a missing return address)."""

    html: Path
    pdf: Path | None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReturnAddress:
    """Where the item goes back (:func:`return_address`).

    ``flow``: who runs the return (``seller`` or the platform's flow, parameter ``return_flow``);
    ``text``: the store's address as written on a parcel (None where the platform's label carries
    it, or where the store has not set it); ``platform``/``overlay``: where a lead sets it."""

    flow: str
    text: str | None
    platform: str
    overlay: str | None

    @property
    def by_platform(self) -> bool:
        """The platform runs the return: its own return label carries the address."""
        from ..engine.core import SELLER_FLOW

        return self.flow != SELLER_FLOW

    @property
    def missing(self) -> bool:
        """The seller runs the return but the store has not set ``return_address``."""
        return not self.by_platform and not self.text

    def warning(self) -> str | None:
        """The agent's warning when the address is missing: which parameter, in which file."""
        if not self.missing:
            return None
        where = (f"playbooks/overlays/{self.overlay}.yaml" if self.overlay
                 else "the store overlay (playbooks/overlays/<store>.yaml, docs/overlays.md)")
        return (f"no return address for platform '{self.platform}': the slip leaves a box to write it in by hand. "
                f"Set the parameter return_address (under parameters → {self.platform} or all) in {where}")


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, dict[str, str]]:
    with WORDS_FILE.open(encoding="utf-8") as handle:
        data: dict[str, dict[str, str]] = yaml.safe_load(handle)
    return data


def slip_words(key: str, lang: str, **values: Any) -> str:
    """The slip's word ``key`` in ``lang`` (English when missing), with ``{name}`` filled in.

    ``key``: an entry of ``aftersales/slip/words.yaml``; ``lang``: en, zh or ru. Source: seed 003.
    """
    entry = _catalogue()[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


# --- finding the case ------------------------------------------------------------------------------

def find_record(case_id: str, *, case_log: Path | str | None = None, db: str | None = None) -> dict[str, Any]:
    """The decision record of ``case_id``: the case store's (``db``, default
    :func:`aftersales.cases.store.default_cases_url`; a missing SQLite file is never created just
    to look), else the case log's (``case_log``, default the configured log).

    Raises :class:`aftersales.errors.UnknownNameError` (an AftersalesError) for an unknown case.
    Source: seed 003 (every case has its own number), issue 20 part 1 (the case store).
    """
    from ..caselog import find_case
    from ..cases.store import CaseStore, default_cases_url

    url = db
    look = True
    if url is None:
        default = default_cases_url()
        if default.startswith("sqlite:///"):
            look = Path(default.removeprefix("sqlite:///")).expanduser().exists()
    if look:
        with CaseStore(url) as store:
            case = store.get(case_id)
        if case is not None and case.decision:
            return dict(case.decision)
    return find_case(case_id, case_log)


def _terms(record: dict[str, Any]) -> dict[str, Any]:
    """The approved terms: the agent's override where they chose another outcome with its own
    terms, else the recommendation."""
    terms = {"outcome": record.get("outcome"), "resolution": record.get("resolution"),
             "return_shipping_paid_by": record.get("return_shipping_paid_by"),
             "deadlines": record.get("deadlines") or [], "title": record.get("title")}
    override = record.get("override")
    if isinstance(override, dict) and override.get("outcome"):
        chosen = override.get("terms") or {}
        terms.update(outcome=override["outcome"], resolution=override.get("resolution"), title=None)
        if isinstance(chosen, dict) and not chosen.get("by_hand"):
            terms["return_shipping_paid_by"] = chosen.get("return_shipping_paid_by")
            if chosen.get("deadlines") is not None:
                terms["deadlines"] = chosen["deadlines"]
    return terms


def has_return(record: dict[str, Any]) -> bool:
    """Whether the approved outcome of a decision record sends the item back (someone pays the
    return shipping). ``record``: a case-log or case-store decision record. Source: seed 003."""
    return _terms(record).get("return_shipping_paid_by") not in NO_RETURN


# --- the return address ---------------------------------------------------------------------------

def _params(record: dict[str, Any], playbooks: Path | str | None, when: Any) -> dict[str, Any]:
    """The record's platform's parameters in force ``when``, with its store overlay."""
    from ..caselog import library_today

    # the store's warehouse is where it is today, not where it was
    library = library_today(record, playbooks, archived=True)
    values: dict[str, Any] = library.profile(str(record.get("platform") or "")).values(when)
    return values


#: The facts a return-by date counts from, the first known wins (else the decision's moment).
RETURN_ASKED_FACTS = ("withdrawal_notice_at", "return_requested_at")


def return_by(record: dict[str, Any], *, playbooks: Path | str | None = None) -> datetime | None:
    """The last moment the buyer may send the item back: a return-by deadline of the decision if
    it has one, else ``return_ship_within_days`` (in force at the decision) counted from the day
    the buyer asked to return (``withdrawal_notice_at``, ``return_requested_at``, else the day of
    the decision) in the buyer's time zone, the day itself not counted, ending at 24:00 there.
    None where no rule sets such a time.

    ``record``: a decision record (:func:`find_record`). Sources: Directive 2011/83 art. 14(1)
    (14 days from the withdrawal notice), Amazon's returns condition (POLICY-FACTS §2), LAW-FLOORS
    §5 (day counting); seed 003 (the slip carries the return-by date).
    """
    from ..policy.deadlines import deadline_due

    due = _due(list(_terms(record).get("deadlines") or []))
    if due is not None:
        return due
    decided = _moment(record.get("as_of")) or datetime.now().astimezone()
    params = _params(record, playbooks, decided)
    days = params.get("return_ship_within_days")
    if not isinstance(days, int) or isinstance(days, bool):
        return None
    facts = record.get("facts") or {}
    zone = facts.get("customer_timezone") if isinstance(facts.get("customer_timezone"), str) else None
    zone = zone or (params.get("timezone") if isinstance(params.get("timezone"), str) else None)
    computed = record.get("computed") or {}
    asked = next((value for value in (facts.get(name) or computed.get(name) for name in RETURN_ASKED_FACTS)
                  if value), None)
    start = _day_in(asked, zone) or _day_in(decided, zone)
    return deadline_due(start, days, "days", tz=zone) if start is not None else None


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo is not None else None


def _day_in(value: Any, tz: str | None) -> Any:
    """The calendar day of a date or an aware moment (ISO text or object) in the zone ``tz``;
    None for anything else."""
    from datetime import date

    from ..policy.deadlines import zone

    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.astimezone(zone(tz)).date() if value.tzinfo is not None else None
    return value if isinstance(value, date) else None


def return_address(record: dict[str, Any], *, playbooks: Path | str | None = None,
                   today: datetime | None = None) -> ReturnAddress:
    """Where the item of a decision record goes back: the platform's own return flow (its label
    carries the address) or the store's warehouse, the parameter ``return_address`` in force
    ``today`` (default now) on the record's platform, with the record's store overlay.

    ``record``: a decision record (:func:`find_record`); ``playbooks``: the folder (default the
    configured one). The fulfilment model is the case's fact ``fulfilment``, else the platform's
    ``default_fulfilment``. Source: seed 003 (the slip carries the return address), parameters
    ``return_flow`` and ``return_address`` (playbooks/parameters.yaml).
    """
    from ..engine.core import return_flow

    platform = str(record.get("platform") or "")
    overlay = record.get("overlay")
    overlay_name = str(overlay["name"]) if isinstance(overlay, dict) and overlay.get("name") else None
    params = _params(record, playbooks, today or datetime.now())
    facts = record.get("facts") or {}
    fulfilment = facts.get("fulfilment") or params.get("default_fulfilment")
    flow = return_flow(params, str(fulfilment) if fulfilment else None)
    text = params.get("return_address")
    text = str(text).strip() if isinstance(text, str) and text.strip() else None
    return ReturnAddress(flow, text, platform, overlay_name)


# --- the page ---------------------------------------------------------------------------------------

def _playbook(record: dict[str, Any], playbooks: Path | str | None) -> Any:
    """The playbook the case was decided with (its archive), else today's; None when neither has it."""
    from ..caselog import verify_archive
    from ..library import load_library

    scenario = record.get("scenario")
    if not isinstance(scenario, str):
        return None
    folders: list[Path | str | None] = []
    if record.get("library_hash"):
        try:
            folders.append(verify_archive(record["library_hash"], record.get("case_id")))
        except AftersalesError:
            pass
    folders.append(playbooks)
    for folder in folders:
        try:
            library = load_library(folder)
            return library.playbook(scenario)
        except AftersalesError:
            continue
    return None


def _text(texts: Any, lang: str, fallback: str) -> str:
    if isinstance(texts, dict):
        return str(texts.get(lang) or texts.get("en") or fallback)
    return fallback


def _due(deadlines: list[dict[str, Any]]) -> datetime | None:
    by_name = {d.get("name"): d for d in deadlines if isinstance(d, dict)}
    for name in RETURN_BY_DEADLINES:
        found = by_name.get(name)
        if found and found.get("due"):
            try:
                return datetime.fromisoformat(str(found["due"]))
            except ValueError:
                continue
    return None


def _pairs(texts: dict[str, str], langs: tuple[str, ...]) -> list[dict[str, str]]:
    """The text of each language, the second left out when it says the same."""
    out: list[dict[str, str]] = []
    for lang in langs:
        if not any(entry["text"] == texts[lang] for entry in out):
            out.append({"lang": lang, "text": texts[lang]})
    return out


def slip_html(record: dict[str, Any], *, warehouse_lang: str = DEFAULT_WAREHOUSE_LANG,
              playbooks: Path | str | None = None, address: ReturnAddress | None = None) -> str:
    """The slip of a decision record as one self-contained HTML page (inline SVG codes, system fonts).

    ``record``: a decision record (:func:`find_record`); ``warehouse_lang``: the language printed
    beside the customer's (en, zh, ru); ``playbooks``: the folder for the scenario's and outcome's
    titles when the record's archive is gone (default the configured one); ``address``: where the
    item goes back (default :func:`return_address` of the record). Raises
    :class:`AftersalesError` when the approved outcome has no return. Source: seed 003.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    from ..present.formats import format_when
    from ..present.words import term
    from ..render.fonts import css_font_stack
    from .codes import barcode_svg, qr_svg

    case_id = str(record.get("case_id") or "")
    if warehouse_lang not in LANGS:
        raise AftersalesError(f"unknown warehouse language {warehouse_lang!r}; allowed: {', '.join(LANGS)}")
    terms = _terms(record)
    playbook = _playbook(record, playbooks)
    if not has_return(record):
        outcome_title = terms.get("title") or terms.get("outcome")
        if playbook is not None and terms.get("outcome") in playbook.outcomes:
            outcome_title = playbook.outcomes[terms["outcome"]].title.get("en") or outcome_title
        raise AftersalesError(f"case {case_id}: its outcome '{outcome_title}' has no return (nothing is sent "
                              "back), so there is no return slip to print")
    customer_lang = str(record.get("lang") or "en")
    customer_lang = customer_lang if customer_lang in LANGS else "en"
    langs = tuple(dict.fromkeys((customer_lang, warehouse_lang)))
    facts = record.get("facts") or {}

    def words(key: str, **values: Any) -> list[dict[str, str]]:
        return _pairs({lang: slip_words(key, lang, **values) for lang in langs}, langs)

    scenario = str(record.get("scenario") or "")
    reason = {lang: _text(playbook.title if playbook else None, lang, scenario) for lang in langs}
    outcome = playbook.outcomes.get(terms.get("outcome")) if playbook is not None else None
    finding = {lang: _text(outcome.title if outcome else None, lang, str(terms.get("title") or terms.get("outcome")))
               for lang in langs}
    payer = terms.get("return_shipping_paid_by")
    due = return_by(record, playbooks=playbooks)
    zone = facts.get("customer_timezone") if isinstance(facts.get("customer_timezone"), str) else None
    customer = facts.get("customer_name") if isinstance(facts.get("customer_name"), str) else None
    order_id = record.get("order_id") or facts.get("order_id")

    rows: list[dict[str, Any]] = [
        {"label": words("customer"), "value": [{"lang": customer_lang, "text": customer}] if customer
         else words("unknown")},
        {"label": words("reason"), "value": _pairs(reason, langs)},
        {"label": words("fault"), "value": _pairs(finding, langs)},
        {"label": words("resolution"),
         "value": _pairs({lang: term("resolutions", terms.get("resolution"), lang) for lang in langs}, langs)},
        {"label": words("shipping_paid_by"),
         "value": _pairs({lang: term("parties", payer, lang) for lang in langs}, langs)},
    ]
    where = address or return_address(record, playbooks=playbooks)
    if where.by_platform:
        rows.append({"label": words("return_address"), "value": words("return_address_label")})
    elif where.text:
        rows.append({"label": words("return_address"), "value": [{"lang": "", "text": where.text}],
                     "address": True})
    else:
        rows.append({"label": words("return_address"), "value": words("return_address_write_in"),
                     "write_in": True})
    if due is not None:
        rows.append({"label": words("return_by"),
                     "value": _pairs({lang: format_when(due, lang, zone) for lang in langs}, langs)})

    numbers: list[dict[str, Any]] = [{"label": words("case_number"), "value": case_id,
                "barcode": Markup(barcode_svg(case_id)), "qr": Markup(qr_svg(case_id))}]
    if order_id:
        numbers.append({"label": words("order_number"), "value": str(order_id),
                        "barcode": Markup(barcode_svg(str(order_id))), "qr": Markup(qr_svg(str(order_id)))})
    else:
        numbers.append({"label": words("order_number"), "value": slip_words("unknown", customer_lang),
                        "barcode": None, "qr": None})

    items = [item for item in facts.get("items") or [] if isinstance(item, dict)]
    packing = [{"lang": lang, "lines": [slip_words("pack_original", lang), slip_words("pack_slip_inside", lang),
                                        slip_words("pack_case_outside", lang, case=case_id)]} for lang in langs]
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(["html", "j2"]))
    template = env.get_template("slip.html.j2")
    return template.render(
        lang=customer_lang,
        title_text=f"{slip_words('title', customer_lang)} {case_id}",
        font_stack=Markup(css_font_stack(customer_lang)),
        title=words("title"), intro=words("intro"), numbers=numbers, rows=rows,
        items_label=words("items"), items=items, no_items=words("no_items"),
        item_heads={"sku": " / ".join(entry["text"] for entry in words("sku")),
                    "name": " / ".join(entry["text"] for entry in words("item_name")),
                    "quantity": " / ".join(entry["text"] for entry in words("quantity"))},
        packing_label=words("packing"), packing=packing,
    )


def _safe_name(case_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in case_id)[:100] or "case"


def write_slip(case_id: str, out_dir: Path | str = ".", *, case_log: Path | str | None = None,
               db: str | None = None, warehouse_lang: str = DEFAULT_WAREHOUSE_LANG, pdf: bool = True,
               printer: Any = None, playbooks: Path | str | None = None) -> SlipFiles:
    """Write ``slip-<case>.html`` and ``slip-<case>.pdf`` (one A4 page) for ``case_id`` into ``out_dir``.

    ``case_log``/``db``: where the case is looked up (:func:`find_record`); ``warehouse_lang``:
    the second language; ``pdf``: also print the PDF (Chromium, via
    :class:`aftersales.render.pdf.PdfPrinter` with ``one_page=True``); ``printer``: a started
    PdfPrinter to reuse; ``playbooks``: the folder for titles when the record's archive is gone.
    Raises :class:`AftersalesError` for an unknown case or an outcome without a return. Source: seed 003.
    """
    record = find_record(case_id, case_log=case_log, db=db)
    address = return_address(record, playbooks=playbooks) if has_return(record) else None
    html = slip_html(record, warehouse_lang=warehouse_lang, playbooks=playbooks, address=address)
    warning = address.warning() if address is not None else None
    warnings = (f"case {case_id}: {warning}",) if warning else ()
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = _safe_name(case_id)
    html_path = folder / f"slip-{name}.html"
    html_path.write_text(html, encoding="utf-8")
    if not pdf:
        return SlipFiles(html_path, None, warnings)
    from ..render.pdf import PdfPrinter

    pdf_path = folder / f"slip-{name}.pdf"
    title = f"{slip_words('title', str(record.get('lang') or 'en'))} {case_id}"
    if printer is not None:
        printer.print_pdf(html_path, pdf_path, title=title, one_page=True)
    else:
        with PdfPrinter(footer=False) as own:
            own.print_pdf(html_path, pdf_path, title=title, one_page=True)
    return SlipFiles(html_path, pdf_path, warnings)
