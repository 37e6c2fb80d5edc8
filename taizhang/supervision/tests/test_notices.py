"""Chase-up notices (督查催办单): the office issues one on a yellow or red item, the unit answers, every notice logged."""

import datetime
import io
import subprocess

import docx
import pytest
from django.utils import timezone
from django.utils.translation import gettext, override

from taizhang.history.recording import history_for
from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.models import Item, Light
from taizhang.notices.models import Message
from taizhang.supervision import actions
from taizhang.supervision.models import ChaseNotice


def zh(message: str) -> str:
    with override("zh-hans"):
        return gettext(message)


@pytest.fixture
def lit(campaign, items):
    refresh_lights(campaign)
    return {key: Item.objects.get(pk=item.pk) for key, item in items.items()}


def next_week() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


def issue_page(client, campaign, item, **data):
    payload = {"required_by": next_week().isoformat(), "contact": "督查室 张三 010-12345678", **data}
    return client.post(f"/c/{campaign.slug}/chase/new/{item.pk}/", payload)


def test_office_issues_a_numbered_notice_on_a_red_item_and_the_unit_is_told(
    login, people, lit, campaign, django_capture_on_commit_callbacks
):
    dating = lit["dating"]
    assert dating.light == Light.RED
    client = login(people["olivia"])
    with django_capture_on_commit_callbacks(execute=True):
        response = issue_page(client, campaign, dating, requirements="请于一周内书面报告")
    notice = ChaseNotice.objects.get()
    assert response.status_code == 302 and response.url == f"/c/{campaign.slug}/chase/{notice.pk}/"
    assert notice.number == f"{campaign.starts_on.year}-001"
    assert (notice.unit, notice.light, notice.days_overdue, notice.due) == (
        dating.owner_unit,
        Light.RED,
        12,
        dating.due,
    )
    assert notice.issued_by == people["olivia"] and notice.required_by == next_week()
    assert list(Message.objects.filter(recipient=people["bob"]).values_list("url", flat=True)) == [
        f"/c/{campaign.slug}/chase/{notice.pk}/"
    ]
    assert not Message.objects.filter(recipient=people["lily"]).exists()
    assert notice.number in history_for(dating).first().note

    second = actions.issue_notice(lit["welfare"], required_by=next_week(), contact="张三", acting_user=people["olivia"])
    assert second.number == f"{campaign.starts_on.year}-002"


def test_only_the_office_issues_and_only_on_yellow_or_red_items(login, people, lit, campaign):
    for who in ("lily", "bob", "leo"):
        assert issue_page(login(people[who]), campaign, lit["dating"]).status_code == 403
    client = login(people["olivia"])
    green = lit["flow"]
    assert green.light == Light.GREEN
    response = issue_page(client, campaign, green)
    assert response.status_code == 400
    assert zh("Chase-up notices are for yellow and red items only.") in response.content.decode()
    past = issue_page(client, campaign, lit["dating"], required_by="2020-01-01")
    assert past.status_code == 400
    assert issue_page(client, campaign, lit["dating"], contact="  ").status_code == 400
    assert not ChaseNotice.objects.exists()


def test_the_owner_units_liaison_answers_once_and_others_cannot(login, people, lit, campaign):
    notice = actions.issue_notice(lit["dating"], required_by=next_week(), contact="张三", acting_user=people["olivia"])
    url = f"/c/{campaign.slug}/chase/{notice.pk}/"
    assert login(people["lily"]).post(url, {"response": "不是我们的"}).status_code == 403
    assert login(people["bob"]).post(url, {"response": "  "}).status_code == 400
    bob = login(people["bob"])
    assert bob.post(url, {"response": "已制定整改计划，月底前完成"}).status_code == 302
    notice.refresh_from_db()
    assert notice.response == "已制定整改计划，月底前完成" and notice.responded_by == people["bob"]
    assert bob.post(url, {"response": "再答一次"}).status_code == 403
    notice.refresh_from_db()
    assert notice.response == "已制定整改计划，月底前完成"
    assert "已制定整改计划" in history_for(lit["dating"]).first().note


def test_the_log_lists_every_notice_and_filters_by_answer(login, people, lit, campaign):
    first = actions.issue_notice(lit["dating"], required_by=next_week(), contact="张三", acting_user=people["olivia"])
    actions.issue_notice(lit["welfare"], required_by=next_week(), contact="张三", acting_user=people["olivia"])
    actions.respond_notice(first, response="已办", acting_user=people["bob"])
    client = login(people["leo"])
    page = client.get(f"/c/{campaign.slug}/chase/").content.decode()
    assert page.count('data-number="') == 2
    assert client.get(f"/c/{campaign.slug}/chase/?state=open").content.decode().count('data-number="') == 1
    assert client.get(f"/c/{campaign.slug}/chase/?state=answered").content.decode().count('data-number="') == 1
    assert login(people["charlie"]).get(f"/c/{campaign.slug}/chase/").status_code == 403


def test_the_notice_reads_back_from_docx_and_pdf(login, people, lit, campaign, tmp_path):
    notice = actions.issue_notice(
        lit["dating"], required_by=next_week(), contact="督查室 张三 010-12345678", acting_user=people["olivia"]
    )
    client = login(people["bob"])
    response = client.get(f"/c/{campaign.slug}/chase/{notice.pk}/notice.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert notice.number in text
    for expected in (
        notice.number,
        "HQ-004",
        "解决单身员工婚恋问题",
        "人力资源部",
        "12",
        next_week().isoformat(),
        "督查室 张三 010-12345678",
    ):
        assert expected in cells, expected

    response = client.get(f"/c/{campaign.slug}/chase/{notice.pk}/notice.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "notice.pdf"
    path.write_bytes(response.content)
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (notice.number, "HQ-004", "人力资源部", "010-12345678"):
        assert expected in pdf_text, expected
