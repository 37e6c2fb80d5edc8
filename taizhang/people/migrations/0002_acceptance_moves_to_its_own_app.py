"""Acceptance, its evidence and look-backs now belong to ``taizhang.acceptance``: removed from this app's state only.

The tables stay (the acceptance app's models name them), so nothing is dropped.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="acceptanceattachment", name="acceptance"),
                migrations.RemoveField(model_name="lookback", name="item"),
                migrations.RemoveField(model_name="lookback", name="recorded_by"),
                migrations.DeleteModel(name="Acceptance"),
                migrations.DeleteModel(name="AcceptanceAttachment"),
                migrations.DeleteModel(name="LookBack"),
            ],
            database_operations=[],
        ),
    ]
