"""lib.rows: instances built without Model.__init__ per row, and rows inserted at the database's own speed
(COPY on PostgreSQL, one multi-row INSERT … RETURNING or executemany elsewhere), exactly as Django would
have built and saved them."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from taizhang.history.models import HistoryEntry
from taizhang.ledger.models import Item
from taizhang.lib.rows import copy_rows, insert_pairs, insert_rows, insert_tuples, new_instances, raw_rows
from taizhang.testing.factories import make_campaign, make_unit


@pytest.fixture
def setting(db):
    return {
        "campaign": make_campaign(),
        "hr": make_unit("人力资源部"),
        "office": make_unit("办公室"),
    }


def _fields(item) -> dict:
    return {f.attname: getattr(item, f.attname) for f in Item._meta.concrete_fields if not f.generated}


def test_new_instances_are_what_the_model_would_build(setting):
    campaign, hr, office = setting["campaign"], setting["hr"], setting["office"]
    rows = [
        {"code": "A-1", "title": "甲", "owner_unit": hr, "due": datetime.date(2026, 6, 30)},
        {"code": "A-2", "title": "乙", "owner_unit_id": office.pk, "weight": Decimal("2.5")},
        {"code": "A-3", "title": "丙", "owner_unit": None},
    ]
    built = new_instances(Item, {"campaign": campaign}, rows)
    expected = [Item(campaign=campaign, **row) for row in rows]
    for ours, theirs in zip(built, expected, strict=True):
        assert _fields(ours) == _fields(theirs)
        assert ours._state.adding and ours._state.db is None
        assert "owner_unit" not in ours.__dict__  # the object sits in the cache, as the descriptor puts it
    assert built[0].owner_unit is hr and built[0].campaign is campaign
    assert built[1].owner_unit == office  # given by its id: read from the database, never a stale object
    assert built[0]._state is not built[1]._state and built[0]._state.fields_cache is not built[1]._state.fields_cache


def test_insert_rows_saves_what_bulk_create_would_and_sets_the_ids(setting):
    campaign, hr, office = setting["campaign"], setting["hr"], setting["office"]
    items = new_instances(
        Item,
        {"campaign": campaign},
        [{"code": f"B-{n}", "title": f"事项{n}", "owner_unit": hr if n % 2 else office} for n in range(1203)],
    )
    for item in items:
        item.refresh_search_text()
    insert_rows(items, batch_size=500)
    assert all(item.pk for item in items) and len({item.pk for item in items}) == 1203
    assert not any(item._state.adding for item in items)
    stored = {i.pk: i for i in Item.objects.filter(campaign=campaign)}
    assert len(stored) == 1203
    for item in items[:5] + items[-5:]:
        saved = stored[item.pk]
        assert (saved.code, saved.title, saved.owner_unit_id) == (item.code, item.title, item.owner_unit_id)
        assert saved.search_text == item.search_text and saved.created_at == item.created_at
    # One insert, one moment: every row shares the first one's time.
    assert len({i.created_at for i in stored.values()}) == 1


def test_copy_rows_and_pairs_and_tuples(setting):
    campaign, hr, office = setting["campaign"], setting["hr"], setting["office"]
    items = new_instances(Item, {"campaign": campaign, "owner_unit": hr}, [{"code": "C-1"}, {"code": "C-2"}])
    insert_rows(items)
    link = Item.partner_units.through
    insert_pairs(link, "item", "unit", [(items[0].pk, office.pk), (items[1].pk, hr.pk)])
    assert sorted(link.objects.values_list("item_id", "unit_id")) == [(items[0].pk, office.pk), (items[1].pk, hr.pk)]
    insert_pairs(link, "item", "unit", [])  # nothing to write: no statement
    at = datetime.datetime(2026, 6, 17, 2, 0, tzinfo=datetime.UTC)
    changes = HistoryEntry._meta.get_field("changes").get_db_prep_save([], connection)
    args = HistoryEntry._meta.get_field("note_args").get_db_prep_save({}, connection)
    from django.contrib.contenttypes.models import ContentType

    kind = ContentType.objects.get_for_model(Item).pk
    insert_tuples(
        HistoryEntry,
        ["content_type", "object_id", "campaign", "action", "changes", "note", "note_key", "note_args", "at"],
        [(kind, item.pk, campaign.pk, "create", changes, "导入", "", args, at) for item in items],
    )
    assert sorted(HistoryEntry.objects.filter(note="导入").values_list("object_id", flat=True)) == [i.pk for i in items]
    copy_rows("ledger_item_partner_units", ["item_id", "unit_id"], [])
    assert raw_rows(Item.objects.filter(campaign=campaign).order_by("code").values_list("code")) == [
        ("C-1",),
        ("C-2",),
    ]


def test_insert_rows_of_nothing_writes_nothing(setting):
    insert_rows([])
    assert not Item.objects.exists()
