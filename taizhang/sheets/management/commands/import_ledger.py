"""Import a ledger (台账) into a campaign: ``python manage.py import_ledger FILE --campaign SLUG``.

Reads the first sheet that has a recognisable header, understands the rows
(see ``taizhang.sheets.ledger_import``), and writes everything or nothing.
``--dry-run`` only reports; ``--json`` prints one JSON object; ``--generate-codes`` gives new items
without a code one (else they block the import, as on the preview page); exit status 1
when the file has errors, new items without codes, or unit names no unit has (listed once each, with their rows and the closest
units; the command never learns a name by itself: the office places it on the preview page). Items, a new campaign (``--create-campaign``) and their history are
written as the command line's system actor (命令行导入（root）), granted the office's rights.
"""

import datetime
import json
import re
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from taizhang.campaigns.actions import create_campaign
from taizhang.campaigns.models import Campaign
from taizhang.lib.xlsxread import SpreadsheetError, read_workbook
from taizhang.orgs.actions import system_actor
from taizhang.sheets.actions import apply_ledger_plan
from taizhang.sheets.ledger_import import build_plan, find_layout


class Command(BaseCommand):
    help = "Import a ledger (xlsx/xls/csv) into a campaign; all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True, help="the campaign's short code (slug)")
        parser.add_argument("--create-campaign", action="store_true", help="create the campaign when it does not exist")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen, write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--generate-codes",
            action="store_true",
            help="give new items without a code one (a prefix per responsible unit: HQ-001); without it they are errors",
        )

        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help="the day of the progress the sheet reports (YYYY-MM-DD); default the day it says (截至…), else today",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            workbook = read_workbook(path.read_bytes(), path.name)
        except SpreadsheetError as error:
            return self._fail(options, str(error))
        sheet = next(
            (s for s in workbook.sheets if not s.hidden and find_layout(s.rows, s.hidden_columns) is not None),
            workbook.sheets[0] if workbook.sheets else None,
        )
        if sheet is None:
            return self._fail(options, "the file has no sheet")
        with transaction.atomic():
            actor = system_actor("cli")
            campaign = Campaign.objects.filter(slug=options["campaign"]).first()
            if campaign is None:
                if not options["create_campaign"]:
                    raise CommandError(f"no campaign {options['campaign']!r} (use --create-campaign)")
                year = _year_in(sheet.rows) or timezone.localdate().year
                try:
                    campaign = create_campaign(
                        data={
                            "slug": options["campaign"],
                            "name": f"{year}年“我为群众办实事”",
                            "starts_on": datetime.date(year, 1, 1),
                            "ends_on": datetime.date(year, 12, 31),
                        },
                        acting_user=actor,
                    )
                except ValidationError as error:
                    raise CommandError("; ".join(error.messages)) from error
            plan = build_plan(
                sheet.rows,
                campaign,
                hidden=sheet.hidden_columns,
                options={
                    "generate_codes": options["generate_codes"],
                    "as_of": options["as_of"].isoformat() if options["as_of"] else None,
                },
            )
            if not plan.blocked and not options["dry_run"]:
                apply_ledger_plan(campaign, plan, acting_user=actor)
            else:
                transaction.set_rollback(True)  # a dry run, or errors: not even a new campaign stays
        result = plan.as_json()
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            for error in plan.errors:
                self.stderr.write(f"row {error['row']} {error['column']}: {error['message']}")
            for name in result["unresolved"]:
                rows = ", ".join(str(r) for r in name["rows"])
                candidates = "、".join(c["name"] for c in name["candidates"]) or "-"
                self.stderr.write(f"{name['problem']} unit “{name['name']}” (rows {rows}); candidates: {candidates}")
            if plan.codes_missing:
                self.stderr.write(
                    f"{plan.codes_missing} new items have no code: map a code column (编号) or pass --generate-codes"
                )
            if options["verbosity"] >= 1:
                for row in plan.rows:
                    if row["action"] == "update":
                        changes = "; ".join(f"{c['label']}: {c['old']} → {c['new']}" for c in row["changes"])
                        self.stdout.write(f"row {row['row']} {row['code']} {row['title']}: {changes}")
            verb = "would import" if options["dry_run"] else "imported"
            if plan.blocked:
                verb = "nothing imported"
            self.stdout.write(
                f"{verb}: created {result['created']}, updated {result['updated']}, "
                f"unchanged {result['unchanged']}, skipped {len(result['skipped'])}, errors {len(result['errors'])}, "
                f"unit names to place {len(result['unresolved'])}"
            )
        if plan.blocked:
            sys.exit(1)

    def _fail(self, options, message: str):
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "created": 0,
                        "updated": 0,
                        "unchanged": 0,
                        "skipped": [],
                        "errors": [{"row": 0, "column": "", "message": message}],
                        "unresolved": [],
                        "items": [],
                    },
                    ensure_ascii=False,
                )
            )
            sys.exit(1)
        raise CommandError(message)


def _year_in(rows) -> int | None:
    for row in rows[:5]:
        for cell in row:
            if m := re.search(r"(20\d{2})\s*年", str(cell or "")):
                return int(m[1])
    return None
