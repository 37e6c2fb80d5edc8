"""Standing up a campaign without the admin: from the seed's template, or copied from last year's."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from taizhang.campaigns import actions
from taizhang.campaigns.models import Campaign, Category, KeyTask, Phase
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.orgs.models import ContactPoint, Role, RoleGrant

NEXT_YEAR = {
    "name": "2027年“我为群众办实事”",
    "slug": "2027",
    "starts_on": datetime.date(2027, 3, 1),
    "ends_on": datetime.date(2027, 12, 31),
}


def test_seed_template_gives_the_seeds_structure(people):
    campaign = actions.start_campaign(data=NEXT_YEAR, acting_user=people["olivia"], template="seed")
    assert list(campaign.categories.values_list("name", flat=True)) == [
        "服务基层",
        "关爱员工",
        "为军惠军",
        "助力乡村振兴",
        "支持合作伙伴",
    ]
    assert list(campaign.phases.values_list("name", flat=True)) == ["筹划部署", "组织实施", "检查验收"]
    phases = list(campaign.phases.all())
    assert phases[0].starts_on == campaign.starts_on and phases[-1].ends_on == campaign.ends_on
    assert KeyTask.objects.filter(campaign=campaign, parent=None).count() == 19
    assert KeyTask.objects.filter(campaign=campaign, parent__isnull=False).count() == 39
    assert RoleGrant.objects.filter(campaign=campaign, user=people["olivia"], role=Role.OFFICE).exists()
    assert history_for(campaign).filter(action=HistoryEntry.Action.CREATE).get().display_note
    assert campaign.reporting_periods.exists()


def test_copy_takes_structure_rules_grants_and_contacts_with_dates_moved(people, org, campaign):
    campaign.red_points_behind = 40
    campaign.save()
    Phase.objects.filter(campaign=campaign, name="组织实施").update(
        starts_on=campaign.starts_on, ends_on=campaign.ends_on
    )
    aspect = KeyTask.objects.create(campaign=campaign, code="1", name="专题学习", order=1)
    KeyTask.objects.create(campaign=campaign, parent=aspect, code="1.1", name="中心组学习", order=1)
    ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["hr"])
    copy = actions.start_campaign(data=NEXT_YEAR, acting_user=people["olivia"], copy_from=campaign)
    assert copy.red_points_behind == 40
    assert list(copy.categories.values_list("name", flat=True)) == list(
        campaign.categories.values_list("name", flat=True)
    )
    moved = (copy.starts_on - campaign.starts_on).days
    phase = copy.phases.get(name="组织实施")
    assert phase.starts_on == campaign.starts_on + datetime.timedelta(days=moved)
    child = KeyTask.objects.get(campaign=copy, code="1.1")
    assert child.parent.campaign == copy and child.parent.name == "专题学习"
    grants = set(RoleGrant.objects.filter(campaign=copy).values_list("user__username", "role", "unit__name"))
    assert {("bob", "liaison", "人力资源部"), ("leo", "leader", None), ("olivia", "office", None)} <= grants
    assert ContactPoint.objects.filter(campaign=copy, leader=people["leo"], unit=org["hr"]).exists()
    assert not copy.items.exists()


def test_copy_of_structure_only(people, campaign):
    copy = actions.start_campaign(data=NEXT_YEAR, acting_user=people["olivia"], copy_from=campaign, copy={"tree"})
    assert set(RoleGrant.objects.filter(campaign=copy).values_list("user__username", flat=True)) == {"olivia"}
    assert copy.red_points_behind == Campaign._meta.get_field("red_points_behind").default


def test_only_an_office_starts_campaigns_and_bad_dates_write_nothing(people, campaign):
    with pytest.raises(PermissionDenied):
        actions.start_campaign(data=NEXT_YEAR, acting_user=people["lily"], template="seed")
    with pytest.raises(ValidationError):
        actions.start_campaign(
            data={**NEXT_YEAR, "ends_on": datetime.date(2027, 1, 1)}, acting_user=people["olivia"], template="seed"
        )
    with pytest.raises(ValidationError):
        actions.start_campaign(data={**NEXT_YEAR, "slug": campaign.slug}, acting_user=people["olivia"])
    assert not Campaign.objects.filter(name=NEXT_YEAR["name"]).exists()
    assert not Category.objects.filter(campaign__slug="2027").exists()


def test_structure_rows_added_renamed_and_removed_unless_in_use(people, campaign, items):
    used = items["oa"].category
    unused = Category.objects.create(campaign=campaign, name="临时类别", order=9)
    changed = actions.save_structure(
        campaign,
        model=Category,
        rows=[
            {"id": used.pk, "name": used.name + "（改）"},
            {"id": unused.pk, "delete": True},
            {"id": None, "name": "新类别", "order": 10},
        ],
        acting_user=people["olivia"],
    )
    assert changed == 3
    assert set(campaign.categories.values_list("name", flat=True)) >= {used.name + "（改）", "新类别"}
    with pytest.raises(ValidationError, match=r"使用|in use"):
        actions.save_structure(
            campaign, model=Category, rows=[{"id": used.pk, "delete": True}], acting_user=people["olivia"]
        )
    with pytest.raises(PermissionDenied):
        actions.save_structure(campaign, model=Category, rows=[{"id": None, "name": "x"}], acting_user=people["bob"])


def test_office_sets_up_next_years_campaign_on_the_pages(client, people, campaign):
    client.force_login(people["olivia"])
    assert client.get(reverse("campaigns:campaign_new")).status_code == 200
    response = client.post(
        reverse("campaigns:campaign_new"),
        {
            "name": NEXT_YEAR["name"],
            "slug": "2027",
            "starts_on": "2027-03-01",
            "ends_on": "2027-12-31",
            "start_from": "copy",
            "copy_from": campaign.pk,
            "copy": ["tree", "grants"],
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:setup", args=["2027"])
    copy = Campaign.objects.get(slug="2027")
    page = client.get(reverse("campaigns:setup", args=["2027"]))
    assert page.status_code == 200 and "服务基层" in page.content.decode()
    data = {
        "which": "phases",
        "phases-TOTAL_FORMS": "1",
        "phases-INITIAL_FORMS": "0",
        "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "50",
        "phases-0-name": "总结提升",
        "phases-0-order": "5",
        "phases-0-starts_on": "2027-12-01",
        "phases-0-ends_on": "2027-12-31",
    }
    assert client.post(reverse("campaigns:setup", args=["2027"]), data).status_code == 302
    assert copy.phases.filter(name="总结提升", starts_on=datetime.date(2027, 12, 1)).exists()


def test_liaisons_and_outsiders_cannot_set_up(client, people, campaign):
    client.force_login(people["lily"])
    assert client.get(reverse("campaigns:campaign_new")).status_code == 403
    assert client.get(reverse("campaigns:setup", args=[campaign.slug])).status_code == 403
    client.force_login(people["leo"])
    assert client.get(reverse("campaigns:setup", args=[campaign.slug])).status_code == 200
    assert client.post(reverse("campaigns:setup", args=[campaign.slug]), {"which": "categories"}).status_code == 403


def test_seed_template_brings_the_plan_and_the_office_ticks_a_preparation_with_evidence(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.campaigns.models import PlanSection

    campaign = actions.start_campaign(data=NEXT_YEAR, acting_user=people["olivia"], template="seed")
    kinds = {kind: list(PlanSection.objects.filter(campaign=campaign, kind=kind)) for kind in PlanSection.Kind.values}
    assert [len(kinds[k]) for k in ("preparation", "link", "combination")] == [6, 6, 6]
    placed = {task.pk for link in kinds["link"] for task in link.key_tasks.all()}
    assert len(placed) == 19  # every aspect under a link
    plan_section = kinds["preparation"][0]
    assert plan_section.name == "定好实施方案"
    client.force_login(people["olivia"])
    url = reverse("campaigns:plan", args=[campaign.slug])
    assert client.get(url).status_code == 200
    prefix = f"s{plan_section.pk}"
    evidence = SimpleUploadedFile("实施方案.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    response = client.post(
        url,
        {
            "section": plan_section.pk,
            f"{prefix}-state": "done",
            f"{prefix}-note": "党组会审议通过",
            f"{prefix}-evidence": evidence,
        },
    )
    assert response.status_code == 302
    plan_section.refresh_from_db()
    assert plan_section.state == "done" and plan_section.done_by == people["olivia"] and plan_section.done_on
    stored = plan_section.evidence.get()
    assert client.get(reverse("campaigns:plan_evidence", args=[campaign.slug, stored.pk])).status_code == 200
    assert history_for(plan_section).filter(action="update").exists()
    bad = SimpleUploadedFile("plan.exe", b"MZ")
    assert (
        client.post(url, {"section": plan_section.pk, f"{prefix}-state": "done", f"{prefix}-evidence": bad}).status_code
        == 400
    )
    assert plan_section.evidence.count() == 1
    # A copy brings the plan along, its preparations to be done again.
    copy = actions.start_campaign(
        data={
            **NEXT_YEAR,
            "slug": "2028",
            "starts_on": datetime.date(2028, 3, 1),
            "ends_on": datetime.date(2028, 12, 31),
        },
        acting_user=people["olivia"],
        copy_from=campaign,
    )
    copied = PlanSection.objects.filter(campaign=copy)
    assert copied.count() == 18 and not copied.filter(state="done").exists()
    assert sum(s.key_tasks.count() for s in copied.filter(kind="link")) == 19


def test_only_the_office_edits_the_plan(client, people, campaign):
    from taizhang.campaigns.models import PlanSection

    section = PlanSection.objects.create(campaign=campaign, kind="preparation", name="定好实施方案")
    url = reverse("campaigns:plan", args=[campaign.slug])
    client.force_login(people["lily"])
    assert client.get(url).status_code == 200  # everyone in the campaign reads the plan
    assert client.post(url, {"section": section.pk, f"s{section.pk}-state": "done"}).status_code == 403
    client.force_login(people["charlie"])
    assert client.get(url).status_code == 403
