"""Customer messages write times in the buyer's local time, named the local way (issue 15, part 5).

Each moment a message prints is read back: its date, clock and zone name are parsed the way a
buyer would read them, converted to UTC, and compared with the deadline it stands for. A message
never shows a UTC time or a time that is off by the zone's offset.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.examples import run_example
from aftersales.library import load_library
from aftersales.present.formats import ZONE_NAMES

_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), start=1)}
_PATTERNS = {
    "en": re.compile(r"(\d{1,2}) (\w{3}) (\d{4}), (\d{2}):(\d{2}) \(([^)]+)\)"),
    "zh": re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日 (\d{2}):(\d{2})（([^）]+)）"),
    "ru": re.compile(r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}) (по [^,.;)]+?времени(?: \(США\))?|по времени GMT[+-]?\d*)"),
}


def _zone(label: str, lang: str) -> ZoneInfo | None:
    for zone, names in ZONE_NAMES.items():
        if names.get(lang) == label:
            return ZoneInfo(zone)
    return None


def printed_moments(text: str, lang: str) -> list[datetime]:
    """Every local moment ``text`` prints, read back as a buyer reads it, in UTC."""
    moments = []
    for match in _PATTERNS[lang].finditer(text):
        groups = match.groups()
        if lang == "en":
            day, month, year = int(groups[0]), _MONTHS[groups[1]], int(groups[2])
        elif lang == "zh":
            year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
        else:
            day, month, year = int(groups[0]), int(groups[1]), int(groups[2])
        hour, minute, label = int(groups[3]), int(groups[4]), groups[5]
        zone = _zone(label, lang)
        assert zone is not None, f"a zone named {label!r} that no buyer's zone has"
        extra = timedelta(0)
        if hour == 24 or (lang == "en" and (hour, minute) == (23, 59)):  # the end of that day
            hour, minute, extra = 0, 0, timedelta(days=1)
        local = datetime(year, month, day, hour, minute, tzinfo=zone) + extra
        moments.append(local.astimezone(ZoneInfo("UTC")))
    return moments


def _cases() -> list:
    library = load_library()
    return [pytest.param(scenario, index, lang, id=f"{scenario}-{example.name[:40]}-{lang}")
            for scenario in library.scenarios
            for index, (example, _location) in enumerate(library.playbook(scenario).examples)
            for lang in ("en", "zh", "ru")]


@pytest.mark.parametrize("scenario, index, lang", _cases())
def test_every_time_a_message_prints_is_a_deadline_in_the_buyers_local_time(scenario: str, index: int, lang: str):
    library = load_library()
    playbook = library.playbook(scenario)
    example, _location = playbook.examples[index]
    decision = run_example(playbook, example.model_copy(update={"lang": lang}), library)
    if not decision.message:
        return
    text = decision.message["text"]
    assert "UTC" not in text
    dues = {d.due.astimezone(ZoneInfo("UTC")) for d in decision.deadlines}
    for moment in printed_moments(text, lang):
        assert moment in dues, (moment, sorted(dues), text)


def test_the_reader_itself_converts_and_compares():
    """The parser is a real reading: Moscow 03:00 is 00:00 UTC, Beijing 24:00 is 16:00 UTC that day."""
    assert printed_moments("до 09.01.2026 03:00 по московскому времени", "ru") == [
        datetime(2026, 1, 9, 0, 0, tzinfo=ZoneInfo("UTC"))]
    assert printed_moments("最迟 2026年1月8日 24:00（北京时间）", "zh") == [
        datetime(2026, 1, 8, 16, 0, tzinfo=ZoneInfo("UTC"))]
    assert printed_moments("by 8 Jan 2026, 23:59 (Pacific Time)", "en") == [
        datetime(2026, 1, 9, 8, 0, tzinfo=ZoneInfo("UTC"))]


def test_the_check_above_reads_real_times():
    """Not vacuous: the worked examples' messages print dozens of deadlines, and each is read back."""
    library = load_library()
    read = 0
    for scenario in library.scenarios:
        playbook = library.playbook(scenario)
        for example, _location in playbook.examples:
            for lang in ("en", "zh", "ru"):
                decision = run_example(playbook, example.model_copy(update={"lang": lang}), library)
                text = decision.message["text"] if decision.message else ""
                clocks = len(re.findall(r"\d{2}:\d{2}", text))
                assert len(printed_moments(text, lang)) == clocks, text  # every clock time is read
                read += clocks
    assert read >= 60
