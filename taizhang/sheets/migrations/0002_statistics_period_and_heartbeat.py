"""A statistics sheet's upload names its ReportingPeriod (one period concept); jobs get a heartbeat."""

import django.db.models.deletion
from django.db import migrations, models


def key_to_period(apps, schema_editor):
    """Old uploads named the ISO week ("2026-W47"); the weekly period with that label is the same week's report."""
    ImportJob = apps.get_model("sheets", "ImportJob")
    ReportingPeriod = apps.get_model("reporting", "ReportingPeriod")
    for job in ImportJob.objects.exclude(period_key=""):
        period = ReportingPeriod.objects.filter(campaign_id=job.campaign_id, kind="weekly", label=job.period_key).first()
        if period is not None:
            ImportJob.objects.filter(pk=job.pk).update(period=period)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_generated_document"),
        ("sheets", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="importjob",
            name="period",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="reporting.reportingperiod",
                verbose_name="period",
            ),
        ),
        migrations.RunPython(key_to_period, migrations.RunPython.noop),
        migrations.RemoveField(model_name="importjob", name="period_key"),
    ]
