"""Screenshots of the trainees' app for the docs: each scenario's recommendation card, and the
first question right after Start (issue 17).

    .venv/bin/python docs/screens/make_screens.py          # or: make screens

What it does:

1. Starts the app as ``make app`` does (Voila on ``notebooks/00_start_here.ipynb`` with
   ``--Voila.config_file_paths=etc``, ``--no-browser``) on 127.0.0.1 and a free port, with
   ``AFTERSALES_CASE_LOG`` and ``AFTERSALES_SESSION_LOG`` in a temporary folder, so no real log
   is touched (no case is saved anyway). The repository's own playbooks are shown: a store
   overlay or playbooks folder set in the environment is ignored.
2. For each usable scenario of the playbook library, picks one of its worked examples (the one
   in ``SHOWCASE`` when it still decides as it expects, else the first that does; one whose
   every fact the form asks before one with facts the form never asks) and works it
   in Debian's Chromium (``/usr/bin/chromium``, driven by Playwright, nothing downloaded) at
   1366×768 the way a trainee does: scenario, platform and interface language in the hub,
   Start, the order number and the customer's name, then every question answered from the
   example by typing, picking and clicking, until the recommendation card shows.
3. Saves ``docs/screens/start.en.png`` (the screen right after Start) and
   ``docs/screens/<scenario>.<lang>.png`` (the card element), and writes ``docs/screens/README.md``.

The app decides "as of now" (the wizard has no date setting), so the example's dates are moved
by the time between the example's moment and now: a parcel delivered 3 days before the example's
moment is delivered 3 days ago. Before driving the browser, each planned case is worked through
the same session the app uses (:class:`aftersales.widgets.session.WizardSession`); an example
that no longer decides as it expects (outcome, resolution, payers, compensation) is not used.
The card in the browser must then show that outcome.

Exit code 0: every picture made; 1: a scenario could not be driven (the others are still made;
a full-page picture of the failure goes to ``build/screens/``); 2: Chromium, Playwright or
Voila is missing, or the server did not start.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from aftersales.localserver import CHROMIUM, CHROMIUM_ARGS, answers, free_port, stop

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "docs" / "screens"
FAILURE_DIR = REPO_ROOT / "build" / "screens"
NOTEBOOK = Path("notebooks") / "00_start_here.ipynb"
VOILA_CONFIG_DIR = Path("etc")  # where `make app` has Voila read etc/voila.py
VIEWPORT = {"width": 1366, "height": 768}
SERVER_START_TIMEOUT_S = 60
FIRST_RENDER_TIMEOUT_MS = 120_000  # Voila starts a kernel and runs the notebook before widgets show
STEP_TIMEOUT_MS = 30_000  # one answer is a kernel round trip
MAX_BYTES = 400_000  # a picture larger than this is reduced to a 256-colour palette

# The case shown per scenario: (platform, the example's expected outcome). Platforms vary so the
# pictures show each marketplace; the example is the first of that platform with that outcome.
SHOWCASE: dict[str, tuple[str, str]] = {
    "size_mismatch": ("taobao", "exchange_seller_pays"),
    "quality_defect": ("amazon", "repair_by_seller"),
    "wrong_item": ("taobao", "exchange_wrong_item"),
    "change_of_mind": ("generic", "accept_return"),
    "claim": ("ozon", "replace_item"),
    "bad_review": ("amazon", "contact_and_solve"),
}
# Scenarios also shown with a Chinese interface (Taobao cases: agent and buyer both read Chinese).
CHINESE = ("size_mismatch", "wrong_item")
# The picture of the first question after Start is taken on this scenario's English case.
START_SCENARIO = "size_mismatch"
# The intake's optional order number and customer name, per platform (sample values).
INTAKE_FACTS = ("order_id", "customer_name")
INTAKE = {
    "taobao": ("TB-20260112-0042", "Li Na"),
    "ozon": ("OZ-48213-0017", "Anna Smirnova"),
    "amazon": ("112-4839201-5567", "Sam Taylor"),
    "amazon_de": ("302-7719305-2210", "Jonas Weber"),
    "generic": ("WEB-10293", "Alex Meyer"),
}


class Refused(Exception):
    """A scenario could not be driven (the message says where and what happened)."""


def fail_setup(message: str) -> None:
    print(f"make_screens: {message}", file=sys.stderr)
    raise SystemExit(2)


# --- the plan: which example, which answers ---------------------------------------------------
@dataclass
class Plan:
    """One picture: a scenario worked on a platform in an interface language, with its answers."""

    scenario: str
    platform: str
    lang: str
    example: str  # the example's name (what it is about)
    expected: str  # the outcome code the example expects
    title: str  # the outcome's title in ``lang`` (what the card's heading names)
    steps: list[tuple[Any, Any]] = field(default_factory=list)  # (Question, value typed) in order
    unasked: list[str] = field(default_factory=list)  # the example's facts the form never asked

    @property
    def picture(self) -> str:
        return f"{self.scenario}.{self.lang}.png"


def shifted(value: Any, days: int, delta: timedelta) -> Any:
    """An example's fact moved to now: a date by whole days, a date-time by the exact time."""
    if isinstance(value, datetime):
        moment = (value + delta).astimezone(timezone.utc).replace(second=0, microsecond=0, tzinfo=None)
        return moment.isoformat()  # the wizard's date-time box is naive and read as UTC
    if isinstance(value, date):
        return value + timedelta(days=days)
    return value


def plan_case(library: Any, scenario: str, example: Any, lang: str) -> Plan | None:
    """Work ``example`` through the app's session, as of now with its dates moved; None when
    it does not decide as it expects then (or a question has no answer in it)."""
    from aftersales.engine import resolve_as_of
    from aftersales.examples import EXAMPLE_AS_OF, mismatches
    from aftersales.widgets.session import WizardSession

    playbook = library.playbook(scenario)
    moment = resolve_as_of(example.as_of or EXAMPLE_AS_OF)
    now = datetime.now(timezone.utc)
    delta, days = now - moment, (now.date() - moment.date()).days
    facts = {}
    for name, value in example.facts.items():
        if name in playbook.inputs and playbook.inputs[name].spec.type == "datetime" and isinstance(value, str):
            value = playbook.coercers[name](value)
        facts[name] = shifted(value, days, delta)
    session = WizardSession(scenario, example.platform, lang, library=library, log_sessions=False)
    order_id, customer = INTAKE.get(example.platform, INTAKE["generic"])
    session.set_intake(order_id, customer)
    steps = []
    for _ in range(60):
        question = session.question
        if question is None:
            break
        value = facts.get(question.name, question.default if question.has_default else None)
        if value is None and not question.nullable:
            return None
        try:
            session.answer(value)
        except Exception:  # the moved example no longer fits this question
            return None
        steps.append((question, value))
    decision = session.decision()
    if decision is None or mismatches(example, decision):
        return None
    asked = {question.name for question, _value in steps}
    unasked = [name for name in example.facts if name not in asked and name not in INTAKE_FACTS]
    return Plan(scenario, example.platform, lang, example.name, decision.outcome, decision.title, steps, unasked)


def plans(library: Any, only: list[str]) -> tuple[list[Plan], list[str]]:
    """The cases to picture (English for each scenario, Chinese for ``CHINESE``) and the problems."""
    found, problems = [], []
    for scenario in library.scenarios:
        if scenario in library.broken:
            print(f"skip {scenario}: its playbook is broken ({library.broken[scenario][0]})")
            continue
        if only and scenario not in only:
            continue
        examples = [example for example, _location in library.playbook(scenario).examples]
        platform, outcome = SHOWCASE.get(scenario, ("", ""))
        preferred = [e for e in examples if e.platform == platform and e.expect.outcome == outcome]
        for lang in ("en", "zh") if scenario in CHINESE else ("en",):
            # an example whose every fact the form asks tells its own story; one with facts the
            # form never asks (their defaults stand in) only if no other decides as it expects
            candidates = [p for p in (plan_case(library, scenario, e, lang)
                                      for e in preferred + [e for e in examples if e not in preferred]) if p]
            plan = next((p for p in candidates if not p.unasked), candidates[0] if candidates else None)
            if plan is None:
                problems.append(f"{scenario} ({lang}): none of its {len(examples)} worked examples decides as it "
                                "expects when moved to today")
            else:
                found.append(plan)
    return found, problems


# --- the server ---------------------------------------------------------------------------






class Server:
    """The app served by Voila from a temporary folder (logs, runtime files) until ``stop``."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        env = dict(os.environ)
        env["AFTERSALES_CASE_LOG"] = str(workdir / "case-log.jsonl")
        env["AFTERSALES_SESSION_LOG"] = str(workdir / "sessions.jsonl")
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env["JUPYTER_RUNTIME_DIR"] = str(workdir / "runtime")
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        env["PYTHONUNBUFFERED"] = "1"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "voila.log"
        self.url = ""

    def start(self) -> None:
        for attempt in range(1, 4):  # another process may take the free port before Voila binds it
            port = free_port()
            self.log = self.workdir / f"voila-{attempt}.log"
            command = [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}",
                       f"--Voila.config_file_paths={VOILA_CONFIG_DIR}", "--Voila.ip=127.0.0.1",
                       "--Voila.port_retries=0"]
            with self.log.open("wb") as out:  # a file, not a pipe: a full pipe would stall the server
                self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env, stdout=out,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while self.process.poll() is None and time.monotonic() < deadline and not answers(port):
                time.sleep(0.2)
            if self.process.poll() is None and answers(port):
                self.url = f"http://127.0.0.1:{port}/"
                return
            stop(self.process)
            if "no available port" not in self.tail():
                break
        fail_setup(f"Voila did not answer on its port within {SERVER_START_TIMEOUT_S} s; its output:\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return text[-chars:]

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


# --- the browser --------------------------------------------------------------------------
# Voila's page does not scroll: its cells scroll inside a panel, so a picture of a tall element
# needs a window as tall as the panel's content (as tests/browser/conftest.py does).
_HIDDEN_HEIGHT_JS = """() => Math.max(0, ...[...document.querySelectorAll('*')]
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
    .map(e => e.scrollHeight - e.clientHeight))"""
# The question shown now: the name in the class ``as-input-<name>`` of its control.
_ASKED_JS = """() => [...document.querySelectorAll('.as-wizard [class*="as-input-"]')]
    .filter(e => e.offsetParent !== null)
    .flatMap(e => [...e.classList].filter(c => c.startsWith('as-input-')).map(c => c.slice(9)))"""


def asked(page: Any) -> list[str]:
    return list(dict.fromkeys(page.evaluate(_ASKED_JS)))


def save_png(data: bytes, path: Path) -> int:
    """Write a PNG; one above ``MAX_BYTES`` is reduced to a 256-colour palette (no visible loss
    on a form's flat colours). Returns the size written."""
    if len(data) > MAX_BYTES:
        from PIL import Image

        image = Image.open(io.BytesIO(data)).convert("RGB")
        buffer = io.BytesIO()
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            buffer, format="PNG", optimize=True)
        if buffer.tell() < len(data):
            data = buffer.getvalue()
    path.write_bytes(data)
    return len(data)


def shoot_element(page: Any, locator: Any) -> bytes:
    """A picture of the element, all of it (the window grown for the time of the picture)."""
    hidden = int(page.evaluate(_HIDDEN_HEIGHT_JS))
    if hidden > 0:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": VIEWPORT["height"] + hidden})
    try:
        page.wait_for_timeout(300)  # layout settles after the resize
        data: bytes = locator.screenshot(animations="disabled")
        return data
    finally:
        page.set_viewport_size(VIEWPORT)


def put_answer(page: Any, plan: Plan, question: Any, value: Any) -> None:
    """Type, pick or click ``value`` into the control of ``question``, as a trainee does."""
    from aftersales.present.words import word
    from aftersales.widgets.fields import BUTTON_CHOICES

    control = page.locator(f".as-wizard .as-input-{question.name}")
    if value is None:  # "Not known / none"
        page.locator(".as-wizard").get_by_label(word("unknown", plan.lang)).check()
        return
    kind = question.type
    if kind == "bool":
        control.get_by_role("button", name=word("answer_yes" if value else "answer_no", plan.lang), exact=True).click()
    elif kind in ("int", "number", "money"):
        text = str(int(value)) if float(value).is_integer() else str(value)
        control.locator("input").fill(text)
    elif kind == "date":
        control.locator("input[type=date]").fill(value.isoformat() if isinstance(value, date) else str(value))
    elif kind == "datetime":
        control.locator("input[type=datetime-local]").fill(str(value)[:16])
    elif kind == "choice":
        label = dict(question.choices or [])[value]
        if len(question.choices or []) <= BUTTON_CHOICES:
            control.get_by_role("button", name=label, exact=True).click()
        else:
            control.locator("select").select_option(label=label)
    else:
        control.locator("textarea").fill(str(value))


def drive(browser: Any, server: Server, plan: Plan, out: Path, *, start_picture: Path | None) -> list[Path]:
    """Work ``plan``'s case in a new tab; save the card (and, if asked, the first question)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    from aftersales.library import load_library
    from aftersales.widgets.wizard import LANGUAGE_NAMES, platform_name

    library = load_library()
    playbook = library.playbook(plan.scenario)
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.route(lambda url: not url.startswith(server.url), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    where = "opening the app"
    saved: list[Path] = []
    try:
        page.goto(server.url, timeout=FIRST_RENDER_TIMEOUT_MS)
        expect(page.locator(".as-start")).to_be_visible(timeout=FIRST_RENDER_TIMEOUT_MS)
        where = "the hub"
        if plan.lang != "en":
            page.locator(".as-hub-lang select").select_option(label=LANGUAGE_NAMES[plan.lang])
            expect(page.locator(".as-hub-lang select")).to_have_value(LANGUAGE_NAMES[plan.lang])
        title = playbook.title[plan.lang]
        platform = platform_name(library, plan.platform, plan.lang)
        page.locator(".as-hub-scenario select").select_option(label=title)
        expect(page.locator(".as-hub-scenario select")).to_have_value(title)
        page.locator(".as-hub-platform select").select_option(label=platform)
        expect(page.locator(".as-hub-platform select")).to_have_value(platform)
        page.locator(".as-start").click()
        where = "the first question after Start"
        expect(page.locator(".as-wizard h3").first).to_have_text(f"{title} · {platform}")
        first = plan.steps[0][0].name if plan.steps else None
        if first:
            expect(page.locator(f".as-wizard .as-input-{first}")).to_be_visible()
        if start_picture is not None:
            page.wait_for_timeout(500)  # the scroll into view and the fonts settle
            box = page.locator(f".as-wizard .as-input-{first}").bounding_box() if first else None
            if box is None or box["y"] < 0 or box["y"] + box["height"] > VIEWPORT["height"]:
                print(f"  note: after Start the first question is not in the {VIEWPORT['width']}x{VIEWPORT['height']} "
                      f"view (its box: {box})")
            size = save_png(page.screenshot(animations="disabled"), start_picture)
            saved.append(start_picture)
            print(f"{display(start_picture)}  {size / 1024:.0f} KB  (the first question after Start)")

        where = "the intake (order number, customer name)"
        order_id, customer = INTAKE.get(plan.platform, INTAKE["generic"])
        for css, text in ((".as-order-id", order_id), (".as-customer-name", customer)):
            box = page.locator(f".as-wizard {css} input")
            if box.count():
                box.fill(text)
                box.press("Tab")  # the value is sent on input; Tab leaves the box as a person does

        for number, (question, value) in enumerate(plan.steps, 1):
            where = f"question {number} '{question.name}' ({question.label!r}), answer {value!r}"
            shown = asked(page)
            if shown != [question.name]:
                raise Refused(f"expected the question '{question.name}', the app shows {shown or 'none'}")
            put_answer(page, plan, question, value)
            page.locator(".as-wizard .as-next").click()
            following = plan.steps[number][0].name if number < len(plan.steps) else None
            target = (page.locator(f".as-wizard .as-input-{following}") if following
                      else page.locator(".as-card-box .as-card"))
            deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
            while not target.is_visible():
                error = page.locator(".as-wizard .as-error").inner_text().strip()
                if error:
                    raise Refused(f"the app refused the answer: {error}")
                if time.monotonic() > deadline:
                    raise Refused(f"after Next the app shows {asked(page) or 'no question'} and no "
                                  f"{'question ' + repr(following) if following else 'card'} within "
                                  f"{STEP_TIMEOUT_MS // 1000} s")
                page.wait_for_timeout(100)
            if following and asked(page) != [following]:
                expect(page.locator(f".as-wizard .as-input-{question.name}")).to_have_count(0)

        where = "the recommendation card"
        card = page.locator(".as-card-box .as-card")
        expect(card).to_be_visible()
        heading = card.locator("h3").first.inner_text()
        if plan.title not in heading:
            raise Refused(f"the card says {heading!r}; the session planned {plan.title!r} ({plan.expected})")
        page.wait_for_timeout(300)
        path = out / plan.picture
        size = save_png(shoot_element(page, card), path)
        saved.append(path)
        print(f"{display(path)}  {size / 1024:.0f} KB  ({plan.platform}, {len(plan.steps)} answers → {plan.expected})")
        return saved
    except (Refused, PlaywrightError, AssertionError) as exc:
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        shot = FAILURE_DIR / f"failure-{plan.scenario}.{plan.lang}.png"
        picture = f" [picture: {display(shot)}]"
        try:
            hidden = int(page.evaluate(_HIDDEN_HEIGHT_JS))
            page.set_viewport_size({"width": VIEWPORT["width"], "height": VIEWPORT["height"] + hidden})
            page.screenshot(path=str(shot), full_page=True)
        except PlaywrightError:
            picture = ""
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Refused(f"{plan.scenario} on {plan.platform} ({plan.lang}), at {where}: {detail}{picture}") from exc
    finally:
        context.close()


def display(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


# --- the index ----------------------------------------------------------------------------
def write_readme(out: Path, made: list[tuple[Plan | None, Path]]) -> Path:
    from aftersales.library import load_library
    from aftersales.widgets.wizard import LANGUAGE_NAMES, platform_name

    library = load_library()
    lines = [
        "# Screenshots of the trainees' app",
        "",
        "Made by a script, not by hand: it starts the app as `make app` does, works one worked example",
        "of each scenario in Debian's Chromium at 1366×768 (dates moved to the day of the run) and",
        "saves the pictures here. After a change to the app or the playbooks, regenerate them with",
        "",
        "```bash",
        ".venv/bin/python docs/screens/make_screens.py     # or: make screens",
        "```",
        "",
        "and commit the PNGs with the change. `--only SCENARIO` redoes one scenario.",
        "",
    ]
    for plan, path in made:
        if plan is None:
            lines.append(f"- [{path.name}]({path.name}): the first question in view right after **Start** "
                         "(the start page folded into one line), English interface.")
            continue
        playbook = library.playbook(plan.scenario)
        lines.append(f"- [{path.name}]({path.name}): {playbook.title['en']} on "
                     f"{platform_name(library, plan.platform, 'en')}, {LANGUAGE_NAMES[plan.lang]} interface — "
                     f"the card for *{plan.example.rstrip('.')}* "
                     f"(recommendation: {playbook.outcomes[plan.expected].title['en']}).")
    readme = out / "README.md"
    readme.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return readme


# --- main ---------------------------------------------------------------------------------
def check_tools(chromium: Path) -> None:
    if not (chromium.is_file() and os.access(chromium, os.X_OK)):
        fail_setup(f"{chromium} is not installed; `make tools` (or `apt-get install chromium`) installs Debian's "
                   "Chromium. Nothing is downloaded here.")
    for module, what in (("voila", "Voila"), ("playwright", "Playwright"), ("PIL", "Pillow")):
        if importlib.util.find_spec(module) is None:
            fail_setup(f"{what} is not installed in {sys.prefix}; run `make setup` first.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[], metavar="SCENARIO",
                        help="picture only this scenario (repeatable); README.md is not rewritten")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"where to save (default {display(OUT_DIR)})")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM, help=f"the browser (default {CHROMIUM})")
    args = parser.parse_args(argv)
    started = time.monotonic()
    check_tools(args.chromium)
    # the repository's playbooks, in the server and here alike
    for name in ("AFTERSALES_OVERLAY", "AFTERSALES_PLAYBOOKS"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(REPO_ROOT / "lib"))
    from aftersales.library import load_library

    library = load_library()
    unknown = [s for s in args.only if s not in library.scenarios]
    if unknown:
        fail_setup(f"unknown scenario {', '.join(unknown)}; the library has {', '.join(library.scenarios)}")
    todo, problems = plans(library, args.only)
    args.out.mkdir(parents=True, exist_ok=True)
    made: list[tuple[Plan | None, Path]] = []

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="aftersales-screens-") as tmp:
        server = Server(Path(tmp))
        server.start()
        print(f"Voila serves the app at {server.url} (logs in a temporary folder)")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(args.chromium), args=CHROMIUM_ARGS)
                try:
                    english = [plan for plan in todo if plan.lang == "en"]
                    opener = next((plan for plan in english if plan.scenario == START_SCENARIO),
                                  english[0] if english and START_SCENARIO not in library.scenarios else None)
                    for plan in todo:
                        start = args.out / "start.en.png" if plan is opener else None
                        try:
                            saved = drive(browser, server, plan, args.out, start_picture=start)
                        except Refused as exc:
                            problems.append(str(exc))
                            print(f"FAILED {exc}", file=sys.stderr)
                            continue
                        if start is not None:
                            made.insert(0, (None, start))
                        made.append((plan, saved[-1]))
                finally:
                    browser.close()
        finally:
            server.stop()
        if problems and "Traceback" in server.tail():
            print(f"Voila's log ends:\n{server.tail()}", file=sys.stderr)

    if not args.only:
        if not problems:  # a full run: pictures of scenarios no longer in the library go
            kept = {path.name for _plan, path in made}
            for stale in sorted(args.out.glob("*.png")):
                if stale.name not in kept:
                    stale.unlink()
                    print(f"removed {display(stale)} (no longer made)")
        readme = write_readme(args.out, made)
        print(f"{display(readme)}  lists {len(made)} pictures")
    print(f"{len(made)} pictures in {time.monotonic() - started:.0f} s")
    if problems:
        print("make_screens: could not make every picture:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # a bug here, not in the app: say where
        traceback.print_exc()
        sys.exit(1)
