"""Warning lights: one function decides from dates, progress and the campaign's thresholds, and says why in words.

The campaign runs 2021-03-01 to 2021-12-31; unless a test says otherwise an item starts with the campaign.
"""

import datetime

import pytest
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from taizhang.campaigns.models import Campaign
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.lights import LightVerdict, compute_light, describe, expected_percent
from taizhang.ledger.models import Item, Light, Status
from taizhang.testing.factories import make_campaign, make_item

D = datetime.date
START = D(2021, 3, 1)
END = D(2021, 12, 31)
SEVERITY = {Light.NONE: 0, Light.GREEN: 1, Light.BLUE: 2, Light.YELLOW: 3, Light.RED: 4}


def campaign_(**settings) -> Campaign:
    """An unsaved campaign: compute_light reads only its dates and thresholds."""
    return Campaign(slug="lights", name="亮灯", starts_on=START, ends_on=END, **settings)


def item_(campaign=None, *, percent=0, status=None, due=None, starts_on=None) -> Item:
    if status is None:
        status = Status.IN_PROGRESS if percent else Status.NOT_STARTED
    return Item(
        campaign=campaign or campaign_(), percent=percent, status=status, due=due, starts_on=starts_on, code="L"
    )


def light_of(item, today) -> tuple[str, str, int]:
    verdict = compute_light(item, today)
    return verdict.light, verdict.code, verdict.n


# The rules, with concrete dates ----------------------------------------------------


def test_an_item_past_its_deadline_and_not_done_is_red_with_the_days_overdue():
    item = item_(percent=80, due=D(2021, 6, 30))
    assert light_of(item, D(2021, 7, 12)) == (Light.RED, "overdue", 12)
    assert light_of(item, D(2021, 7, 1)) == (Light.RED, "overdue", 1)


def test_on_its_deadline_day_an_item_is_not_yet_overdue():
    item = item_(percent=95, due=D(2021, 6, 30))
    verdict = compute_light(item, D(2021, 6, 30))
    assert verdict.code != "overdue"


def test_expected_percent_runs_linearly_from_start_to_deadline():
    assert expected_percent(START, D(2021, 3, 11), D(2021, 3, 1)) == 0
    assert expected_percent(START, D(2021, 3, 11), D(2021, 3, 6)) == 50
    assert expected_percent(START, D(2021, 3, 11), D(2021, 3, 11)) == 100
    assert expected_percent(START, D(2021, 3, 11), D(2021, 4, 1)) == 100
    assert expected_percent(START, None, D(2021, 4, 1)) is None
    assert expected_percent(START, START, START) == 100


# 2021-08-01 is 153 of the 305 days from 2021-03-01 to 2021-12-31: 50% should be done.
HALFWAY = D(2021, 8, 1)


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (10, (Light.RED, "behind", 40)),
        (19, (Light.RED, "behind", 31)),
        (20, (Light.YELLOW, "behind", 30)),
        (32, (Light.YELLOW, "behind", 18)),
        (40, (Light.YELLOW, "behind", 10)),
        (41, (Light.GREEN, "on_schedule", 0)),
        (50, (Light.GREEN, "on_schedule", 0)),
        (90, (Light.GREEN, "on_schedule", 0)),
    ],
)
def test_points_behind_schedule_turn_an_item_yellow_then_red(percent, expected):
    assert expected_percent(START, END, HALFWAY) == 50
    assert light_of(item_(percent=percent, due=END), HALFWAY) == expected


def test_an_item_near_its_deadline_is_blue_with_the_days_left():
    item = item_(percent=95, due=D(2021, 7, 15))
    assert light_of(item, D(2021, 7, 12)) == (Light.BLUE, "near", 3)
    assert light_of(item, D(2021, 7, 8)) == (Light.BLUE, "near", 7)
    assert light_of(item_(percent=99, due=D(2021, 7, 15)), D(2021, 7, 15)) == (Light.BLUE, "near", 0)
    assert light_of(item_(percent=85, due=D(2021, 7, 15)), D(2021, 7, 7)) == (Light.GREEN, "on_schedule", 0)


def test_behind_schedule_outranks_a_near_deadline():
    assert light_of(item_(percent=50, due=D(2021, 7, 15)), D(2021, 7, 12)) == (Light.RED, "behind", 47)


def test_an_ongoing_item_is_green():
    assert light_of(item_(percent=5, due=None), D(2021, 11, 1)) == (Light.GREEN, "ongoing", 0)


@pytest.mark.parametrize("today", [D(2021, 5, 1), D(2021, 7, 12), D(2022, 3, 1)])
def test_a_completed_item_is_green_whatever_the_date(today):
    assert light_of(item_(percent=100, status=Status.COMPLETED, due=D(2021, 6, 30)), today)[0] == Light.GREEN
    assert light_of(item_(percent=100, due=D(2021, 6, 30)), today)[0] == Light.GREEN
    assert light_of(item_(percent=100, status=Status.CLOSED, due=D(2021, 6, 30)), today) == (Light.GREEN, "closed", 0)


def test_a_withdrawn_item_has_no_light():
    item = item_(percent=10, status=Status.WITHDRAWN, due=D(2021, 6, 30))
    assert light_of(item, D(2021, 7, 12)) == (Light.NONE, "withdrawn", 0)


@pytest.mark.parametrize(
    ("days_after_start", "expected"),
    [
        (0, (Light.GREEN, "on_schedule", 0)),
        (30, (Light.GREEN, "on_schedule", 0)),
        (31, (Light.YELLOW, "idle", 31)),
        (90, (Light.YELLOW, "idle", 90)),
        (91, (Light.RED, "idle", 91)),
    ],
)
def test_an_item_not_started_long_after_its_start_turns_yellow_then_red(days_after_start, expected):
    item = item_(status=Status.NOT_STARTED, due=END)
    assert light_of(item, START + datetime.timedelta(days=days_after_start)) == expected


def test_the_items_own_planned_start_counts_instead_of_the_campaigns():
    item = item_(status=Status.NOT_STARTED, due=END, starts_on=D(2021, 6, 1))
    assert light_of(item, D(2021, 6, 20)) == (Light.GREEN, "on_schedule", 0)
    assert light_of(item, D(2021, 7, 5)) == (Light.YELLOW, "idle", 34)
    # An item that started reporting is never "not started", even at 0%.
    assert light_of(item_(percent=0, status=Status.IN_PROGRESS, due=None), D(2021, 9, 1))[0] == Light.GREEN


# Thresholds are campaign settings ----------------------------------------------------


def test_the_yellow_threshold_is_read_from_the_campaign():
    behind_18 = item_(percent=32, due=END)
    assert light_of(behind_18, HALFWAY)[0] == Light.YELLOW
    behind_18.campaign.yellow_points_behind = 20
    assert light_of(behind_18, HALFWAY) == (Light.GREEN, "on_schedule", 0)


def test_the_red_threshold_is_read_from_the_campaign():
    behind_40 = item_(percent=10, due=END)
    assert light_of(behind_40, HALFWAY)[0] == Light.RED
    behind_40.campaign.red_points_behind = 45
    assert light_of(behind_40, HALFWAY) == (Light.YELLOW, "behind", 40)


def test_the_blue_window_is_read_from_the_campaign():
    item = item_(percent=95, due=D(2021, 7, 15))
    assert light_of(item, D(2021, 7, 12))[0] == Light.BLUE
    item.campaign.blue_days_before_due = 2
    assert light_of(item, D(2021, 7, 12)) == (Light.GREEN, "on_schedule", 0)
    item.campaign.blue_days_before_due = 30
    assert light_of(item, D(2021, 6, 20)) == (Light.BLUE, "near", 25)


# The reason in words ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "chinese", "english"),
    [
        (LightVerdict(Light.RED, "overdue", 12), "已超期12天", "12 days overdue"),
        (LightVerdict(Light.RED, "overdue", 1), "已超期1天", "1 day overdue"),
        (LightVerdict(Light.YELLOW, "behind", 18), "落后序时进度18个百分点", "18 points behind schedule"),
        (LightVerdict(Light.BLUE, "near", 3), "距完成时限还有3天", "3 days to the deadline"),
        (LightVerdict(Light.BLUE, "near", 0), "今天到期", "due today"),
        (
            LightVerdict(Light.YELLOW, "idle", 45),
            "计划开始后45天仍未启动",
            "not started 45 days after the planned start",
        ),
        (LightVerdict(Light.GREEN, "completed"), "已完成", "completed"),
        (LightVerdict(Light.NONE, "withdrawn"), "已撤销", "withdrawn"),
    ],
)
def test_the_reason_reads_in_chinese_by_default_and_in_english_on_request(verdict, chinese, english):
    with translation.override("zh-hans"):
        assert verdict.reason == chinese
    with translation.override("en"):
        assert verdict.reason == english


def test_the_stored_reason_follows_the_readers_language():
    item = item_(percent=80, due=D(2021, 6, 30))
    verdict = compute_light(item, D(2021, 7, 12))
    item.light, item.light_code, item.light_n = verdict.light, verdict.code, verdict.n
    with translation.override("zh-hans"):
        assert item.light_reason == "已超期12天"
    with translation.override("en"):
        assert item.light_reason == "12 days overdue"


def test_an_unknown_reason_code_reads_as_itself():
    assert describe("something_new") == "something_new"


# Lights move with the dates -----------------------------------------------------------


@pytest.fixture
def dated(org):
    campaign = make_campaign("lights")
    item = make_item(campaign, org["hr"], code="D-1", due=D(2021, 6, 30), percent=95, status=Status.IN_PROGRESS)
    done = make_item(campaign, org["hr"], code="D-2", due=D(2021, 6, 30), percent=100, status=Status.COMPLETED)
    return campaign, item, done


def stored(item) -> tuple[str, str, int]:
    item = Item.objects.get(pk=item.pk)
    return item.light, item.light_code, item.light_n


def test_refresh_lights_changes_lights_as_the_dates_move_and_records_each_change(dated):
    campaign, item, done = dated

    assert refresh_lights(campaign, on=D(2021, 6, 20)) == 0  # still green: only the reason is filled in
    assert stored(item) == (Light.GREEN, "on_schedule", 0)
    assert not history_for(item).exists()

    assert refresh_lights(campaign, on=D(2021, 6, 25)) == 1
    assert stored(item) == (Light.BLUE, "near", 5)

    with translation.override("zh-hans"):
        assert refresh_lights(campaign, on=D(2021, 7, 12)) == 1
    assert stored(item) == (Light.RED, "overdue", 12)

    entries = list(history_for(item).order_by("id"))
    assert [e.action for e in entries] == [HistoryEntry.Action.LIGHT, HistoryEntry.Action.LIGHT]
    assert [(e.changes[0]["old"], e.changes[0]["new"]) for e in entries] == [
        (Light.GREEN, Light.BLUE),
        (Light.BLUE, Light.RED),
    ]
    assert entries[1].note == "已超期12天"
    assert all(e.actor is None and e.campaign == campaign for e in entries)
    assert stored(done) == (Light.GREEN, "completed", 0)
    assert not history_for(done).exists()


def test_refresh_lights_updates_the_days_without_recording_an_unchanged_light(dated):
    campaign, item, _done = dated
    refresh_lights(campaign, on=D(2021, 7, 12))
    recorded = history_for(item).count()

    assert refresh_lights(campaign, on=D(2021, 7, 13)) == 0
    assert stored(item) == (Light.RED, "overdue", 13)
    assert refresh_lights(campaign, on=D(2021, 7, 13)) == 0
    assert history_for(item).count() == recorded


def test_refresh_lights_sees_a_changed_threshold(dated):
    campaign, item, _done = dated
    refresh_lights(campaign, on=D(2021, 6, 20))
    Campaign.objects.filter(pk=campaign.pk).update(blue_days_before_due=14)
    campaign.refresh_from_db()
    assert refresh_lights(campaign, on=D(2021, 6, 20)) == 1
    assert stored(item) == (Light.BLUE, "near", 10)


def test_refresh_lights_leaves_other_campaigns_alone(dated, org):
    campaign, _item, _done = dated
    other = make_campaign("other")
    stranger = make_item(other, org["hr"], code="O-1", due=D(2021, 6, 30))
    refresh_lights(campaign, on=D(2021, 7, 12))
    assert stored(stranger) == (Light.GREEN, "", 0)


# Properties over any dates and progress ------------------------------------------------

# No timing flakes on a busy machine: these are about rules, not speed.
PROPERTY = hypothesis_settings(deadline=None)
dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2023, 12, 31))
open_statuses = st.sampled_from([Status.NOT_STARTED, Status.IN_PROGRESS])
thresholds = st.fixed_dictionaries(
    {
        "blue_days_before_due": st.integers(0, 60),
        "yellow_points_behind": st.integers(0, 100),
        "red_points_behind": st.integers(0, 100),
    }
)


@PROPERTY
@given(
    start=dates,
    due=st.none() | dates,
    today=dates,
    percent=st.integers(0, 100),
    status=st.sampled_from(Status.values),
    rules=thresholds,
)
def test_the_light_is_always_one_of_the_levels_with_a_reason(start, due, today, percent, status, rules):
    verdict = compute_light(item_(campaign_(**rules), percent=percent, status=status, due=due, starts_on=start), today)
    assert verdict.light in Light.values
    assert verdict.reason
    assert verdict.n >= 0


@PROPERTY
@given(start=dates, due=dates, today=dates, percent=st.integers(0, 99), status=open_statuses, rules=thresholds)
def test_overdue_and_not_complete_is_always_red(start, due, today, percent, status, rules):
    item = item_(campaign_(**rules), percent=percent, status=status, due=due, starts_on=start)
    verdict = compute_light(item, today)
    if today > due:
        assert (verdict.light, verdict.code, verdict.n) == (Light.RED, "overdue", (today - due).days)
    else:
        assert verdict.code != "overdue"


@PROPERTY
@given(
    start=dates,
    due=st.none() | dates,
    today=dates,
    status=st.sampled_from([Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED]),
    rules=thresholds,
)
def test_a_hundred_percent_is_never_red_or_yellow(start, due, today, status, rules):
    item = item_(campaign_(**rules), percent=100, status=status, due=due, starts_on=start)
    assert compute_light(item, today).light == Light.GREEN


@PROPERTY
@given(
    start=dates,
    due=st.none() | dates,
    today=dates,
    low=st.integers(0, 100),
    high=st.integers(0, 100),
    rules=thresholds,
)
def test_more_progress_never_makes_the_light_worse(start, due, today, low, high, rules):
    low, high = sorted((low, high))
    campaign = campaign_(**rules)
    worse = compute_light(item_(campaign, percent=low, status=Status.IN_PROGRESS, due=due, starts_on=start), today)
    better = compute_light(item_(campaign, percent=high, status=Status.IN_PROGRESS, due=due, starts_on=start), today)
    assert SEVERITY[better.light] <= SEVERITY[worse.light]


# Missed reports, ongoing items, instructions, milestones ---------------------------------


def test_two_reports_missed_in_a_row_turn_an_item_yellow_and_three_red():
    item = item_(percent=50, due=END)
    assert light_of_with(item, HALFWAY, missed_reports=1) == (Light.GREEN, "on_schedule", 0)
    assert light_of_with(item, HALFWAY, missed_reports=2) == (Light.YELLOW, "missed", 2)
    assert light_of_with(item, HALFWAY, missed_reports=3) == (Light.RED, "missed", 3)
    assert light_of_with(item, HALFWAY, missed_reports=7) == (Light.RED, "missed", 7)


def test_the_missed_report_thresholds_are_read_from_the_campaign():
    item = item_(campaign_(yellow_missed_reports=4, red_missed_reports=6), percent=50, due=END)
    assert light_of_with(item, HALFWAY, missed_reports=3)[0] == Light.GREEN
    assert light_of_with(item, HALFWAY, missed_reports=5) == (Light.YELLOW, "missed", 5)
    assert light_of_with(item, HALFWAY, missed_reports=6) == (Light.RED, "missed", 6)


def test_the_worse_of_missed_reports_and_points_behind_wins():
    behind_18 = item_(percent=32, due=END)
    assert light_of_with(behind_18, HALFWAY, missed_reports=3) == (Light.RED, "missed", 3)
    behind_40 = item_(percent=10, due=END)
    assert light_of_with(behind_40, HALFWAY, missed_reports=2) == (Light.RED, "behind", 40)
    assert light_of_with(item_(percent=10, due=D(2021, 6, 30)), HALFWAY, missed_reports=3)[1] == "overdue"


def test_an_ongoing_item_is_judged_on_its_reports_alone():
    never_started = item_(status=Status.NOT_STARTED, due=None)
    assert light_of(never_started, D(2021, 12, 1)) == (Light.GREEN, "ongoing", 0)
    assert light_of_with(never_started, D(2021, 12, 1), missed_reports=2) == (Light.YELLOW, "missed", 2)
    assert light_of_with(never_started, D(2021, 12, 1), missed_reports=3) == (Light.RED, "missed", 3)


@pytest.mark.parametrize(
    ("percent", "today", "plain", "instructed"),
    [
        (50, HALFWAY, (Light.GREEN, "on_schedule", 0), (Light.BLUE, "i:on_schedule", 0)),
        (95, D(2021, 12, 28), (Light.BLUE, "near", 3), (Light.YELLOW, "i:near", 3)),
        (32, HALFWAY, (Light.YELLOW, "behind", 18), (Light.RED, "i:behind", 18)),
        (10, HALFWAY, (Light.RED, "behind", 40), (Light.RED, "i:behind", 40)),
    ],
)
def test_an_item_with_a_leaders_instruction_starts_one_level_higher(percent, today, plain, instructed):
    item = item_(percent=percent, due=END)
    assert light_of(item, today) == plain
    assert light_of_with(item, today, instructed=True) == instructed


def test_an_instruction_does_not_light_up_a_completed_or_withdrawn_item():
    assert light_of_with(item_(percent=100, due=END), HALFWAY, instructed=True) == (Light.GREEN, "completed", 0)
    withdrawn = item_(percent=10, status=Status.WITHDRAWN, due=END)
    assert light_of_with(withdrawn, HALFWAY, instructed=True) == (Light.NONE, "withdrawn", 0)


def test_the_reason_of_an_instructed_item_says_so():
    verdict = LightVerdict(Light.RED, "i:behind", 18)
    with translation.override("en"):
        assert verdict.reason == "leader's instruction; 18 points behind schedule"
    assert describe("missed", 3)


def test_expected_percent_runs_through_the_milestones():
    # 10 days to 30%, then 20 days to 90%, then 10 days to 100%.
    due = START + datetime.timedelta(days=40)
    milestones = [(START + datetime.timedelta(days=30), 90), (START + datetime.timedelta(days=10), 30)]
    at = [
        expected_percent(START, due, START + datetime.timedelta(days=d), milestones) for d in (0, 5, 10, 20, 30, 35, 40)
    ]
    assert at == [0, 15, 30, 60, 90, 95, 100]
    # Milestones outside the item's span are ignored; none at all is the straight line.
    assert expected_percent(START, due, START + datetime.timedelta(days=20), [(D(2020, 1, 1), 80)]) == 50


def test_a_milestone_ahead_of_the_straight_line_makes_an_item_behind_sooner():
    item = item_(percent=45, due=END)
    assert light_of(item, HALFWAY)[0] == Light.GREEN
    milestones = [(D(2021, 7, 31), 80)]
    assert light_of_with(item, HALFWAY, milestones=milestones) == (Light.RED, "behind", 35)


def light_of_with(item, today, **inputs) -> tuple[str, str, int]:
    verdict = compute_light(item, today, **inputs)
    return verdict.light, verdict.code, verdict.n


# The stored lights see instructions and milestones ----------------------------------------


def test_refresh_lights_bumps_an_instructed_item_and_follows_milestones(dated, org):
    from taizhang.ledger.models import Comment, Milestone
    from taizhang.supervision.models import Instruction
    from taizhang.testing.factories import make_user

    campaign, item, _done = dated
    leader = make_user("lead-1")
    behind = make_item(campaign, org["hr"], code="D-3", due=END, percent=45, status=Status.IN_PROGRESS)
    # A waiting instruction (supervision's, read through its light provider) bumps the item; a comment does not.
    Instruction.objects.create(
        campaign=campaign,
        unit=item.owner_unit,
        item=item,
        leader=leader,
        text="抓紧",
        given_at=timezone.make_aware(datetime.datetime(2021, 3, 2, 9)),
        respond_by=D(2021, 3, 9),
    )
    Comment.objects.create(item=behind, kind=Comment.Kind.COMMENT, body="一般评论", author=leader)

    refresh_lights(campaign, on=HALFWAY - datetime.timedelta(days=40))
    assert stored(item) == (Light.BLUE, "i:on_schedule", 0)
    assert stored(behind) == (Light.GREEN, "on_schedule", 0)

    Milestone.objects.create(item=behind, on=D(2021, 7, 31), percent=80)
    assert refresh_lights(campaign, on=HALFWAY) == 2
    assert stored(behind) == (Light.RED, "behind", 35)
    assert stored(item) == (Light.RED, "i:overdue", 32)


def test_refresh_lights_writes_one_history_entry_per_changed_light(dated, org):
    campaign, item, _done = dated
    more = [make_item(campaign, org["hr"], code=f"M-{n}", due=D(2021, 6, 30), percent=95) for n in range(30)]
    assert refresh_lights(campaign, on=D(2021, 7, 12), batch_size=7) == 31
    for one in [item, *more]:
        assert stored(one) == (Light.RED, "overdue", 12)
        assert [(e.changes[0]["old"], e.changes[0]["new"]) for e in history_for(one)] == [(Light.GREEN, Light.RED)]
        assert history_for(one).get().at is not None


def test_recompute_item_sees_an_instruction(campaign, people, items):
    from taizhang.ledger.actions import recompute_item
    from taizhang.supervision.actions import give_instruction

    oa = Item.objects.get(pk=items["oa"].pk)
    give_instruction(campaign, text="请加快进度", item=oa, acting_user=people["leo"])
    recompute_item(oa)
    oa.refresh_from_db()
    assert oa.light_code.startswith("i:")


# Properties over report histories ---------------------------------------------------------


def in_a_row(history: list[bool]) -> int:
    """Reports missed since the last one sent (True = sent), as the reporting rhythm counts them."""
    count = 0
    for sent in reversed(history):
        if sent:
            break
        count += 1
    return count


@PROPERTY
@given(
    start=dates,
    due=st.none() | dates,
    today=dates,
    percent=st.integers(0, 99),
    status=open_statuses,
    history=st.lists(st.booleans(), max_size=30),
    yellow=st.integers(1, 5),
    extra=st.integers(0, 5),
)
def test_missed_reports_at_the_thresholds_are_never_better_than_yellow_and_red(
    start, due, today, percent, status, history, yellow, extra
):
    campaign = campaign_(yellow_missed_reports=yellow, red_missed_reports=yellow + extra)
    item = item_(campaign, percent=percent, status=status, due=due, starts_on=start)
    missed = in_a_row(history)
    light = compute_light(item, today, missed_reports=missed).light
    if missed >= yellow + extra:
        assert light == Light.RED
    elif missed >= yellow:
        assert SEVERITY[light] >= SEVERITY[Light.YELLOW]
    # A report sent after any history clears the missed-report reason.
    assert compute_light(item, today, missed_reports=in_a_row([*history, True])).code != "missed"


@PROPERTY
@given(
    start=dates,
    due=st.none() | dates,
    today=dates,
    percent=st.integers(0, 100),
    status=st.sampled_from(Status.values),
    missed=st.integers(0, 10),
    more=st.integers(0, 10),
)
def test_more_missed_reports_never_make_the_light_better(start, due, today, percent, status, missed, more):
    item = item_(percent=percent, status=status, due=due, starts_on=start)
    fewer = compute_light(item, today, missed_reports=missed)
    worse = compute_light(item, today, missed_reports=missed + more)
    assert SEVERITY[worse.light] >= SEVERITY[fewer.light]


@PROPERTY
@given(
    start=dates,
    due=st.none() | dates,
    today=dates,
    percent=st.integers(0, 100),
    status=st.sampled_from(Status.values),
    missed=st.integers(0, 5),
)
def test_an_instruction_raises_an_open_item_exactly_one_level_short_of_red(start, due, today, percent, status, missed):
    item = item_(percent=percent, status=status, due=due, starts_on=start)
    plain = compute_light(item, today, missed_reports=missed)
    instructed = compute_light(item, today, missed_reports=missed, instructed=True)
    if plain.code in ("withdrawn", "closed", "completed"):
        assert instructed == plain
    else:
        assert SEVERITY[instructed.light] == min(SEVERITY[plain.light] + 1, SEVERITY[Light.RED])
        assert instructed.code == "i:" + plain.code and instructed.n == plain.n


@PROPERTY
@given(
    start=dates,
    span=st.integers(1, 800),
    offset=st.integers(-100, 900),
    milestones=st.lists(st.tuples(st.integers(-50, 850), st.integers(0, 100)), max_size=6),
)
def test_expected_percent_never_falls_as_time_passes_and_stays_in_0_to_100(start, span, offset, milestones):
    due = start + datetime.timedelta(days=span)
    points = [(start + datetime.timedelta(days=d), p) for d, p in milestones]
    points = list(dict(points).items())
    today = start + datetime.timedelta(days=offset)
    now = expected_percent(start, due, today, points)
    later = expected_percent(start, due, today + datetime.timedelta(days=1), points)
    assert 0 <= now <= later <= 100
    if today >= due:
        assert now == 100


# With the reporting rhythm: missed reports come from the unit's reports ---------------------


def test_lights_count_the_owner_units_missed_weekly_reports(org):
    from taizhang.ledger.actions import recompute_item
    from taizhang.reporting.periods import generate_periods

    campaign = make_campaign("reports", starts_on=D(2021, 3, 1), ends_on=D(2021, 12, 31))
    generate_periods(campaign, now=timezone.make_aware(datetime.datetime(2021, 12, 31, 12)))
    quiet = make_item(campaign, org["hr"], code="R-1", due=END, percent=50, status=Status.IN_PROGRESS)
    ongoing = make_item(campaign, org["hr"], code="R-2", due=None, percent=10, status=Status.IN_PROGRESS)
    refresh_lights(campaign, on=HALFWAY)
    # No weekly report has ever come from 人力资源部: far more than three in a row.
    assert stored(quiet)[:2] == (Light.RED, "missed")
    assert stored(ongoing)[:2] == (Light.RED, "missed")
    assert stored(quiet)[2] >= 3
    recompute_item(Item.objects.get(pk=ongoing.pk), on=HALFWAY)
    assert stored(ongoing)[:2] == (Light.RED, "missed")


# Facts kept above the ledger, through registered providers -------------------------


def test_an_overdue_rectification_turns_an_open_item_red_and_says_so():
    item = item_(percent=60, due=D(2021, 12, 1))
    verdict = compute_light(item, D(2021, 6, 1), rectification_overdue=3)
    assert (verdict.light, verdict.code, verdict.n) == (Light.RED, "rectify", 3)
    with translation.override("zh-hans"):
        assert "3" in verdict.reason
    # An item already past its own deadline keeps that reason; a finished one is not judged.
    assert compute_light(item, D(2021, 12, 5), rectification_overdue=3).code == "overdue"
    done = item_(percent=100, status=Status.COMPLETED, due=D(2021, 12, 1))
    assert compute_light(done, D(2021, 6, 1), rectification_overdue=3).light == Light.GREEN


@pytest.mark.django_db
def test_registered_item_facts_reach_the_stored_light():
    from taizhang.ledger import lights
    from taizhang.testing.factories import make_unit

    campaign = make_campaign()
    item = make_item(campaign, make_unit("整改单位"), due=campaign.ends_on, percent=50, status=Status.IN_PROGRESS)
    seen = []

    def overdue(c, on, ids):
        seen.append(ids)
        return {item.pk: 4}

    installed = lights._item_facts_providers.get("rectification_overdue")  # the inspections app's, when loaded
    lights.register_item_facts_provider("rectification_overdue", overdue)
    try:
        refresh_lights(campaign, on=D(2021, 6, 1))
        item.refresh_from_db()
        assert (item.light, item.light_code, item.light_n) == (Light.RED, "rectify", 4)
        assert seen and seen[0] is None  # the whole campaign asked for at once
        with pytest.raises(ValueError):
            lights.register_item_facts_provider("no such fact", overdue)
    finally:
        lights.register_item_facts_provider("rectification_overdue", installed)
    refresh_lights(campaign, on=D(2021, 6, 1))
    item.refresh_from_db()
    assert item.light_code != "rectify"


# Born red no more: the not-started clock runs from the day the item entered the list -----------


def test_an_item_added_months_after_the_campaign_began_is_not_born_red(campaign, org, people):
    """The campaign began 90 days ago; an item added today without a planned start is green, not 🔴 idle."""
    from taizhang.ledger import actions

    today = timezone.localdate()
    item = actions.create_item(
        campaign=campaign,
        data={
            "code": "NEW-1",
            "title": "新增实事",
            "owner_unit": org["hr"],
            "due": today + datetime.timedelta(days=200),
        },
        acting_user=people["olivia"],
    )
    assert (item.light, item.light_code) == (Light.GREEN, "on_schedule")
    # The night after counts from the day it arrived too; 31 days on it is yellow, idle 31 days.
    refresh_lights(campaign, on=today + datetime.timedelta(days=31))
    item.refresh_from_db()
    assert (item.light, item.light_code, item.light_n) == (Light.YELLOW, "idle", 31)


def test_a_planned_start_entered_on_purpose_counts_even_before_the_item_arrived(campaign, org, people):
    from taizhang.ledger import actions

    today = timezone.localdate()
    item = actions.create_item(
        campaign=campaign,
        data={
            "code": "NEW-2",
            "title": "早已开始的实事",
            "owner_unit": org["hr"],
            "starts_on": today - datetime.timedelta(days=95),
            "due": today + datetime.timedelta(days=200),
        },
        acting_user=people["olivia"],
    )
    assert (item.light, item.light_code, item.light_n) == (Light.RED, "idle", 95)


def test_an_item_listed_before_today_counts_from_its_arrival_not_the_campaign_start(campaign, org):
    item = make_item(campaign, org["hr"], code="OLD-1", due=timezone.localdate() + datetime.timedelta(days=100))
    Item.objects.filter(pk=item.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    refresh_lights(campaign)
    item.refresh_from_db()
    assert (item.light, item.light_code, item.light_n) == (Light.YELLOW, "idle", 40)
