"""``manage.py demo`` builds a realistic campaign once; a second run changes nothing."""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.demo.ledger import CAMPAIGN_SLUG, default_password
from taizhang.history.models import HistoryEntry
from taizhang.ledger.models import Item, Light, ProgressEntry, Status
from taizhang.orgs.access import Access
from taizhang.orgs.models import ContactPoint, Role, RoleGrant, Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One build shared by the module's tests, rolled back at the end so other modules start empty."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", stdout=out)
        yield {"output": out.getvalue(), "campaign": Campaign.objects.get(slug=CAMPAIGN_SLUG)}
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Unit, Item, ProgressEntry, User, RoleGrant, ContactPoint, HistoryEntry, Campaign)
    }


def test_demo_builds_the_group_with_ten_departments_and_eight_subsidiaries(demo):
    group = Unit.objects.get(parent=None, name="中国融通集团")
    first_level = list(group.children.all())
    assert len(first_level) == 18
    assert sum(unit.kind == Unit.Kind.DEPARTMENT for unit in first_level) == 10
    subsidiaries = [unit for unit in first_level if unit.kind == Unit.Kind.SUBSIDIARY]
    assert len(subsidiaries) == 8
    for subsidiary in subsidiaries:
        assert 2 <= subsidiary.children.count() <= 4
        assert subsidiary.short_name and subsidiary.aliases
    for unit in Unit.objects.all():
        assert unit.path.startswith(group.path)
        assert HistoryEntry.objects.filter(object_id=unit.pk, action=HistoryEntry.Action.CREATE).exists()
    assert Unit.objects.filter(search_text__contains="融通医疗健康").exists(), "traditional aliases are searchable"


def test_demo_campaign_runs_from_months_ago_to_weeks_ahead_with_its_plan(demo):
    campaign = demo["campaign"]
    today = timezone.localdate()
    assert 200 <= (today - campaign.starts_on).days <= 270
    assert 30 <= (campaign.ends_on - today).days <= 90
    assert [c.name for c in campaign.categories.all()] == [
        "服务基层",
        "关爱员工",
        "为军惠军",
        "助力乡村振兴",
        "支持合作伙伴",
    ]
    phases = list(campaign.phases.all())
    assert [p.name for p in phases] == ["筹划部署", "组织实施", "检查验收"]
    assert phases[0].starts_on == campaign.starts_on and phases[-1].ends_on == campaign.ends_on
    assert campaign.key_tasks.filter(parent=None).count() == 19
    assert campaign.key_tasks.exclude(parent=None).count() == 39


def test_demo_has_about_600_items_and_hq_has_its_20(demo):
    items = Item.objects.filter(campaign=demo["campaign"])
    assert 580 <= items.count() <= 650
    hq = items.filter(code__startswith="HQ-")
    assert hq.count() == 20
    assert set(hq.values_list("owner_unit__kind", flat=True)) == {Unit.Kind.DEPARTMENT}
    titles = set(hq.values_list("title", flat=True))
    assert {"优化OA系统", "简化工作流程", "推进员工福利平台", "帮助单身青年员工解决婚恋问题"} <= titles
    assert items.exclude(owner_unit__kind=Unit.Kind.DEPARTMENT).filter(owner_unit__kind=Unit.Kind.SUBUNIT).exists()
    assert items.filter(partner_units__isnull=False).distinct().count() > 50
    assert not items.filter(lead="").exists() and not items.filter(owner="").exists()
    assert items.filter(children__isnull=False).distinct().exists(), "some items are split into weighted sub-items"


def test_every_light_and_every_status_appears(demo):
    items = Item.objects.filter(campaign=demo["campaign"])
    lights = set(items.values_list("light", flat=True))
    statuses = set(items.values_list("status", flat=True))
    assert {Light.GREEN, Light.BLUE, Light.YELLOW, Light.RED} <= lights
    assert {Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED, Status.WITHDRAWN} <= statuses
    assert items.filter(light=Light.RED, light_code="overdue").exists()
    assert items.filter(light=Light.RED, light_code="behind").exists()
    assert items.filter(light=Light.YELLOW, light_code="idle").exists()
    assert items.filter(merged_into__isnull=False).exists()


def test_deadlines_are_dates_with_their_words_or_ongoing(demo):
    items = Item.objects.filter(campaign=demo["campaign"])
    ongoing = items.filter(due=None)
    assert 0.04 <= ongoing.count() / items.count() <= 0.14
    assert set(ongoing.values_list("due_text", flat=True)) <= {"长期坚持", "常态化推进", "持续推进"}
    assert not items.filter(due_text="").exists()
    assert items.filter(due_text__endswith="月底前").exists()
    assert items.filter(due__lt=timezone.localdate()).exists() and items.filter(due__gt=timezone.localdate()).exists()


def test_every_started_item_has_progress_and_its_percent_follows_from_it(demo):
    now = timezone.now()
    started = Item.objects.filter(campaign=demo["campaign"], status__in=[Status.IN_PROGRESS, Status.COMPLETED])
    assert started.count() > 400
    access = {user.pk: Access.for_user(user, demo["campaign"]) for user in User.objects.all()}
    for item in started.select_related("owner_unit").prefetch_related("children", "progress_entries"):
        children = [child for child in item.children.all() if child.status != Status.WITHDRAWN]
        if children:
            total = sum((child.weight for child in children), Decimal(0))
            # 四舍五入 (half up), as the ledger rounds: Python's round() would give 76 for 76.5.
            weighted = sum(Decimal(child.percent) * child.weight for child in children) / total
            assert item.percent == int(weighted.quantize(Decimal(1), ROUND_HALF_UP))
            continue
        entries = sorted(item.progress_entries.all(), key=lambda entry: (entry.created_at, entry.id))
        assert entries, item.code
        assert item.percent == entries[-1].percent
        assert [entry.percent for entry in entries] == sorted(entry.percent for entry in entries)
        for entry in entries:
            assert entry.source == ProgressEntry.Source.DEMO
            assert entry.created_at < now and timezone.localtime(entry.created_at).weekday() == 4
            assert access[entry.author_id].speaks_for(item.owner_unit), (item.code, entry.author_id)
    assert not Item.objects.filter(status=Status.NOT_STARTED, progress_entries__isnull=False).exists()


def test_search_finds_items_written_in_traditional_characters(demo):
    found = Item.objects.filter(campaign=demo["campaign"]).search("医疗")
    assert found.filter(title__contains="醫療").exists() or found.filter(content__contains="醫療").exists()
    assert Item.objects.filter(campaign=demo["campaign"]).search("义诊").filter(title__contains="義診").exists()


def test_demo_users_hold_one_role_each_and_the_office_logs_in_with_the_password(demo, client):
    campaign = demo["campaign"]
    office = User.objects.get(username="office")
    assert office.is_superuser and office.is_staff
    # Through the login form: axes counts logins only where the request is known.
    logged_in = client.post("/accounts/login/", {"username": "office", "password": default_password()})
    assert logged_in.status_code == 302 and client.session.get("_auth_user_id") == str(office.pk)
    for username, role in [("leader", Role.LEADER), ("inspector", Role.INSPECTOR), ("assessor", Role.ASSESSOR)]:
        assert RoleGrant.objects.filter(user__username=username, campaign=campaign, role=role).exists()
    assert RoleGrant.objects.get(user__username="liaison", campaign=campaign).unit.name == "集团办公室"
    liaisons = RoleGrant.objects.filter(campaign=campaign, role=Role.LIAISON)
    assert set(liaisons.values_list("unit__depth", flat=True)) == {1}
    assert liaisons.values("unit").distinct().count() == 18
    assert 2 <= ContactPoint.objects.filter(campaign=campaign, leader__username="leader").count() <= 3
    assert not User.objects.filter(name="").exists()
    output = demo["output"]
    for username in ("office", "leader", "liaison", "liaison-hq-02", "liaison-ny", "inspector", "assessor"):
        assert username in output
    assert default_password() in output


def test_item_list_of_the_demo_campaign_renders_for_the_liaison(demo, client):
    client.force_login(User.objects.get(username="liaison"))
    response = client.get(f"/c/{CAMPAIGN_SLUG}/items/", {"q": "OA"})
    assert response.status_code == 200
    assert "优化OA系统" in response.content.decode().replace("<mark>", "").replace("</mark>", "")
    oa = Item.objects.get(campaign__slug=CAMPAIGN_SLUG, code="HQ-001")
    detail = client.get(f"/c/{CAMPAIGN_SLUG}/items/{oa.pk}/")
    assert detail.status_code == 200
    assert oa.progress_entries.first().done in detail.content.decode()
    home = client.get(f"/c/{CAMPAIGN_SLUG}/", follow=True)  # a liaison lands on their unit's home
    assert home.status_code == 200
    assert home.redirect_chain[-1][0] == f"/c/{CAMPAIGN_SLUG}/my-unit/"


def test_second_run_adds_nothing_and_says_the_demo_is_there(demo):
    before = counts()
    out = StringIO()
    call_command("demo", stdout=out)
    assert counts() == before
    assert "already there" in out.getvalue()
    assert "liaison-ny" in out.getvalue(), "the users table is printed again"


def test_quiet_prints_nothing(demo):
    out = StringIO()
    call_command("demo", "--quiet", stdout=out)
    assert out.getvalue() == ""


def test_the_demo_campaign_and_its_units_are_written_by_the_named_demo_builder(demo):
    from taizhang.history.models import HistoryEntry
    from taizhang.history.recording import history_for

    created = history_for(demo["campaign"]).get(action=HistoryEntry.Action.CREATE)
    assert created.actor.is_system_actor and created.actor.username.startswith("system:demo:")
    group = Unit.objects.get(parent=None)
    assert history_for(group).get(action=HistoryEntry.Action.CREATE).actor == created.actor


def test_the_demo_has_problems_from_every_channel_triaged_merged_and_answered(demo):
    from taizhang.people.models import Channel, Demand, DemandStatus

    demands = Demand.objects.filter(campaign=demo["campaign"])
    assert {d.channel for d in demands} == set(Channel.values)
    statuses = {d.status for d in demands}
    assert {DemandStatus.IN_LIST, DemandStatus.MERGED, DemandStatus.NEW} <= statuses
    assert Item.objects.filter(campaign=demo["campaign"], demands__isnull=False).distinct().count() >= 2


def test_the_demo_has_comments_and_a_published_item_with_an_objection(demo):
    from taizhang.ledger.models import Comment
    from taizhang.people.models import Demand, PublicItem

    campaign = demo["campaign"]
    assert Comment.objects.filter(item__campaign=campaign).count() >= 3
    assert PublicItem.objects.filter(item__campaign=campaign).count() >= 1
    assert Demand.objects.filter(campaign=campaign, objection_to__isnull=False).exists()


def test_the_lights_trend_has_a_tally_for_every_past_week_of_the_campaign(demo):
    from taizhang.ledger.models import LightTally

    campaign = demo["campaign"]
    weeks = set(LightTally.objects.filter(campaign=campaign, unit=None).values_list("week", flat=True))
    today = timezone.localdate()
    this_week = today - datetime.timedelta(days=today.weekday())
    # Every week from the first with items on the list up to this one.
    first = min(weeks)
    assert first - campaign.starts_on < datetime.timedelta(days=14)
    assert len(weeks) == (this_week - first).days // 7 + 1
    # A real trend: the counts differ from week to week (the list grew and items moved on).
    totals = {
        week: sum(LightTally.objects.filter(campaign=campaign, unit=None, week=week).values_list("count", flat=True))
        for week in sorted(weeks)
    }
    assert len(set(totals.values())) > 1 or len({t.light for t in LightTally.objects.filter(unit=None)}) > 1


def test_the_demo_has_acceptances_ratings_closings_a_reopening_chase_ups_and_milestones(demo):
    from taizhang.acceptance.models import Acceptance
    from taizhang.history.recording import history_for
    from taizhang.ledger.models import Milestone
    from taizhang.people.models import Rating
    from taizhang.supervision.models import ChaseNotice

    campaign = demo["campaign"]
    results = set(Acceptance.objects.filter(item__campaign=campaign).values_list("result", flat=True))
    assert results == {Acceptance.Result.PASSED, Acceptance.Result.RETURNED}
    closed = Item.objects.filter(campaign=campaign, status=Status.CLOSED)
    assert closed.count() >= 3
    # One closed item answers a problem from the public, rated by its submitter and a survey.
    from_problem = closed.filter(demands__isnull=False).distinct().get()
    assert Rating.objects.filter(item=from_problem, demand__isnull=False).exists()
    assert Rating.objects.filter(item__campaign=campaign).values("value").distinct().count() == 3
    reopened = [
        item
        for item in Item.objects.filter(campaign=campaign, acceptances__isnull=False).distinct()
        if any(h.action == HistoryEntry.Action.REOPEN for h in history_for(item))
    ]
    assert len(reopened) == 1 and reopened[0].status != Status.CLOSED
    notices = ChaseNotice.objects.filter(campaign=campaign)
    assert notices.count() >= 3 and notices.filter(responded_at__isnull=False).count() == 1
    assert Milestone.objects.filter(item__campaign=campaign).values("item").distinct().count() >= 3
