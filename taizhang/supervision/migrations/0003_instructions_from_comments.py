"""Leaders' instructions (批示) kept as comments of kind "instruction" become Instruction rows.

Each keeps its leader, text and time; the owner unit is the item's; the answer is due the campaign's
``instruction_days`` after it was given. None was ever answered, so each starts 待答复 (pending), which
keeps the item one light higher, as the comment did. The comments stay (nothing is deleted); the item
page lists them as instructions, not as comments.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    Comment = apps.get_model("ledger", "Comment")
    Instruction = apps.get_model("supervision", "Instruction")
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    done = set(Instruction.objects.values_list("item_id", "leader_id", "given_at"))
    rows = []
    for comment in Comment.objects.filter(kind="instruction").select_related("item__campaign").iterator():
        item = comment.item
        if (item.pk, comment.author_id, comment.created_at) in done:
            continue
        given_on = comment.created_at.astimezone(zone).date()
        rows.append(
            Instruction(
                campaign_id=item.campaign_id,
                unit_id=item.owner_unit_id,
                item_id=item.pk,
                leader_id=comment.author_id,
                text=comment.body,
                given_at=comment.created_at,
                respond_by=given_on + datetime.timedelta(days=item.campaign.instruction_days),
                state="pending",
            )
        )
    Instruction.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_responsibilities_instructions_visits"),
        ("ledger", "0009_partial_indexes_for_sparse_links"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
