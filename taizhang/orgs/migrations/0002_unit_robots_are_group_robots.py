"""A unit's robot webhook lives in notices.GroupRobot (kind, signing secret), which is what sends.

The unit's own webhook field was never read; any value in it becomes a group robot, switched off until the
office has checked it (admin: group robots), before the field goes.
"""

from django.db import migrations


def move_webhooks_to_group_robots(apps, schema_editor):
    Unit = apps.get_model("orgs", "Unit")
    GroupRobot = apps.get_model("notices", "GroupRobot")
    for unit in Unit.objects.exclude(webhook_url=""):
        kind = "dingtalk" if "dingtalk" in unit.webhook_url.lower() else "wecom"
        # Switched off: the field was never used, so the office checks the robot (and a DingTalk secret) first.
        GroupRobot.objects.get_or_create(
            unit=unit, webhook_url=unit.webhook_url, defaults={"kind": kind, "is_active": False}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("notices", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_webhooks_to_group_robots, migrations.RunPython.noop),
        migrations.RemoveField(model_name="unit", name="webhook_url"),
    ]
