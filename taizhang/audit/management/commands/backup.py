"""Back up the database and the uploaded files: ``manage.py backup [--to DIR]`` (``make backup``)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from taizhang.audit import backups
from taizhang.audit.log import record_event
from taizhang.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Write a backup (database, media, manifest) into a new directory under --to (default var/backups)."

    def add_arguments(self, parser):
        parser.add_argument("--to", default=str(Path(settings.VAR_DIR) / "backups"))

    def handle(self, *args, to, **options):
        folder = backups.backup(Path(to))
        record_event(AuditEvent.Kind.ADMIN, f"backup {folder.name}", username="manage.py backup")
        self.stdout.write(str(folder))
