"""The evidence chain: written with each record, and verify_ledger finds what was changed behind the app's back."""

import io
import itertools

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection

from taizhang.acceptance import actions as acceptance_actions
from taizhang.audit import chain
from taizhang.audit.anchors import anchor_line, write_anchor
from taizhang.audit.management.commands.chain_ledger import chain_existing
from taizhang.audit.models import AuditEvent, ChainLink
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.actions import NewProgress
from taizhang.ledger.models import ProgressEntry
from taizhang.people import actions as people_actions

pytestmark = pytest.mark.django_db


def report(item, who, percent, done="推进中"):
    return ledger_actions.add_progress(item, percent=percent, done=done, acting_user=who)


def verify(campaign) -> str:
    out = io.StringIO()
    try:
        call_command("verify_ledger", "--campaign", campaign.slug, stdout=out)
    except CommandError:
        return "FAILED " + out.getvalue()
    return out.getvalue()


@pytest.fixture
def chained(people, items, campaign):
    """Progress on two items, an acceptance, a rating and a closing: five kinds of evidence in one chain."""
    lily = people["lily"]
    first = report(items["oa"], lily, 40, "需求调研完成")
    second = report(items["oa"], lily, 100, "OA改版上线")
    report(items["flow"], lily, 30)
    acceptance_actions.record_acceptance(
        items["oa"], data={"checkers": "欧阳办", "result": "passed"}, acting_user=people["olivia"]
    )
    people_actions.rate_item(items["oa"], value="satisfied", voter="cookie:1")
    acceptance_actions.close_item(items["oa"], acting_user=people["olivia"])
    return {"first": first, "second": second}


def test_each_evidence_record_is_linked_to_the_one_before(campaign, chained):
    links = list(ChainLink.objects.filter(campaign=campaign).order_by("seq"))
    assert [link.kind for link in links] == [
        "ledger.progressentry",
        "ledger.progressentry",
        "ledger.progressentry",
        "acceptance.acceptance",
        "people.rating",
        "history.historyentry",
    ]
    assert links[0].previous == "0" * 64
    for before, after in itertools.pairwise(links):
        assert after.previous == before.digest
        assert after.digest == chain.link_digest(before.digest, after.canonical)
    assert "需求调研完成" in links[0].canonical
    assert verify(campaign).startswith(f"{campaign.slug}: ok, 6 links")


def test_a_row_altered_with_raw_sql_is_named(campaign, chained):
    entry = chained["first"]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ProgressEntry._meta.db_table} SET percent = 90 WHERE id = %s", [entry.pk])
    said = verify(campaign)
    assert said.startswith("FAILED")
    assert f"first: altered: ledger.progressentry#{entry.pk} (link 1)" in said


def test_a_row_deleted_with_raw_sql_is_named(campaign, chained):
    entry = chained["second"]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ProgressEntry._meta.db_table} WHERE id = %s", [entry.pk])
    said = verify(campaign)
    assert f"first: removed: ledger.progressentry#{entry.pk} (link 2)" in said


def test_a_row_inserted_with_raw_sql_is_named(campaign, items, people, chained):
    table = ProgressEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (item_id, period_label, as_of, percent, done, difficulties, next_steps, source,"
            " author_id, created_at) VALUES (%s, '', '2026-06-01', 100, '补记', '', '', 'web', %s, '2026-06-01 08:00:00')",
            [items["flow"].pk, people["lily"].pk],
        )
    inserted = ProgressEntry.objects.filter(done="补记").get()
    said = verify(campaign)
    assert f"first: inserted: ledger.progressentry#{inserted.pk}" in said


def test_a_rewritten_chain_no_longer_reaches_its_anchor(campaign, chained):
    write_anchor()
    link = ChainLink.objects.get(campaign=campaign, seq=6)
    assert verify(campaign).startswith(f"{campaign.slug}: ok")
    # Someone with database access recomputes the last link after changing the closing's note.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ChainLink._meta.db_table} SET digest = %s WHERE id = %s", ["f" * 64, link.pk])
        cursor.execute("UPDATE audit_chainhead SET digest = %s WHERE campaign_id = %s", ["f" * 64, campaign.pk])
    said = verify(campaign)
    assert "broken" in said and "anchor" in said


def test_the_anchor_is_written_once_a_day_and_printed_for_the_digest(campaign, chained):
    first = write_anchor()
    again = write_anchor()
    assert first.pk == again.pk
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ANCHOR).count() == 1
    seq, digest = chain.head_of(campaign)
    assert first.detail["heads"][campaign.slug] == {"seq": seq, "digest": digest}
    assert digest in anchor_line(campaign)


def test_bulk_progress_chains_in_one_go(campaign, items, people):
    lily = people["lily"]
    reports = [NewProgress(items["oa"], 10 + i, f"第{i}次") for i in range(20)]
    ledger_actions.add_progress_many(campaign=campaign, reports=reports, acting_user=lily)
    assert ChainLink.objects.filter(campaign=campaign).count() == 20
    assert verify(campaign).startswith(f"{campaign.slug}: ok, 20 links")


def test_links_cannot_be_changed_or_deleted_through_the_orm(campaign, chained):
    link = ChainLink.objects.filter(campaign=campaign).first()
    with pytest.raises(PermissionDenied):
        ChainLink.objects.filter(pk=link.pk).update(digest="x")
    with pytest.raises(PermissionDenied):
        link.delete()
    link.digest = "x"
    with pytest.raises(PermissionDenied):
        link.save()


def test_existing_records_are_chained_once_by_the_command(campaign, chained):
    with connection.cursor() as cursor:  # a database from before the chain: records, no links
        cursor.execute("DELETE FROM audit_chainlink")
        cursor.execute("DELETE FROM audit_chainhead")
    assert verify(campaign).startswith("FAILED")
    assert chain_existing(campaign) == 6
    assert chain_existing(campaign) == 0
    assert verify(campaign).startswith(f"{campaign.slug}: ok, 6 links")
