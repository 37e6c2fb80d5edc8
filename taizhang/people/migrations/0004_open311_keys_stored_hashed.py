"""Open311 keys are stored as their SHA-256 (like API tokens): existing keys keep working, their text is dropped.

Not reversible to the plain keys (that is the point); going back leaves every key unusable, to be made again.
"""

import hashlib

from django.db import migrations, models

import taizhang.people.models


def hash_keys(apps, schema_editor):
    ApiKey = apps.get_model("people", "ApiKey")
    for key in ApiKey.objects.all().only("pk", "key"):
        ApiKey.objects.filter(pk=key.pk).update(
            key_hash=hashlib.sha256(key.key.encode()).hexdigest(), prefix=key.key[:4]
        )


def unknown_keys(apps, schema_editor):
    ApiKey = apps.get_model("people", "ApiKey")
    for key in ApiKey.objects.all().only("pk"):
        ApiKey.objects.filter(pk=key.pk).update(key=taizhang.people.models.new_api_key())


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_rating_invitations_and_shared_cache"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="prefix",
            field=models.CharField(blank=True, editable=False, max_length=8, verbose_name="starts with"),
        ),
        migrations.AddField(
            model_name="apikey",
            name="key_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(hash_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apikey",
            name="key",
            field=models.CharField(max_length=64, null=True, verbose_name="key"),
        ),
        migrations.RunPython(migrations.RunPython.noop, unknown_keys),
        migrations.RemoveField(
            model_name="apikey",
            name="key",
        ),
        migrations.AlterField(
            model_name="apikey",
            name="key_hash",
            field=models.CharField(
                default=taizhang.people.models._unknown_key_hash, editable=False, max_length=64, unique=True
            ),
        ),
    ]
