"""Recording changes: every audited write calls :func:`record` inside its transaction."""

import datetime
import html
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext

from taizhang.lib.rows import copy_rows

from .models import HistoryEntry

# Where one block of rich text ends and the next begins: a space between their words in the history.
BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|div|tr|td|th|blockquote)>|<br\s*/?>", re.IGNORECASE)


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
    if field.name in getattr(instance, "HISTORY_AS_TEXT", ()):
        # Rich text (sanitised HTML) is kept in the history as the words a person reads, not its markup.
        text = BLOCK_END.sub(" ", str(value))
        # Entities (&amp;, &lt;, &nbsp;) become the characters they stand for: the page escapes them once.
        return " ".join(html.unescape(strip_tags(text)).split())
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


class Note(NamedTuple):
    """A history note from one of our messages: its msgid (or ``kind:value``) and its arguments."""

    key: str
    args: dict


def note(msgid: str, **args) -> Note:
    """Mark the msgid for translation where it is written: ``note(gettext_noop("Reopened: %(reason)s"), reason=…)``."""
    return Note(msgid, args)


# Notes that one of our functions words, not gettext: kind → function(value, args) -> str.
_NOTE_KINDS: dict[str, Callable[[str, dict], str]] = {}


def note_kind(kind: str, words: Callable[[str, dict], str]) -> None:
    """Register how notes ``kind:value`` read (the ledger's light reasons: ``light:overdue``, n=12)."""
    _NOTE_KINDS[kind] = words


def render_note(key: str, args: dict) -> str:
    """The note in the active language; empty when it cannot be read (an unknown kind, a changed msgid)."""
    kind, _sep, value = key.partition(":")
    try:
        if kind in _NOTE_KINDS:
            return _NOTE_KINDS[kind](value, args)
        text = gettext(key)
        return text % args if args else text
    except (KeyError, ValueError, TypeError):
        pass
    try:  # a translation whose placeholders went wrong: the message as written is better than nothing
        return key % args if args else key
    except (KeyError, ValueError, TypeError):
        return ""


def note_fields(note: "str | Note") -> dict:
    """The HistoryEntry fields for a note: free text as it is, ours as key, arguments and the site-language text."""
    if not isinstance(note, Note):
        return {"note": note}
    with translation.override(settings.LANGUAGE_CODE):
        text = render_note(note.key, note.args)
    return {"note": text, "note_key": note.key, "note_args": note.args}


def record(
    subject: models.Model,
    action: str,
    *,
    actor=None,
    changes: list[dict[str, str]] | None = None,
    note: "str | Note" = "",
    campaign=None,
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        campaign=campaign,
        action=action,
        changes=changes or [],
        actor=actor if actor is not None and actor.is_authenticated else None,
        **note_fields(note),
    )


def insert_history(common: dict, rows: list[dict], *, using: str = "default") -> int:
    """Many history entries at once: ``common`` holds the values all share, each of ``rows`` the ones that differ.

    Field names as attnames (``content_type_id``, ``object_id``, ``changes`` …); every row has the same keys.
    One COPY (PostgreSQL) or ``executemany`` with the shared values prepared once: at 100,000 entries (an import, a night's
    lights) ``bulk_create``'s work per object, and its RETURNING of ids nobody reads, cost more than the
    inserts themselves.
    """
    if not rows:
        return 0
    connection = connections[using]
    defaults = {
        "campaign_id": None,
        "changes": [],
        "note": "",
        "note_key": "",
        "note_args": {},
        "actor_id": None,
        "at": timezone.now(),
    }
    values = {**defaults, **common}
    fields = [f for f in HistoryEntry._meta.concrete_fields if not f.primary_key]
    varying = [f for f in fields if f.attname in rows[0]]
    shared = {f.attname: f.get_db_prep_save(values[f.attname], connection) for f in fields if f not in varying}
    template = [shared.get(f.attname) for f in fields]
    slots = [(at, f.attname, f) for at, f in enumerate(fields) if f in varying]
    params = []
    for row in rows:
        values = list(template)
        for at, attname, f in slots:
            value = row[attname]
            # An id is its own database value; anything else is prepared as the field says.
            values[at] = value if type(value) is int else f.get_db_prep_save(value, connection)
        params.append(values)
    copy_rows(HistoryEntry._meta.db_table, [f.column for f in fields], params, using=using)
    return len(params)


def history_for(subject: models.Model):
    return HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
    ).select_related("actor")
