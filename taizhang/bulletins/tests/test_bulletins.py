import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from taizhang.bulletins import actions
from taizhang.bulletins.models import Bulletin, Practice, ReadReceipt
from taizhang.history.recording import history_for
from taizhang.ledger.models import Status
from taizhang.notices.models import Message

pytestmark = pytest.mark.django_db


def test_issues_are_numbered_per_year_and_campaign(campaign, people):
    first = actions.create_bulletin(campaign, data={}, acting_user=people["olivia"])
    second = actions.create_bulletin(campaign, data={}, acting_user=people["olivia"])
    next_year = actions.create_bulletin(
        campaign, data={"issued_on": datetime.date(first.year + 1, 1, 5)}, acting_user=people["olivia"]
    )
    assert (first.number, second.number, next_year.number) == (1, 2, 1)
    assert str(second) == f"{second.year}年第2期"


def test_only_the_office_makes_issues(campaign, people):
    for user in (people["lily"], people["leo"]):
        with pytest.raises(PermissionDenied):
            actions.create_bulletin(campaign, data={}, acting_user=user)


def test_an_empty_issue_cannot_be_signed_off(campaign, people):
    bulletin = actions.create_bulletin(campaign, data={}, acting_user=people["olivia"])
    with pytest.raises(ValidationError, match="不能签发"):
        actions.sign_off(bulletin, acting_user=people["olivia"])


def test_empty_sign_off_through_the_page_says_why(campaign, people, login):
    bulletin = actions.create_bulletin(campaign, data={}, acting_user=people["olivia"])
    response = login(people["olivia"]).post(
        reverse("bulletins:bulletin_act", args=[campaign.slug, bulletin.pk, "sign-off"]), follow=True
    )
    assert response.status_code == 200
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.DRAFT


def test_sign_off_records_who_and_when_and_publication_needs_it(make_issue, people):
    bulletin = make_issue()
    with pytest.raises(ValidationError, match="须先签发"):
        actions.publish_bulletin(bulletin, acting_user=people["olivia"])
    bulletin = actions.sign_off(bulletin, acting_user=people["olivia"])
    assert bulletin.signed_by == people["olivia"] and bulletin.signed_at is not None
    entry = history_for(bulletin).filter(note_key__startswith="Signed off").get()
    assert entry.actor == people["olivia"] and "欧阳办" in entry.note


def test_only_office_signs_off(make_issue, people):
    with pytest.raises(PermissionDenied):
        actions.sign_off(make_issue(), acting_user=people["leo"])


def test_figures_are_frozen_at_publication(make_issue, items, people):
    bulletin = make_issue(status="signed", figure_kinds=["completion", "lights", "completed", "on_time", "ranking"])
    items["oa"].status = Status.COMPLETED
    items["oa"].completed_on = timezone.localdate()
    items["oa"].save()
    bulletin = actions.publish_bulletin(bulletin, acting_user=people["olivia"])
    completion = next(b for b in bulletin.frozen_figures if b["kind"] == "completion")
    assert [r["value"] for r in completion["rows"]] == [5, 1, "20.0%"]
    assert [b["kind"] for b in bulletin.frozen_figures] == ["completed", "completion", "lights", "on_time", "ranking"]
    # The ledger moves on; the issue does not.
    items["flow"].status = Status.COMPLETED
    items["flow"].save()
    bulletin.refresh_from_db()
    assert next(b for b in bulletin.frozen_figures if b["kind"] == "completion")["rows"][1]["value"] == 1


def test_publication_publishes_the_cases_and_notifies_every_unit_once(
    make_issue, people, org, django_capture_on_commit_callbacks
):
    from taizhang.notices.models import GroupRobot

    robot = GroupRobot.objects.create(unit=org["hr"], kind="wecom", webhook_url="https://qyapi.weixin.qq.com/x")
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = make_issue(status="published")
    assert bulletin.status == Bulletin.Status.PUBLISHED
    assert {e.practice.status for e in bulletin.entries.all()} == {Practice.Status.PUBLISHED}
    messages = Message.objects.filter(dedupe_key__contains=f"bulletin:{bulletin.pk}:")
    assert {m.recipient for m in messages if m.recipient} == {people["lily"], people["bob"]}
    assert [m.robot for m in messages if m.robot] == [robot]
    assert actions.notify_units(bulletin) == 0  # the dedupe key: never twice


def test_a_published_issue_cannot_be_edited(make_issue, people, make_case, campaign, login):
    bulletin = make_issue(status="published")
    with pytest.raises(ValidationError, match="请发布更正"):
        actions.update_bulletin(bulletin, data={"masthead": "改"}, acting_user=people["olivia"])
    with pytest.raises(ValidationError):
        actions.set_cases(bulletin, practice_ids=[make_case(status="accepted").pk], acting_user=people["olivia"])
    client = login(people["olivia"])
    assert client.get(reverse("bulletins:bulletin_edit", args=[campaign.slug, bulletin.pk])).status_code == 403


def test_an_erratum_is_a_new_issue_with_history(make_issue, people):
    bulletin = make_issue(status="published")
    erratum = actions.issue_erratum(bulletin, text="第2篇单位名称有误", acting_user=people["olivia"])
    assert erratum.corrects == bulletin and erratum.number == bulletin.number + 1
    assert "第2篇单位名称有误" in erratum.foreword
    assert history_for(bulletin).filter(note__contains="第2篇单位名称有误").exists()


def test_only_accepted_cases_go_into_an_issue(campaign, people, make_case):
    bulletin = actions.create_bulletin(campaign, data={}, acting_user=people["olivia"])
    with pytest.raises(ValidationError):
        actions.set_cases(bulletin, practice_ids=[make_case(status="submitted").pk], acting_user=people["olivia"])


def test_office_builds_an_issue_on_its_page(campaign, people, make_case, login):
    case_a, case_b = make_case("甲", status="accepted"), make_case("乙", status="accepted")
    client = login(people["olivia"])
    response = client.post(
        reverse("bulletins:bulletin_new", args=[campaign.slug]),
        {
            "masthead": "信息简报",
            "issued_on": "2026-06-17",
            "publisher": "活动办公室",
            "period_starts": "2026-06-10",
            "period_ends": "2026-06-17",
            "editor": "王编辑",
            "proofreaders": "李校对、赵校对",
            "figure_kinds": ["completion"],
        },
    )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and bulletin.proofreaders == ["李校对", "赵校对"]
    cases_url = reverse("bulletins:bulletin_cases", args=[campaign.slug, bulletin.pk])
    client.post(cases_url, {"add": case_a.pk})
    client.post(cases_url, {"practice": [case_a.pk], "add": case_b.pk})
    client.post(cases_url, {"practice": [case_a.pk, case_b.pk], "up": case_b.pk})
    assert [e.practice for e in bulletin.entries_in_order()] == [case_b, case_a]
    page = client.get(reverse("bulletins:bulletin_detail", args=[campaign.slug, bulletin.pk])).content.decode()
    assert "2026年第1期" in page and "李校对、赵校对" in page and 'data-figure="completion"' in page


def test_bad_dates_on_the_issue_form_are_refused_with_a_message(campaign, people, login):
    response = login(people["olivia"]).post(
        reverse("bulletins:bulletin_new", args=[campaign.slug]),
        {
            "masthead": "简报",
            "issued_on": "nope",
            "publisher": "办",
            "period_starts": "2026-06-17",
            "period_ends": "2026-06-01",
        },
    )
    assert response.status_code == 200 and not Bulletin.objects.exists()


def test_liaisons_confirm_reading_and_the_office_sees_receipts_per_unit(make_issue, people, campaign, login, org):
    bulletin = make_issue(status="published")
    client = login(people["lily"])
    url = reverse("bulletins:bulletin_detail", args=[campaign.slug, bulletin.pk])
    assert 'id="confirm-read"' in client.get(url).content.decode()
    client.post(reverse("bulletins:bulletin_act", args=[campaign.slug, bulletin.pk, "read"]))
    client.post(reverse("bulletins:bulletin_act", args=[campaign.slug, bulletin.pk, "read"]))
    assert ReadReceipt.objects.filter(bulletin=bulletin).count() == 1
    page = login(people["olivia"]).get(url).content.decode()
    receipts = page.split('id="read-receipts"')[1].split("</table>")[0]
    assert "李联络" in receipts and "1/2" in page


def test_drafts_are_hidden_from_liaisons_published_issues_are_not(make_issue, people, campaign, login):
    draft, published = make_issue(), make_issue(status="published")
    client = login(people["bob"])
    assert client.get(reverse("bulletins:bulletin_detail", args=[campaign.slug, draft.pk])).status_code == 404
    assert client.get(reverse("bulletins:bulletin_detail", args=[campaign.slug, published.pk])).status_code == 200
    assert client.get(reverse("bulletins:bulletin_download", args=[campaign.slug, draft.pk, "pdf"])).status_code == 404
    assert (
        login(people["leo"]).get(reverse("bulletins:bulletin_detail", args=[campaign.slug, draft.pk])).status_code
        == 200
    )
    assert (
        client.post(
            reverse("bulletins:bulletin_act", args=[campaign.slug, published.pk, "erratum"]), {"text": "x"}
        ).status_code
        == 403
    )


def test_a_liaison_who_opted_out_of_bulletin_notices_gets_none(make_issue, people, django_capture_on_commit_callbacks):
    from taizhang.notices.models import Channel, Preference, Reason

    for channel in (Channel.IN_APP, Channel.EMAIL):
        Preference.objects.create(user=people["bob"], reason=Reason.BULLETIN, channel=channel, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = make_issue(status="published")
    recipients = {m.recipient for m in Message.objects.filter(dedupe_key__contains=f"bulletin:{bulletin.pk}:")}
    assert recipients == {people["lily"]}


def test_a_published_issue_keeps_its_cases_as_they_were(make_issue, people, campaign, login):
    bulletin = make_issue(status="published")
    practice = bulletin.entries.get().practice
    actions.mark_model(practice, is_model=True, reason="后评样板", acting_user=people["olivia"])
    page = login(people["olivia"]).get(reverse("bulletins:bulletin_detail", args=[campaign.slug, bulletin.pk]))
    issue = page.content.decode().split('id="bulletin-issue"')[1]
    assert practice.title in issue and "后评样板" not in issue
    assert bulletin.frozen_cases[0]["title"] == practice.title


def test_an_issue_cannot_move_to_another_year(make_issue, people):
    bulletin = make_issue()
    with pytest.raises(ValidationError):
        actions.update_bulletin(
            bulletin, data={"issued_on": datetime.date(bulletin.year + 1, 1, 2)}, acting_user=people["olivia"]
        )


def test_once_an_office_head_is_named_only_they_sign_off(make_issue, people, campaign, org, login):
    from taizhang.bulletins.models import Signatory
    from taizhang.orgs.actions import grant_role
    from taizhang.orgs.models import Role
    from taizhang.testing.factories import make_user

    head = make_user("hanna", name="韩主任", unit=org["office_dept"])
    grant_role(user=head, campaign=campaign, role=Role.OFFICE)
    with pytest.raises(ValidationError):  # a liaison is not of the office
        actions.add_signatory(campaign, people["bob"], acting_user=people["olivia"])
    with pytest.raises(PermissionDenied):
        actions.add_signatory(campaign, head, acting_user=people["leo"])

    page = login(people["olivia"]).post(
        reverse("bulletins:signatory_add", args=[campaign.slug]), {"user": head.pk}, follow=True
    )
    assert "韩主任" in page.content.decode()
    client = login(people["olivia"])
    client.post(reverse("bulletins:signatory_add", args=[campaign.slug]), {"user": head.pk})  # a double click
    assert Signatory.objects.filter(campaign=campaign).count() == 1
    assert history_for(campaign).filter(note__contains="韩主任").count() == 1

    bulletin = make_issue()
    detail = client.get(reverse("bulletins:bulletin_detail", args=[campaign.slug, bulletin.pk])).content.decode()
    assert 'id="bulletin-sign-off"' not in detail and "韩主任" in detail
    with pytest.raises(PermissionDenied, match="韩主任"):
        actions.sign_off(bulletin, acting_user=people["olivia"])
    assert actions.sign_off(bulletin, acting_user=head).signed_by == head

    signatory = Signatory.objects.get(campaign=campaign)
    client.post(reverse("bulletins:signatory_remove", args=[campaign.slug, signatory.pk]))
    assert not Signatory.objects.filter(campaign=campaign).exists()
    assert history_for(campaign).filter(action="revoke").count() == 1
