"""A person's own data: find everything stored about one member of the public, export it, anonymise it.

The apps that keep such data (people: problems and ratings) register a provider when they load;
this app asks them, writes the export and records each export and each erasure in the audit log.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .log import record_event
from .models import AuditEvent


@dataclass
class Provider:
    """One app's part: ``find(query, campaigns) -> [records]`` and ``anonymise(query, campaigns, acting_user) -> n``."""

    name: str
    find: Callable[[str, object], list[dict]]
    anonymise: Callable[..., int]


PROVIDERS: dict[str, Provider] = {}


def register(name: str, *, find: Callable, anonymise: Callable) -> None:
    PROVIDERS[name] = Provider(name=name, find=find, anonymise=anonymise)


def normalise_query(text: str) -> str:
    """A tracking code or a phone number as typed: spaces and dashes out, letters in capitals."""
    return "".join(ch for ch in (text or "").strip() if ch not in " -").upper()[:40]


def find(query: str, campaigns) -> dict[str, list[dict]]:
    """Provider name → the records about the person (only in ``campaigns``, the asker's)."""
    query = normalise_query(query)
    if not query:
        return {}
    return {name: rows for name, provider in PROVIDERS.items() if (rows := provider.find(query, campaigns))}


def export(query: str, campaigns, *, acting_user) -> bytes:
    """Everything found, as one JSON document; the export itself is in the audit log."""
    found = find(query, campaigns)
    record_event(
        AuditEvent.Kind.PERSONAL,
        f"export {normalise_query(query)}",
        actor=acting_user,
        detail={"records": {name: len(rows) for name, rows in found.items()}},
    )
    document = {"query": normalise_query(query), "exported_at": timezone.now().isoformat(), "data": found}
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()


@transaction.atomic
def anonymise(query: str, campaigns, *, acting_user) -> dict[str, int]:
    """Erase the person's data in every provider; the counts (what the figures count) stay."""
    query = normalise_query(query)
    counts = {
        name: provider.anonymise(query, campaigns, acting_user=acting_user) for name, provider in PROVIDERS.items()
    }
    record_event(AuditEvent.Kind.PERSONAL, f"anonymise {query}", actor=acting_user, detail={"records": counts})
    return counts
