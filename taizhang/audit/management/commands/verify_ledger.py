"""Recompute every campaign's evidence chain and name the first record altered, inserted or removed.

    manage.py verify_ledger [--campaign SLUG]

Exits with status 1 when a chain does not hold, so a cron job or a backup check can act on it.
"""

from django.core.management.base import BaseCommand, CommandError

from taizhang.audit import chain
from taizhang.audit.anchors import anchors_of
from taizhang.campaigns.models import Campaign


class Command(BaseCommand):
    help = "Verify the evidence chains (all campaigns, or --campaign SLUG)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="the campaign's slug")

    def handle(self, *args, campaign=None, **options):
        campaigns = Campaign.objects.order_by("slug")
        if campaign:
            campaigns = campaigns.filter(slug=campaign)
            if not campaigns.exists():
                raise CommandError(f"No campaign {campaign!r}.")
        failed = 0
        for one in campaigns:
            problems = chain.verify(one, anchors=anchors_of(one))
            seq, digest = chain.head_of(one)
            if problems:
                failed += 1
                self.stdout.write(f"{one.slug}: FAILED, {len(problems)} problem(s); first: {problems[0]}")
                for problem in problems[1:20]:
                    self.stdout.write(f"  {problem}")
            else:
                self.stdout.write(f"{one.slug}: ok, {seq} links, head {digest}")
        if failed:
            raise CommandError(f"{failed} chain(s) do not hold.")
