"""Acceptance, its evidence and look-backs move here from the people app: in Django's state only.

Their tables stay as the people app made them (``people_acceptance``, ``people_acceptanceattachment``,
``people_lookback``; each model names its ``db_table``), so no row is copied or lost. The content types
follow (admin log entries and permissions keep pointing at the same rows).
"""

import django.db.models.deletion
import taizhang.acceptance.models
from django.conf import settings
from django.db import migrations, models

MODELS = ("acceptance", "acceptanceattachment", "lookback")


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types(apps, schema_editor):
    _relabel(apps, "people", "acceptance")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, "acceptance", "people")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('people', '0001_initial'),
        ('ledger', '0003_milestone'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='Acceptance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checked_on', models.DateField(verbose_name='date of acceptance')),
                ('checkers', models.CharField(max_length=300, verbose_name='checkers')),
                ('result', models.CharField(choices=[('passed', 'passed'), ('returned', 'returned for rework')], max_length=20, verbose_name='result')),
                ('reasons', models.TextField(blank=True, verbose_name='reasons for returning')),
                ('statement', models.TextField(blank=True, verbose_name='closing statement')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='acceptances', to='ledger.item', verbose_name='item')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
            ],
            options={
                'verbose_name': 'acceptance',
                'verbose_name_plural': 'acceptances',
                'db_table': 'people_acceptance',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='AcceptanceAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='file name')),
                ('size', models.PositiveIntegerField(verbose_name='size')),
                ('file', models.FileField(max_length=300, upload_to=taizhang.acceptance.models.acceptance_path, verbose_name='file')),
                ('acceptance', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='acceptance.acceptance')),
            ],
            options={
                'verbose_name': 'evidence',
                'verbose_name_plural': 'evidence',
                'db_table': 'people_acceptanceattachment',
                'ordering': ['id'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='LookBack',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due_on', models.DateField(verbose_name='due on')),
                ('done_on', models.DateField(blank=True, null=True, verbose_name='done on')),
                ('holds', models.BooleanField(null=True, verbose_name='the result holds')),
                ('result', models.TextField(blank=True, verbose_name='result')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lookbacks', to='ledger.item', verbose_name='item')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'look-back',
                'verbose_name_plural': 'look-backs',
                'db_table': 'people_lookback',
                'ordering': ['due_on', 'id'],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
