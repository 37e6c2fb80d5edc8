"""Recording changes: every audited write calls :func:`record` inside its transaction."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import HistoryEntry


def display_value(instance: models.Model, field: models.Field) -> str:
    """A field's value as a person reads it (choice labels, related names, dates)."""
    if field.many_to_many:
        if instance.pk is None:
            return ""
        return "、".join(str(obj) for obj in getattr(instance, field.name).all())
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    value = getattr(instance, field.name)
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, str]:
    """Field name → display value, taken before a change to compare after it."""
    meta = instance._meta
    return {name: display_value(instance, meta.get_field(name)) for name in fields}


def diff(instance: models.Model, before: dict[str, str]) -> list[dict[str, str]]:
    """The fields whose display value differs from ``before``."""
    meta = instance._meta
    after = snapshot(instance, before.keys())
    return [
        {"field": name, "label": str(meta.get_field(name).verbose_name), "old": before[name], "new": after[name]}
        for name in before
        if before[name] != after[name]
    ]


def record(
    subject: models.Model,
    action: str,
    *,
    actor=None,
    changes: list[dict[str, str]] | None = None,
    note: str = "",
    campaign=None,
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        campaign=campaign,
        action=action,
        changes=changes or [],
        note=note,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def history_for(subject: models.Model):
    return HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
    ).select_related("actor")
