"""Chain the evidence written before the chain existed (old databases), once per campaign.

    manage.py chain_ledger [--campaign SLUG] [--dry-run]

A campaign whose chain has started is left alone: a record without a link there was inserted
outside the application, and ``verify_ledger`` reports it rather than this command blessing it.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from taizhang.audit import chain
from taizhang.audit.log import record_event
from taizhang.audit.models import AuditEvent
from taizhang.campaigns.models import Campaign


def chain_existing(campaign) -> int:
    """Append every evidence record of an unchained campaign, oldest first; the number chained (0 if started)."""
    with transaction.atomic():
        chain._lock_head(campaign.pk)
        if chain.head_of(campaign)[0]:
            return 0
        records = []
        for spec in chain.REGISTRY.values():
            rows = spec.model._base_manager.filter(**{spec.campaign_path: campaign.pk, **spec.when}).order_by("pk")
            records += [(spec.label, pk) for pk in rows.values_list("pk", flat=True)]
        # Kinds interleave by nothing older than their ids; one kind after another is as good a fixed order.
        by_label = {}
        for label, pk in records:
            by_label.setdefault(label, []).append(pk)
        for label, pks in by_label.items():
            model = chain.REGISTRY[label].model
            for start in range(0, len(pks), 5000):
                chain.append_many(campaign, [model(pk=pk) for pk in pks[start : start + 5000]])
        if records:
            record_event(
                AuditEvent.Kind.ADMIN,
                f"chain_ledger {campaign.slug}",
                campaign=campaign,
                detail={"chained": len(records)},
            )
        return len(records)


class Command(BaseCommand):
    help = "Chain the existing evidence of campaigns whose chain has not started."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="the campaign's slug")
        parser.add_argument("--dry-run", action="store_true", help="count, write nothing")

    def handle(self, *args, campaign=None, dry_run=False, **options):
        campaigns = Campaign.objects.order_by("slug")
        if campaign:
            campaigns = campaigns.filter(slug=campaign)
        for one in campaigns:
            if dry_run:
                started = chain.head_of(one)[0] > 0
                self.stdout.write(f"{one.slug}: {'already chained' if started else 'would be chained'}")
                continue
            count = chain_existing(one)
            self.stdout.write(f"{one.slug}: {count} records chained" if count else f"{one.slug}: nothing to do")
