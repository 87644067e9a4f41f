"""The desk (issue 20, part 3; seed 001): today's follow-up list as a page, in the notebook and the
app; "Followed up" records the contact in the case store and the case is due again tomorrow."""

from __future__ import annotations

from aftersales.cases.demo import DEMO_DAY, seed_demo_cases
from aftersales.cases.store import CaseStore
from aftersales.widgets.desk import Desk
from aftersales.widgets.hub import Hub


def test_following_up_a_case_records_the_contact_and_moves_it_off_todays_list(tmp_path):
    with CaseStore(f"sqlite:///{tmp_path / 'cases.db'}") as store:
        assert seed_demo_cases(store) == 6
        desk = Desk(store, day=DEMO_DAY, who="Olga", lang="ru")
        assert "6" in desk.header.value and "Связаться" in desk.header.value
        rows = [row for row in desk.rows.children if "as-desk-case" in row._dom_classes]
        assert len(rows) == 6
        head, message, (button, status) = rows[0].children[0], rows[0].children[1], rows[0].children[2].children
        case_id = head.value.split("<b>")[1].split("</b>")[0]
        assert message.value.startswith(("您好", "Здравствуйте", "Hello"))
        button.click()
        assert button.disabled and status.value, status.value
        kinds = [event.kind for event in store.events(case_id)]
        assert kinds[-1] == "follow_up"
        follow_up = store.events(case_id)[-1]
        assert follow_up.who == "Olga" and follow_up.data.get("note") == message.value
        desk.refresh()
        still = [row for row in desk.rows.children if "as-desk-case" in row._dom_classes]
        assert len(still) == 5 and case_id not in "".join(r.children[0].value for r in still)


def test_the_app_opens_the_desk_from_its_start_page(tmp_path, monkeypatch):
    monkeypatch.setenv("AFTERSALES_DB_URL", f"sqlite:///{tmp_path / 'cases.db'}")
    hub = Hub(lang="zh")
    assert hub.desk_button.description == "今日待跟进"
    hub.desk_button.click()
    (page,) = hub.wizard_area.children
    assert isinstance(page, Desk) and "没有需要跟进的案例" in page.header.value
