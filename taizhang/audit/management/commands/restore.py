"""Restore a backup over the configured database and media: ``manage.py restore DIR`` (``make restore FROM=DIR``).

Everything in the database and the media directory is replaced. Run ``verify_ledger`` after it.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from taizhang.audit import backups


class Command(BaseCommand):
    help = "Restore a backup directory (written by manage.py backup) over the database and media."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing everything")

    def handle(self, *args, folder, yes=False, **options):
        folder = Path(folder)
        if not (folder / backups.MANIFEST).exists():
            raise CommandError(f"{folder} is not a backup (no {backups.MANIFEST}).")
        if not yes and input(f"Replace the database and media with {folder.name}? [y/N] ").strip().lower() != "y":
            raise CommandError("Nothing restored.")
        try:
            manifest = backups.restore(folder, db=settings.DATABASES["default"], media_root=Path(settings.MEDIA_ROOT))
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {folder.name} (taken {manifest['created_at']}). Now run: manage.py verify_ledger")
