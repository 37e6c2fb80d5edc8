"""The evidence chain: each campaign's records of evidence, hashed one after another.

A record of evidence (a progress entry, an acceptance, a rating, a closing, a finding and its
verification, an adjustment, a frozen result, a published bulletin) is appended to its
campaign's chain in the transaction that writes it: the link keeps the record's canonical
content (a stable JSON of its evidence fields, read back from the database) and
``sha256(previous digest + canonical)``. A record that changes by an action (a finding
verified, an adjustment decided) is appended again: its newest link must match it.

The apps that own the records register them here when they load (``register``): this app sits
below them and never imports them. ``verify`` recomputes a chain and names what was altered,
inserted or removed outside the application.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from .models import GENESIS, ChainHead, ChainLink


@dataclass
class Evidence:
    """How one model is chained: its evidence fields, the path to its campaign, which rows count."""

    model: type[models.Model]
    fields: tuple[str, ...]
    campaign_path: str
    when: dict = field(default_factory=dict)
    # More content read from the database for many records at once: {pk: jsonable} (a run's unit scores).
    extra: Callable[[list[int]], dict[int, object]] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def attnames(self) -> list[str]:
        return [self.model._meta.get_field(name).attname for name in self.fields]


REGISTRY: dict[str, Evidence] = {}


def register(
    model: type[models.Model],
    *,
    fields: Iterable[str],
    campaign: str,
    when: dict | None = None,
    extra: Callable[[list[int]], dict[int, object]] | None = None,
) -> None:
    """Chain ``model``'s records: called by the owning app's ``ready()``."""
    spec = Evidence(model=model, fields=tuple(fields), campaign_path=campaign, when=dict(when or {}), extra=extra)
    REGISTRY[spec.label] = spec


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # 5, 5.0 and 5.00 are one number whatever the database hands back.
        return format(value.normalize(), "f") if value else "0"
    return value


def _dumps(content: dict) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def canonical_rows(spec: Evidence, pks: list[int]) -> dict[int, str]:
    """pk → canonical content, read from the database (so the writer and the verifier see the same values)."""
    names = spec.attnames()
    out: dict[int, str] = {}
    for start in range(0, len(pks), 2000):
        chunk = pks[start : start + 2000]
        extra = spec.extra(chunk) if spec.extra else {}
        for row in spec.model._base_manager.filter(pk__in=chunk).values("pk", *names):
            content = {name: _plain(row[name]) for name in names}
            content["id"] = row["pk"]
            content["kind"] = spec.label
            if spec.extra:
                content["extra"] = json.loads(_dumps(extra.get(row["pk"])))
            out[row["pk"]] = _dumps(content)
    return out


def link_digest(previous: str, canonical: str) -> str:
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def _spec_of(record: models.Model) -> Evidence:
    label = record._meta.label_lower
    if label not in REGISTRY:
        raise LookupError(f"{label} is not registered as evidence")
    return REGISTRY[label]


def _lock_head(campaign_id: int) -> ChainHead:
    # get_or_create then lock: the first writer of a campaign creates the head, every writer waits on it.
    ChainHead.objects.get_or_create(campaign_id=campaign_id)
    return ChainHead.objects.select_for_update().get(campaign_id=campaign_id)


def append(campaign, record: models.Model) -> ChainLink:
    """Chain one record (new, or changed by an action) in ``campaign``'s chain, inside the caller's transaction."""
    return append_many(campaign, [record])[0]


def append_many(campaign, records: Iterable[models.Model]) -> list[ChainLink]:
    """Chain many records of one campaign with one lock on its chain head and one insert."""
    records = list(records)
    if not records:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the chain is written in the transaction that writes the record")
    campaign_id = getattr(campaign, "pk", campaign)
    by_kind: dict[str, list[int]] = {}
    for record in records:
        by_kind.setdefault(_spec_of(record).label, []).append(record.pk)
    texts = {label: canonical_rows(REGISTRY[label], pks) for label, pks in by_kind.items()}
    head = _lock_head(campaign_id)
    now = timezone.now()
    links = []
    seq, digest = head.seq, head.digest
    for record in records:
        label = record._meta.label_lower
        canonical = texts[label][record.pk]
        seq += 1
        new = link_digest(digest, canonical)
        links.append(
            ChainLink(
                campaign_id=campaign_id,
                seq=seq,
                kind=label,
                object_id=record.pk,
                canonical=canonical,
                previous=digest,
                digest=new,
                at=now,
            )
        )
        digest = new
    ChainLink.objects.bulk_create(links, batch_size=1000)
    ChainHead.objects.filter(pk=campaign_id).update(seq=seq, digest=digest)
    return links


def heads() -> dict[str, dict]:
    """Every campaign's chain head: slug → {"seq", "digest"} (what the daily anchor writes down)."""
    return {
        slug: {"seq": seq, "digest": digest}
        for slug, seq, digest in ChainHead.objects.order_by("campaign__slug").values_list(
            "campaign__slug", "seq", "digest"
        )
    }


def head_of(campaign) -> tuple[int, str]:
    head = ChainHead.objects.filter(campaign_id=campaign.pk).first()
    return (head.seq, head.digest) if head else (0, GENESIS)


# Verifying -------------------------------------------------------------------------------


@dataclass
class Problem:
    """One thing wrong with a chain, worded for the person running the check."""

    what: str  # "altered", "inserted", "removed", "broken", "anchor"
    kind: str
    object_id: int | None
    seq: int | None
    detail: str = ""

    def __str__(self) -> str:
        where = f"{self.kind}#{self.object_id}" if self.object_id is not None else self.kind
        at = f" (link {self.seq})" if self.seq is not None else ""
        return f"{self.what}: {where}{at}{' — ' + self.detail if self.detail else ''}"


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def verify(campaign, *, anchors: Iterable[dict] = ()) -> list[Problem]:
    """Recompute ``campaign``'s chain against its records; the problems in chain order (empty when intact)."""
    problems: list[Problem] = []
    newest: dict[tuple[str, int], tuple[int, str]] = {}
    expected_seq, digest = 0, GENESIS
    by_seq: dict[int, str] = {}
    anchored = {int(a["seq"]): a["digest"] for a in anchors if a}
    links = ChainLink.objects.filter(campaign_id=campaign.pk).order_by("seq")
    for seq, kind, object_id, canonical, previous, stored in links.values_list(
        "seq", "kind", "object_id", "canonical", "previous", "digest"
    ).iterator(chunk_size=5000):
        expected_seq += 1
        if seq != expected_seq:
            problems.append(Problem("broken", kind, object_id, seq, f"link {expected_seq} is missing"))
            expected_seq = seq
        if previous != digest or link_digest(previous, canonical) != stored:
            problems.append(Problem("broken", kind, object_id, seq, "the link's hash does not follow"))
        digest = stored
        if seq in anchored:
            by_seq[seq] = stored
        newest[(kind, object_id)] = (seq, _short(canonical))
    head_seq, head_digest = head_of(campaign)
    if (head_seq, head_digest) != (expected_seq, digest):
        problems.append(Problem("broken", "head", None, head_seq, "the chain head does not match its last link"))
    for seq, anchored_digest in anchored.items():
        if by_seq.get(seq) != anchored_digest:
            problems.append(Problem("anchor", "anchor", None, seq, "the chain differs from its daily anchor"))
    for label, spec in REGISTRY.items():
        rows = spec.model._base_manager.filter(**{spec.campaign_path: campaign.pk, **spec.when})
        pks = list(rows.order_by("pk").values_list("pk", flat=True))
        current = canonical_rows(spec, pks)
        for pk in pks:
            found = newest.pop((label, pk), None)
            if found is None:
                problems.append(Problem("inserted", label, pk, None, "no link in the chain"))
            elif found[1] != _short(current[pk]):
                problems.append(Problem("altered", label, pk, found[0], "its content differs from its link"))
    for (label, pk), (seq, _digest) in newest.items():
        if label in REGISTRY:
            problems.append(
                Problem("removed", label, pk, seq, "chained, but gone from the database or no longer evidence")
            )
    problems.sort(key=lambda p: (p.seq is None, p.seq or 0, p.object_id or 0))
    return problems
