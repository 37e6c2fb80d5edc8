"""The read policy: the ledger is shared inside a campaign; a unit's working papers are for its line and overseers.

Each road to the same papers is tried — the item page, the attachment download, the acceptance
evidence, the unit's report page, the statistics sheet — so no view can be more generous than another.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from taizhang.acceptance import actions as acceptance_actions
from taizhang.ledger import actions as ledger_actions
from taizhang.orgs.access import Access
from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import Role
from taizhang.reporting.models import ReportingPeriod
from taizhang.reporting.periods import generate_periods, open_periods
from taizhang.testing.factories import make_user


@pytest.fixture
def papers(people, items, campaign, org):
    """An HR item with a progress attachment and acceptance evidence; an inspector and a subsidiary liaison."""
    item = items["welfare"]
    entry = ledger_actions.add_progress(
        item,
        percent=100,
        done="福利平台上线",
        acting_user=people["bob"],
        attachments=[SimpleUploadedFile("名单.pdf", b"%PDF-1.4 staff list", content_type="application/pdf")],
    )
    acceptance = acceptance_actions.record_acceptance(
        item,
        data={"checkers": "欧阳办", "result": "passed"},
        attachments=[SimpleUploadedFile("验收.pdf", b"%PDF-1.4 acceptance", content_type="application/pdf")],
        acting_user=people["olivia"],
    )
    inspector = make_user("ivan", name="督查员")
    grant_role(user=inspector, campaign=campaign, role=Role.INSPECTOR)
    sub_liaison = make_user("sam", name="医疗联络员", unit=org["subsidiary"])
    grant_role(user=sub_liaison, campaign=campaign, role=Role.LIAISON, unit=org["subsidiary"])
    generate_periods(campaign)
    period = (
        ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY).order_by("due_at").first()
    )
    return {
        "item": item,
        "attachment": entry.attachments.get(),
        "evidence": acceptance.attachments.get(),
        "period": period,
        "people": {**people, "ivan": inspector, "sam": sub_liaison},
    }


def urls(campaign, papers) -> dict[str, str]:
    item = papers["item"]
    return {
        "item": reverse("ledger:item_detail", args=[campaign.slug, item.pk]),
        "attachment": reverse("ledger:attachment_download", args=[campaign.slug, papers["attachment"].pk]),
        "evidence": reverse("acceptance:evidence_download", args=[campaign.slug, papers["evidence"].pk]),
        "report": reverse("reporting:report_detail", args=[campaign.slug, papers["period"].pk, item.owner_unit.pk]),
    }


# who → (item page, attachment, evidence, report page)
EXPECTED = {
    "olivia": (200, 200, 200, 200),  # the office
    "leo": (200, 200, 200, 200),  # a leader
    "ivan": (200, 200, 200, 200),  # an inspector
    "bob": (200, 200, 200, 200),  # the owner unit's liaison
    "lily": (200, 403, 403, 403),  # another unit's liaison: the shared ledger, not HR's papers
    "sam": (200, 403, 403, 403),  # a liaison of an unrelated branch of the tree
    "charlie": (403, 403, 403, 403),  # no role in the campaign
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_road_to_a_units_papers_follows_one_policy(login, campaign, papers, who):
    client = login(papers["people"][who])
    got = tuple(client.get(url).status_code for url in urls(campaign, papers).values())
    assert got == EXPECTED[who]


@pytest.mark.parametrize(("who", "sees_files"), [("bob", True), ("leo", True), ("lily", False)])
def test_the_item_page_shows_every_reader_the_progress_but_files_only_to_the_units_line(
    login, campaign, papers, who, sees_files
):
    body = login(papers["people"][who]).get(urls(campaign, papers)["item"]).content.decode()
    assert "福利平台上线" in body  # the progress itself is the shared ledger
    assert ("名单.pdf" in body) is sees_files
    assert ("验收.pdf" in body) is sees_files
    assert (urls(campaign, papers)["attachment"] in body) is sees_files
    assert ("tz-attachments-withheld" in body) is not sees_files


def test_a_liaison_of_a_unit_above_reads_the_papers_of_the_units_below(login, campaign, items, people, org):
    clinic = items["clinic"]  # owned by the hospital, under the subsidiary
    entry = ledger_actions.add_progress(
        clinic,
        percent=40,
        done="义诊两次",
        acting_user=people["olivia"],
        attachments=[SimpleUploadedFile("照片.pdf", b"%PDF-1.4", content_type="application/pdf")],
    )
    sub_liaison = make_user("sam", unit=org["subsidiary"])
    grant_role(user=sub_liaison, campaign=campaign, role=Role.LIAISON, unit=org["subsidiary"])
    url = reverse("ledger:attachment_download", args=[campaign.slug, entry.attachments.get().pk])
    assert login(sub_liaison).get(url).status_code == 200
    assert login(people["lily"]).get(url).status_code == 403


def test_the_statistics_sheet_holds_only_the_units_a_liaison_speaks_for(login, campaign, papers):
    generate_periods(campaign)
    period = open_periods(campaign).first()
    url = reverse("sheets:statistics_download", args=[campaign.slug, period.label])
    lily_sheet = login(papers["people"]["lily"]).get(url)
    assert lily_sheet.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(lily_sheet.content))
    text = " ".join(
        str(cell)
        for name in workbook.sheet_names
        for row in workbook.get_sheet_by_name(name).to_python()
        for cell in row
    )
    assert "优化OA系统" in text and "推进员工福利平台" not in text
    assert login(papers["people"]["leo"]).get(url).status_code == 403  # leaders read reports, not fill sheets


def test_the_predicates_state_the_policy(campaign, papers, org):
    people = papers["people"]
    item = papers["item"]
    lily = Access.for_user(people["lily"], campaign)
    assert lily.can_read_item(item) and not lily.can_read_attachments(item)
    assert not lily.can_read_report(org["hr"]) and lily.can_read_report(org["office_dept"])
    assert not lily.can_download_sheet(org["hr"]) and lily.can_download_sheet(org["office_dept"])
    ivan = Access.for_user(people["ivan"], campaign)
    assert (
        ivan.can_read_attachments(item) and ivan.can_read_report(org["hr"]) and not ivan.can_download_sheet(org["hr"])
    )
    outsider = Access.for_user(people["charlie"], campaign)
    assert not outsider.can_read_item(item) and not outsider.can_read_unit_work(org["hr"])
