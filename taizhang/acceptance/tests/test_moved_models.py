"""The move out of people keeps the data: a database made before it migrates forward with every row in place."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from taizhang.acceptance.models import Acceptance, AcceptanceAttachment, LookBack

BEFORE = [("people", "0001_initial"), ("acceptance", None)]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def leaves() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_acceptances_and_look_backs_made_before_the_move_are_there_after_it(items, people):
    item = items["oa"]
    migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE[:1]).apps
        OldAcceptance = old.get_model("people", "Acceptance")
        acceptance = OldAcceptance.objects.create(
            item_id=item.pk,
            checked_on=datetime.date(2026, 6, 1),
            checkers="验收组",
            result="passed",
            recorded_by_id=people["olivia"].pk,
        )
        old.get_model("people", "AcceptanceAttachment").objects.create(
            acceptance_id=acceptance.pk, file="acceptance/1/report.pdf", name="验收报告.pdf", size=10
        )
        old.get_model("people", "LookBack").objects.create(item_id=item.pk, due_on=datetime.date(2026, 9, 1))
        ContentType = old.get_model("contenttypes", "ContentType")
        moved_type = ContentType.objects.get_or_create(app_label="people", model="lookback")[0]
    finally:
        migrate(leaves())

    kept = Acceptance.objects.get()
    assert (kept.pk, kept.item_id, kept.checkers, kept.result) == (acceptance.pk, item.pk, "验收组", "passed")
    assert AcceptanceAttachment.objects.get().acceptance == kept
    assert LookBack.objects.get().due_on == datetime.date(2026, 9, 1)
    assert list(item.acceptances.all()) == [kept]
    # Admin log entries and permissions point at content types: they follow the models.
    from django.contrib.contenttypes.models import ContentType as CurrentType

    assert CurrentType.objects.get(pk=moved_type.pk).app_label == "acceptance"


def test_the_tables_keep_their_names():
    assert Acceptance._meta.db_table == "people_acceptance"
    assert AcceptanceAttachment._meta.db_table == "people_acceptanceattachment"
    assert LookBack._meta.db_table == "people_lookback"


def test_the_pages_keep_their_addresses():
    assert reverse("acceptance:item_accept", args=["2021", 7]) == "/c/2021/items/7/acceptance/"
    assert reverse("acceptance:item_close", args=["2021", 7]) == "/c/2021/items/7/close/"
    assert reverse("acceptance:item_reopen", args=["2021", 7]) == "/c/2021/items/7/reopen/"
    assert reverse("acceptance:lookback_record", args=["2021", 3]) == "/c/2021/lookbacks/3/"
    assert reverse("acceptance:evidence_download", args=["2021", 3]) == "/c/2021/evidence/3/"
