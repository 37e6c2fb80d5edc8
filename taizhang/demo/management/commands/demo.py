"""``python manage.py demo``: build the demo campaign, its org tree and one user per role.

What it builds is described in :mod:`taizhang.demo`. It is idempotent:
a second run finds the campaign there, changes nothing and prints the users
table again. All demo users share one password: ``--password``, else the
``DEMO_PASSWORD`` environment variable, else ``taizhang-demo``.
"""

import unicodedata

from django.core.management.base import BaseCommand
from django.db.models import Count

from taizhang.demo.ledger import DemoResult, build_demo, default_password
from taizhang.ledger.models import Item, Light, ProgressEntry, Status
from taizhang.orgs.models import Unit


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Build the demo campaign 2026 (org tree, ~600 items with weekly progress, one user per role). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=None,
            help="Password of the demo users (default: $DEMO_PASSWORD, else taizhang-demo). Existing users keep theirs.",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, password=None, quiet=False, **options):
        result = build_demo(password=password or default_password())
        if quiet:
            return
        campaign = result.campaign
        items = Item.objects.filter(campaign=campaign)
        if result.built:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Built the demo campaign “{campaign.name}” (/c/{campaign.slug}/) in {result.seconds:.1f} s."
                )
            )
        else:
            self.stdout.write(
                f"The demo campaign “{campaign.name}” (/c/{campaign.slug}/) is already there; "
                f"left as it is ({result.seconds:.1f} s)."
            )
            if result.units_created or result.users_created:
                self.stdout.write(
                    f"Added what was missing: {result.units_created} units, {result.users_created} users."
                )
        self._counts(result, items)
        self._users_table(result)

    def _counts(self, result: DemoResult, items) -> None:
        entries = ProgressEntry.objects.filter(item__campaign=result.campaign).count()
        self.stdout.write(f"  units {Unit.objects.count()}, items {items.count()}, progress entries {entries}")
        for label, field, choices in (("status", "status", Status), ("light", "light", Light)):
            counts = dict(items.values_list(field).annotate(n=Count("id")).order_by())
            parts = ", ".join(f"{value} {counts[value]}" for value in choices.values if counts.get(value))
            self.stdout.write(f"  {label}: {parts}")

    def _users_table(self, result: DemoResult) -> None:
        header = ("username", "name", "role", "unit", "password")
        rows = [header, *((u.username, u.name, u.role, u.unit, u.password) for u in result.users)]
        widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write("Demo users:")
        for n, row in enumerate(rows):
            line = "  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(f"  {line}".rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
