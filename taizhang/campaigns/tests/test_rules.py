"""The campaign rules page: the office sets the reporting rhythm, light thresholds and closing rules; leaders read them."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from taizhang.campaigns import actions
from taizhang.campaigns.models import Campaign
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.models import Light, Status
from taizhang.reporting.models import ReportingPeriod
from taizhang.reporting.periods import generate_periods
from taizhang.testing.factories import make_item

SHANGHAI = ZoneInfo("Asia/Shanghai")


def rules_url(campaign) -> str:
    return reverse("campaigns:rules", args=[campaign.slug])


def posted(campaign, **changes) -> dict:
    """The rules form as the browser sends it back: the current values with some changed."""
    campaign.refresh_from_db()
    values = {name: getattr(campaign, name) for name in Campaign.RULE_FIELDS}
    values.update(changes)
    data = {name: value for name, value in values.items() if not isinstance(value, bool)}
    if values["ratings_required"]:
        data["ratings_required"] = "on"  # an unticked box is simply not sent
    data["fingerprint"] = campaign.rules_fingerprint()
    return data


@pytest.fixture
def idle_item(campaign, org, items):
    """Planned to start 60 days ago and still not started: yellow at the default 30/90 days."""
    today = timezone.localdate()
    item = make_item(
        campaign,
        org["hr"],
        code="HQ-009",
        title="建设职工书屋",
        starts_on=today - datetime.timedelta(days=60),
        due=today + datetime.timedelta(days=200),
    )
    refresh_lights(campaign)
    item.refresh_from_db()
    assert (item.status, item.light, item.light_code, item.light_n) == (Status.NOT_STARTED, Light.YELLOW, "idle", 60)
    return item


# The office changes the rules ---------------------------------------------------


def test_office_sees_every_rule_in_its_group(login, people, campaign):
    from taizhang.campaigns.models import Campaign

    response = login(people["olivia"]).get(rules_url(campaign))

    assert response.status_code == 200
    for group in ("rules-group-1", "rules-group-2", "rules-group-3", "rules-group-4", "rules-group-5"):
        assert f'id="{group}"' in response.text
    # A rule the form asks for but the page leaves out would refuse every save.
    for name in Campaign.RULE_FIELDS:
        assert f'name="{name}"' in response.text, name
    assert f'value="{campaign.rules_fingerprint()}"' in response.text
    assert 'id="rules-save"' in response.text


def test_office_lowers_the_red_idle_days_and_a_not_started_item_turns_red(
    login, people, campaign, idle_item, django_capture_on_commit_callbacks
):
    client = login(people["olivia"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(rules_url(campaign), posted(campaign, red_idle_days=45))

    assert response.status_code == 302
    assert response.url == rules_url(campaign)
    campaign.refresh_from_db()
    assert campaign.red_idle_days == 45
    idle_item.refresh_from_db()
    assert (idle_item.light, idle_item.light_code, idle_item.light_n) == (Light.RED, "idle", 60)
    # The relight is a light change like any other: in the item's history, by no one.
    light_change = history_for(idle_item).filter(action=HistoryEntry.Action.LIGHT).latest("pk")
    assert light_change.actor is None
    assert light_change.changes[0]["old"] == Light.YELLOW
    assert light_change.changes[0]["new"] == Light.RED
    assert len(client.get(response.url).context["messages"]) == 1


def test_raising_the_yellow_idle_days_turns_the_item_back_to_what_its_schedule_says(
    login, people, campaign, idle_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(people["olivia"]).post(rules_url(campaign), posted(campaign, yellow_idle_days=70))

    idle_item.refresh_from_db()
    # No longer judged as idle: 0% done 60 days into a 260-day plan is 23 points behind, yellow for that reason.
    assert (idle_item.light, idle_item.light_code) == (Light.YELLOW, "behind")


def test_the_change_is_in_the_campaigns_history_with_old_and_new_values(
    login, people, campaign, idle_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(people["olivia"]).post(
            rules_url(campaign), posted(campaign, red_idle_days=45, satisfied_threshold=60, ratings_required=False)
        )

    entry = history_for(campaign).get()
    assert entry.action == HistoryEntry.Action.UPDATE
    assert entry.actor == people["olivia"]
    assert entry.campaign == campaign
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes == {
        "red_idle_days": ("90", "45"),
        "satisfied_threshold": ("50", "60"),
        "ratings_required": ("True", "False"),
    }


def test_saving_without_a_change_records_nothing(login, people, campaign):
    response = login(people["olivia"]).post(rules_url(campaign), posted(campaign))

    assert response.status_code == 302
    assert not history_for(campaign).exists()


def test_changing_the_weekly_weekday_moves_the_future_weekly_periods_only(login, people, campaign):
    generate_periods(campaign)
    now = timezone.now()
    weekly = ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY)
    assert {p.due_at.astimezone(SHANGHAI).weekday() for p in weekly} == {Campaign.Weekday.FRIDAY}
    past = set(weekly.filter(due_at__lte=now).values_list("pk", "due_at"))
    assert past  # the campaign started 90 days ago

    response = login(people["olivia"]).post(rules_url(campaign), posted(campaign, weekly_report_weekday=1))

    assert response.status_code == 302
    future = list(weekly.filter(due_at__gt=now))
    assert future
    assert {p.due_at.astimezone(SHANGHAI).weekday() for p in future} == {Campaign.Weekday.TUESDAY}
    assert {p.due_at.astimezone(SHANGHAI).hour for p in future} == {17}
    # Periods already due stay as they were: the new rhythm does not rewrite history.
    assert set(weekly.filter(due_at__lte=now).values_list("pk", "due_at")) == past


# Who may see and change them ----------------------------------------------------


@pytest.mark.parametrize("name", ["lily", "bob"])
def test_liaison_can_neither_see_nor_change_the_rules(login, people, campaign, name):
    client = login(people[name])

    assert client.get(rules_url(campaign)).status_code == 403
    assert client.post(rules_url(campaign), posted(campaign, red_idle_days=45)).status_code == 403
    campaign.refresh_from_db()
    assert campaign.red_idle_days == 90


def test_someone_without_a_role_gets_403(login, people, campaign):
    assert login(people["charlie"]).get(rules_url(campaign)).status_code == 403


def test_leader_sees_the_rules_read_only_and_cannot_post(login, people, campaign):
    client = login(people["leo"])

    response = client.get(rules_url(campaign))

    assert response.status_code == 200
    assert 'id="read-only-note"' in response.text
    assert 'id="rules-save"' not in response.text
    form = response.context["form"]
    assert all(form[name].field.disabled for name in Campaign.RULE_FIELDS)
    assert 'name="red_idle_days" value="90"' in response.text
    assert client.post(rules_url(campaign), posted(campaign, red_idle_days=45)).status_code == 403
    campaign.refresh_from_db()
    assert campaign.red_idle_days == 90
    assert not history_for(campaign).exists()


def test_the_action_refuses_anyone_but_the_office(people, campaign):
    with pytest.raises(PermissionDenied):
        actions.update_rules(
            campaign, data={"red_idle_days": 45}, fingerprint=campaign.rules_fingerprint(), acting_user=people["leo"]
        )


# Stale edits and bad input ------------------------------------------------------


def test_a_save_on_rules_changed_since_the_form_was_opened_is_refused_with_409(
    login, people, campaign, django_capture_on_commit_callbacks
):
    opened = posted(campaign, red_idle_days=45)
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_rules(
            campaign, data={"red_points_behind": 40}, fingerprint=opened["fingerprint"], acting_user=people["olivia"]
        )

    response = login(people["olivia"]).post(rules_url(campaign), opened)

    assert response.status_code == 409
    assert 'id="stale-warning"' in response.text
    assert response.context["form"].non_field_errors()
    campaign.refresh_from_db()
    assert (campaign.red_idle_days, campaign.red_points_behind) == (90, 40)
    assert history_for(campaign).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"yellow_idle_days": 90, "red_idle_days": 90}, "yellow_idle_days"),
        ({"yellow_idle_days": 100}, "yellow_idle_days"),
        ({"yellow_points_behind": 30}, "yellow_points_behind"),
        ({"yellow_missed_reports": 4}, "yellow_missed_reports"),
    ],
)
def test_a_yellow_threshold_at_or_beyond_the_red_one_is_refused_on_its_field(
    login, people, campaign, idle_item, changes, field
):
    response = login(people["olivia"]).post(rules_url(campaign), posted(campaign, **changes))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0] in response.text
    campaign.refresh_from_db()
    assert (campaign.yellow_idle_days, campaign.red_idle_days) == (30, 90)
    assert (campaign.yellow_points_behind, campaign.yellow_missed_reports) == (10, 2)
    assert not history_for(campaign).exists()
    idle_item.refresh_from_db()
    assert idle_item.light == Light.YELLOW


def test_a_missed_reports_light_switched_off_with_zero_is_not_compared(login, people, campaign):
    response = login(people["olivia"]).post(
        rules_url(campaign), posted(campaign, yellow_missed_reports=4, red_missed_reports=0)
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.yellow_missed_reports, campaign.red_missed_reports) == (4, 0)


def test_the_action_checks_the_order_of_thresholds_too(people, campaign):
    with pytest.raises(ValidationError) as raised:
        actions.update_rules(
            campaign,
            data={"yellow_idle_days": 120},
            fingerprint=campaign.rules_fingerprint(),
            acting_user=people["olivia"],
        )

    assert list(raised.value.message_dict) == ["yellow_idle_days"]
    assert Campaign.objects.get(pk=campaign.pk).yellow_idle_days == 30


def test_an_out_of_range_value_re_shows_the_form(login, people, campaign):
    response = login(people["olivia"]).post(rules_url(campaign), posted(campaign, weekly_report_hour=24))

    assert response.status_code == 400
    assert "weekly_report_hour" in response.context["form"].errors
    assert Campaign.objects.get(pk=campaign.pk).weekly_report_hour == 17
