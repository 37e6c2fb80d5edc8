"""Benchmarks of the people's side, on the demo campaign plus generated demands (and a 100,000-item campaign)."""

import datetime
import random

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import Item
from taizhang.lib.text import search_key
from taizhang.orgs.models import User
from taizhang.people import queries
from taizhang.people.models import Channel, Demand, new_tracking_code

WORDS = [
    "食堂",
    "晚餐",
    "停车",
    "热水",
    "宿舍",
    "医疗",
    "体检",
    "班车",
    "OA",
    "审批",
    "报销",
    "培训",
    "网络",
    "电梯",
    "维修",
    "图书",
    "健身",
    "托管",
    "婚恋",
    "义诊",
]


def _text(rng: random.Random) -> str:
    return "希望解决" + "".join(rng.sample(WORDS, 4)) + "的问题"


def _make_demands(campaign, n: int, rng: random.Random) -> None:
    existing = Demand.objects.filter(campaign=campaign).count()
    rows = []
    for _ in range(max(0, n - existing)):
        text = _text(rng)
        rows.append(
            Demand(
                campaign=campaign,
                channel=rng.choice(Channel.values),
                text=text,
                search_text=search_key(text),
                tracking_code=new_tracking_code(),
            )
        )
    Demand.objects.bulk_create(rows, batch_size=1000)
    # Spread them over the last 60 days so the Open311 default window holds them all.
    now = timezone.now()
    for i, pk in enumerate(Demand.objects.filter(campaign=campaign).values_list("pk", flat=True)):
        if i % 50 == 0:
            Demand.objects.filter(pk=pk).update(created_at=now - datetime.timedelta(days=i % 60))


def _big_campaign(rng: random.Random) -> Campaign:
    """A campaign of 100,000 items over 2,000 units, generated once with bulk_create."""
    campaign, _created = Campaign.objects.get_or_create(
        slug="bench-people-100k",
        defaults={"name": "bench 100k", "starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2026, 12, 31)},
    )
    if Item.objects.filter(campaign=campaign).count() >= 100_000:
        return campaign
    with transaction.atomic():
        # The same 2,000-unit tree as the other benches (one org, as in life).
        from taizhang.bench.dashboards import make_units

        units = make_units()
        items = []
        for i in range(100_000):
            title = "".join(rng.sample(WORDS, 3)) + f"改善项目{i}"
            items.append(
                Item(
                    campaign=campaign,
                    code=f"B-{i:06d}",
                    title=title,
                    owner_unit=units[i % len(units)],
                    search_text=search_key(title),
                )
            )
        Item.objects.bulk_create(items, batch_size=2000)
    return campaign


def run(report, median_ms) -> None:
    rng = random.Random(6)
    campaign = Campaign.objects.get(slug="2026")
    office = User.objects.get(username="office")
    _make_demands(campaign, 2000, rng)
    demand = Demand.objects.filter(campaign=campaign).first()
    print(f"# demands: {Demand.objects.filter(campaign=campaign).count()}", flush=True)

    def bare_titles() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, code, title, content FROM ledger_item WHERE campaign_id = %s", [campaign.pk])
            cursor.fetchall()
            cursor.execute("SELECT id, text, search_text FROM people_demand WHERE campaign_id = %s", [campaign.pk])
            cursor.fetchall()

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    url = f"/c/{campaign.slug}/problems/{demand.pk}/"
    report(
        "triage page with suggestions (demo items, 2,000 demands)",
        median_ms(lambda: client.get(url)),
        median_ms(bare_titles),
    )

    public = Client(HTTP_HOST="127.0.0.1")

    def bare_demands() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, text, created_at FROM people_demand WHERE campaign_id = %s ORDER BY created_at DESC LIMIT 1000",
                [campaign.pk],
            )
            cursor.fetchall()

    report(
        "Open311 GET requests.json (up to 1,000)",
        median_ms(lambda: public.get("/open311/v2/requests.json", {"jurisdiction_id": campaign.slug}), repeat=5),
        median_ms(bare_demands, repeat=5),
    )

    big = _big_campaign(rng)
    probe = Demand(campaign=big, text="希望改善食堂晚餐和班车的问题")

    def bare_big() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, code, title, content FROM ledger_item WHERE campaign_id = %s", [big.pk])
            cursor.fetchall()

    report(
        "similar items for one problem (100,000 items)",
        median_ms(lambda: queries.similar_items(probe), repeat=3),
        median_ms(bare_big, repeat=3),
    )
