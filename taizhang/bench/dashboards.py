"""Dashboard and lights benchmarks at scale: 100,000 items over 2,000 units with a year of history.

``python -m taizhang.bench dashboards`` (SQLite) or with ``BENCH_DATABASE_URL=postgres://...``.
The large campaign (slug ``bench100k``) is generated once per bench database with
bulk_create and reused by later runs. Measures:

- the overview page's server time against the bare SQL aggregates behind the same figures;
- the filtered item list (page of 50) for combinations of filters (``itemlist``, also run alone);
- recomputing every light of the campaign (all rows changing, then an ordinary night),
  against the bare read of the columns the rules need.
"""

import datetime
import random
import time

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from taizhang.campaigns.models import Campaign, Category, Phase
from taizhang.dashboards import queries
from taizhang.history.models import HistoryEntry
from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.models import Item, Light, LightTally, ProgressEntry, Status
from taizhang.lib.text import search_key
from taizhang.orgs.models import Role, RoleGrant, Unit, User

SLUG = "bench100k"
ITEMS = 100_000
UNITS = 2_000
TOP_UNITS = 20
# A year of weekly progress for every 25th item (4,000 items, about 190,000 entries): generation stays near
# two minutes on a quiet machine; progress rows are not read by the measured pages, only make the tables real.
PROGRESS_EVERY = 25
WEEKS = 52
BATCH = 5_000

TITLES = [
    "优化{}服务流程",
    "建设{}职工之家",
    "推进{}信息化平台",
    "解决{}员工通勤难题",
    "开展{}公益义诊",
    "改善{}食堂条件",
    "帮扶{}困难职工",
    "提升{}办事效率",
]
PLACES = ["北京", "上海", "广州", "成都", "西安", "武汉", "沈阳", "昆明", "兰州", "南京"]


def _log(message: str) -> None:
    print(f"# {message}", flush=True)


def make_units() -> list[Unit]:
    """The bench's org tree of 2,000 units (a group, 20 regional companies, their branches); shared by benches."""
    root = Unit.objects.filter(name="基准集团", parent=None).first()
    if root is None:
        root = Unit.objects.create(name="基准集团", kind=Unit.Kind.GROUP)
        root.refresh_derived()
        root.save()
    existing = list(Unit.objects.filter(path__startswith=root.path).exclude(pk=root.pk))
    if len(existing) >= UNITS - 1:
        return existing
    tops = Unit.objects.bulk_create(
        [
            Unit(name=f"基准区域公司{n:02d}", parent=root, kind=Unit.Kind.REGIONAL, sort_order=n)
            for n in range(TOP_UNITS)
        ]
    )
    for unit in tops:
        unit.path, unit.depth, unit.search_text = f"{root.path}{unit.pk:06d}.", 1, search_key(unit.name)
    Unit.objects.bulk_update(tops, ["path", "depth", "search_text"])
    below = []
    per_top = (UNITS - 1 - TOP_UNITS) // TOP_UNITS + 1
    for top in tops:
        for n in range(per_top):
            below.append(Unit(name=f"{top.name}第{n:03d}分公司", parent=top, kind=Unit.Kind.SUBSIDIARY, sort_order=n))
    below = Unit.objects.bulk_create(below[: UNITS - 1 - TOP_UNITS], batch_size=BATCH)
    parents = {top.pk: top for top in tops}
    for unit in below:
        unit.path = f"{parents[unit.parent_id].path}{unit.pk:06d}."
        unit.depth, unit.search_text = 2, search_key(unit.name)
    Unit.objects.bulk_update(below, ["path", "depth", "search_text"], batch_size=BATCH)
    return tops + below


def _generate(campaign: Campaign, today: datetime.date) -> None:
    rng = random.Random(20260101)
    started = time.perf_counter()
    units = make_units()
    categories = list(campaign.categories.all())
    phases = list(campaign.phases.all())
    span = (campaign.ends_on - campaign.starts_on).days
    keys: dict[str, str] = {}
    items = []
    for n in range(ITEMS):
        title = rng.choice(TITLES).format(rng.choice(PLACES))
        owner = rng.choice(["王明", "张华", "李强", "赵敏", "陈静", "刘洋"])
        due = None if rng.random() < 0.05 else campaign.starts_on + datetime.timedelta(days=rng.randint(30, span))
        expected = (
            50
            if due is None
            else min(100, max(0, 100 * (today - campaign.starts_on).days // max(1, (due - campaign.starts_on).days)))
        )
        percent = max(0, min(100, expected + rng.randint(-45, 25)))
        completed_on = None
        if percent >= 100:
            status = Status.CLOSED if rng.random() < 0.15 else Status.COMPLETED
            end = min(today, (due or today) + datetime.timedelta(days=20))
            completed_on = end - datetime.timedelta(days=rng.randint(0, 40))
        elif rng.random() < 0.01:
            status = Status.WITHDRAWN
        else:
            status = Status.IN_PROGRESS if percent else Status.NOT_STARTED
        code = f"B-{n:06d}"
        key = keys.get(title + owner) or keys.setdefault(title + owner, search_key(title, owner))
        items.append(
            Item(
                campaign=campaign,
                code=code,
                title=title,
                category=rng.choice(categories),
                phase=rng.choice(phases),
                owner_unit=rng.choice(units),
                owner=owner,
                due=due,
                due_text="长期坚持" if due is None else "",
                status=status,
                percent=percent,
                completed_on=completed_on,
                search_text=f"{code.lower()} {key}",
            )
        )
    with transaction.atomic():
        Item.objects.bulk_create(items, batch_size=BATCH)
    ids = list(Item.objects.filter(campaign=campaign).values_list("id", "percent").order_by("id"))
    _log(f"generated units and {len(ids)} items in {time.perf_counter() - started:.0f} s")

    # A year of weekly progress for every PROGRESS_EVERY-th item.
    first_monday = campaign.starts_on - datetime.timedelta(days=campaign.starts_on.weekday())
    entries = []
    count = 0
    with transaction.atomic():
        for item_id, percent in ids[::PROGRESS_EVERY]:
            for week in range(WEEKS):
                friday = first_monday + datetime.timedelta(weeks=week, days=4)
                if friday > today:
                    break
                at = timezone.make_aware(datetime.datetime.combine(friday, datetime.time(16, 0)))
                entries.append(
                    ProgressEntry(
                        item_id=item_id,
                        as_of=friday,
                        percent=min(percent, percent * (week + 1) // WEEKS + 1),
                        done=f"第{week + 1}周：按计划推进",
                        source=ProgressEntry.Source.IMPORT,
                        created_at=at,
                    )
                )
                if len(entries) >= BATCH:
                    ProgressEntry.objects.bulk_create(entries)
                    count += len(entries)
                    entries = []
        ProgressEntry.objects.bulk_create(entries)
        count += len(entries)
    _log(f"{count} progress entries after {time.perf_counter() - started:.0f} s")

    # Light changes through the year: a few per item.
    content_type = ContentType.objects.get_for_model(Item)
    lights = [Light.GREEN, Light.BLUE, Light.YELLOW, Light.RED]
    history = []
    with transaction.atomic():
        for item_id, _percent in ids:
            old = Light.GREEN
            for _ in range(rng.randint(0, 4)):
                new = rng.choice([x for x in lights if x != old])
                history.append(
                    HistoryEntry(
                        content_type=content_type,
                        object_id=item_id,
                        campaign=campaign,
                        action=HistoryEntry.Action.LIGHT,
                        changes=[{"field": "light", "label": "亮灯", "old": old, "new": new}],
                        note="",
                    )
                )
                old = new
            if len(history) >= BATCH:
                HistoryEntry.objects.bulk_create(history)
                history = []
        HistoryEntry.objects.bulk_create(history)
    # auto_now_add stamped them all now: spread them over the year, in SQL.
    first = campaign.starts_on
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE history_historyentry SET at = %s::timestamptz + ((id * 7919) %% %s) * interval '1 day' "
                "WHERE campaign_id = %s AND action = 'light'",
                [f"{first.isoformat()} 02:00:00+08:00", (today - first).days, campaign.pk],
            )
        else:
            cursor.execute(
                "UPDATE history_historyentry SET at = datetime(%s, '+' || ((id * 7919) %% %s) || ' days') "
                "WHERE campaign_id = %s AND action = 'light'",
                [f"{first.isoformat()} 00:00:00", (today - first).days, campaign.pk],
            )
    _log(f"light history written after {time.perf_counter() - started:.0f} s")
    _backfill_tallies(campaign, today)
    _log(f"bench campaign ready after {time.perf_counter() - started:.0f} s")


def _backfill_tallies(campaign: Campaign, today: datetime.date) -> None:
    """The weekly light tallies of the year so far (each night's refresh leaves one): this week's, copied back."""
    refresh_lights(campaign, on=today)
    this_week = today - datetime.timedelta(days=today.weekday())
    current = list(LightTally.objects.filter(campaign=campaign, week=this_week))
    LightTally.objects.bulk_create(
        [
            LightTally(campaign=campaign, week=week, unit_id=t.unit_id, light=t.light, count=t.count)
            for week in queries.weeks_of(campaign, today)
            if week < this_week
            for t in current
        ],
        batch_size=BATCH,
    )


def _campaign(today: datetime.date) -> Campaign:
    campaign = Campaign.objects.filter(slug=SLUG).first()
    if campaign is not None and Item.objects.filter(campaign=campaign).count() >= ITEMS:
        if not LightTally.objects.filter(campaign=campaign).exists():
            _backfill_tallies(campaign, today)
        return campaign
    if campaign is None:
        campaign = Campaign.objects.create(
            slug=SLUG,
            name="基准：十万条实事",
            starts_on=datetime.date(today.year, 1, 1),
            ends_on=datetime.date(today.year, 12, 31),
        )
        for order, name in enumerate(["服务基层", "关爱员工", "为军惠军", "助力乡村振兴", "支持合作伙伴"]):
            Category.objects.create(campaign=campaign, name=name, order=order)
        for order, name in enumerate(["筹划部署", "组织实施", "检查验收"]):
            Phase.objects.create(campaign=campaign, name=name, order=order)
    _generate(campaign, today)
    return campaign


def _bare_overview(campaign: Campaign, today: datetime.date, unit: Unit | None = None):
    """The same figures as the overview, straight from SQL (no ORM, no Python roll-ups)."""
    subtree = f"(SELECT u.id FROM orgs_unit u WHERE u.path LIKE '{unit.path}%%')" if unit is not None else ""
    scope = "i.campaign_id = %s AND i.status <> 'withdrawn'"
    if unit is not None:
        scope += f" AND i.owner_unit_id IN {subtree}"
    tally_scope = "t.unit_id IS NULL" if unit is None else f"t.unit_id IN {subtree}"
    done = "i.status IN ('completed','closed')"
    statements = [
        # The cube: counts by category, phase, status and light (headline, categories, phases, light counts).
        f"SELECT i.category_id, i.phase_id, i.status, i.light, COUNT(*), "
        f"SUM(CASE WHEN {done} AND (i.due IS NULL OR i.completed_on <= i.due) THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN i.light = 'red' AND i.due < '{today.isoformat()}' THEN 1 ELSE 0 END) "
        f"FROM ledger_item i WHERE {scope} GROUP BY 1, 2, 3, 4",
        f"SELECT i.owner_unit_id, COUNT(*), SUM(CASE WHEN {done} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN i.light = 'red' THEN 1 ELSE 0 END), SUM(CASE WHEN i.light = 'yellow' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN i.light = 'blue' THEN 1 ELSE 0 END) FROM ledger_item i WHERE {scope} GROUP BY 1",
        "SELECT u.id, u.path FROM orgs_unit u",
        f"SELECT i.due, COUNT(*) FROM ledger_item i WHERE {scope} GROUP BY 1",
        f"SELECT i.completed_on, COUNT(*) FROM ledger_item i WHERE {scope} AND {done} "
        f"AND i.completed_on IS NOT NULL GROUP BY 1",
        "SELECT t.week, t.light, SUM(t.count) FROM ledger_lighttally t WHERE t.campaign_id = %s "
        f"AND {tally_scope} GROUP BY 1, 2",
        f"SELECT i.id, i.code, i.title, i.due, u.name FROM ledger_item i JOIN orgs_unit u ON u.id = i.owner_unit_id "
        f"WHERE {scope} AND i.light = 'red' AND i.due IS NOT NULL ORDER BY i.due, i.code LIMIT 20",
    ]

    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, [campaign.pk] * sql.count("%s"))
                cursor.fetchall()

    return run


def _analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would leave them on a live server."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("ledger_item", "ledger_lighttally", "orgs_unit", "history_historyentry"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")


def run(report, median_ms) -> None:
    today = timezone.localdate()
    campaign = _campaign(today)
    _analyze()
    total = Item.objects.filter(campaign=campaign).count()
    _log(
        f"{connection.vendor}: {total} items, {Unit.objects.count()} units, "
        f"{ProgressEntry.objects.filter(item__campaign=campaign).count()} progress entries, "
        f"{HistoryEntry.objects.filter(campaign=campaign, action='light').count()} light changes"
    )
    office = User.objects.get(username="office")
    RoleGrant.objects.get_or_create(user=office, campaign=campaign, role=Role.OFFICE, defaults={"unit": None})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)

    url = f"/c/{campaign.slug}/dashboard/"
    assert client.get(url).status_code == 200
    from taizhang.bench import paired_median_ms

    report(
        "overview 100k (whole campaign)",
        *paired_median_ms(lambda: client.get(url), _bare_overview(campaign, today), repeat=9),
    )
    data_ms = median_ms(lambda: queries.overview(campaign, today), repeat=5)
    report("overview 100k figures only (no page)", data_ms, median_ms(_bare_overview(campaign, today), repeat=5))
    top = Unit.objects.filter(name="基准区域公司03").first()
    if top is not None:
        report(
            "overview 100k (one regional company)",
            *paired_median_ms(
                lambda: client.get(url, {"unit": top.pk}), _bare_overview(campaign, today, top), repeat=9
            ),
        )

    # The item list's filter combinations are their own area (taizhang/bench/itemlist.py), on this campaign.
    from taizhang.bench import itemlist

    itemlist.measure(report, median_ms, campaign, client, today)

    # The new-item and edit forms: units and items are chosen by typing, so neither grows with the ledger.
    child = Item.objects.filter(campaign=campaign, parent__isnull=False).select_related("parent").first()
    child = child or Item.objects.filter(campaign=campaign).order_by("code").first()

    def bare_form(item=None) -> None:
        # What a form cannot avoid: the campaign's small lists (categories, phases, key tasks) and the item.
        list(campaign.categories.all()), list(campaign.phases.all()), list(campaign.key_tasks.all())
        if item is not None:
            list(Item.objects.filter(pk=item.pk).select_related("owner_unit", "parent"))
            list(item.partner_units.all())

    for name, url, item in (
        ("new-item form", f"/c/{campaign.slug}/items/new/", None),
        ("edit form", f"/c/{campaign.slug}/items/{child.pk}/edit/", child),
    ):
        response = client.get(url)
        assert response.status_code == 200
        report(
            f"{name} 100k ({len(response.content) / 1024:.0f} KB)",
            median_ms(lambda u=url: client.get(u), repeat=5),
            median_ms(lambda i=item: bare_form(i), repeat=5),
        )

    # Every light of the campaign: first with every row changing, then an ordinary night.
    def bare_read() -> None:
        list(
            Item.objects.filter(campaign=campaign)
            .values_list(
                "id", "owner_unit_id", "status", "percent", "due", "starts_on", "light", "light_code", "light_n"
            )
            .iterator(chunk_size=2000)
        )

    baseline = median_ms(bare_read, repeat=3)
    last_history = HistoryEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    Item.objects.filter(campaign=campaign).update(light=Light.GREEN, light_code="", light_n=0)
    started = time.perf_counter()
    changed = refresh_lights(campaign, on=today)
    full_ms = (time.perf_counter() - started) * 1000
    report(f"refresh all lights 100k, every row rewritten ({changed} light changes)", full_ms, baseline)
    started = time.perf_counter()
    changed = refresh_lights(campaign, on=today + datetime.timedelta(days=1))
    night_ms = (time.perf_counter() - started) * 1000
    report(f"refresh all lights 100k, next night ({changed} light changes)", night_ms, baseline)
    # Leave the bench database as it was for the next run.
    HistoryEntry.objects.filter(id__gt=last_history).delete()
    refresh_lights(campaign, on=today)
    HistoryEntry.objects.filter(id__gt=last_history).delete()
