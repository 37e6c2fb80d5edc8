"""Import the org tree from an xlsx or csv file: ``python manage.py import_units FILE``.

Columns ``name, short_name, aliases, parent, kind`` (or 名称/简称/别名/上级单位/类型);
aliases separated by ``;`` or ``、``; parents by name, in any row order. A unit
already under the same parent with the same name is updated, never duplicated.
History names the writer as the command line and the operating-system account (命令行导入（root）).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taizhang.lib.xlsxread import SpreadsheetError, read_workbook
from taizhang.orgs.actions import system_actor
from taizhang.sheets.units_import import UnitImportError, import_units


class Command(BaseCommand):
    help = "Import units (name, short_name, aliases, parent, kind) from an xlsx or csv file."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            workbook = read_workbook(path.read_bytes(), path.name)
        except SpreadsheetError as error:
            raise CommandError(str(error)) from error
        rows = workbook.sheets[0].rows if workbook.sheets else []
        try:
            result = import_units(rows, acting_user=system_actor("cli"))
        except UnitImportError as error:
            for e in error.errors:
                self.stderr.write(f"row {e['row']}: {e['message']}")
            raise CommandError("nothing imported") from error
        self.stdout.write(f"created {result['created']}, updated {result['updated']}, unchanged {result['unchanged']}")
