"""What assessment hands out: the scheme as xlsx (and back), the circular (考核结果通报) as .docx and PDF,
every score with its facts as xlsx, a unit's score sheet, the year-end export and the nominations."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from taizhang.lib import documents, xlsxread
from taizhang.lib.xlsx import write_table

from . import actions, rules
from .models import FactKind, Grade, ItemScore, Nomination, PenaltyAction, Rule, SchemeItem, ScoringRun, UnitScore
from .queries import run_facts

# The offices' table: 序号 | 考核项目 | 分值 | 考核内容 | 评分标准 | 考核方法 | 责任部门 (+ the rule, to come back).
SCHEME_HEADERS = ["序号", "考核项目", "分值", "考核内容", "评分标准", "考核方法", "责任部门", "规则", "参数"]


def scheme_xlsx(scheme) -> bytes:
    rows = []
    number = 0
    for section in scheme.sections.prefetch_related("items__rule").order_by("order", "pk"):
        rows.append(["", section.title, "", "", "", "", "", "", ""])
        for item in section.items.all():
            number += 1
            params = ";".join(f"{k}={v}" for k, v in sorted(item.rule.params.items()))
            rows.append(
                [
                    number,
                    item.title,
                    item.points,
                    item.content,
                    item.standard,
                    item.method,
                    item.department,
                    item.rule.kind,
                    params,
                ]
            )
    return write_table(
        sheet_name=scheme.name[:31],
        title=f"{scheme.name} v{scheme.version}",
        headers=SCHEME_HEADERS,
        widths=[6, 24, 8, 30, 40, 12, 14, 14, 20],
        rows=rows,
    )


def _header_row(rows: list[list]) -> int:
    for n, row in enumerate(rows[:10]):
        cells = [str(c or "").strip() for c in row]
        if "考核项目" in cells and "分值" in cells:
            return n
    raise ValidationError(_("The sheet has no header row with 考核项目 and 分值."))


@transaction.atomic
def import_scheme(campaign, *, data: bytes, filename: str, unit_kind: str, name: str, acting_user):
    """A scheme from the offices' xlsx: a row with only 考核项目 opens a section; a row with 分值 is an item.

    Items without a known 规则 are manual. Every row is checked through the same actions; one bad row refuses
    the whole file (nothing written) with its row number."""
    try:
        book = xlsxread.read_workbook(data, filename)
    except xlsxread.SpreadsheetError as error:
        raise ValidationError(str(error)) from error
    rows = next((s.rows for s in book.sheets if not s.hidden), [])
    head = _header_row(rows)
    columns = {str(c or "").strip(): n for n, c in enumerate(rows[head])}

    def cell(row, header):
        n = columns.get(header)
        return "" if n is None or n >= len(row) or row[n] is None else str(row[n]).strip()

    scheme = actions.create_scheme(campaign, data={"unit_kind": unit_kind, "name": name}, acting_user=acting_user)
    section = None
    total = Decimal(0)
    pending = []
    for number, row in enumerate(rows[head + 1 :], start=head + 2):
        title, points = cell(row, "考核项目"), cell(row, "分值")
        if not title and not points:
            continue
        if not points:
            pending.append(("section", number, title, None))
            continue
        kind = cell(row, "规则") or Rule.Kind.MANUAL
        if kind not in Rule.Kind.values:
            kind = Rule.Kind.MANUAL
        params = dict(p.split("=", 1) for p in cell(row, "参数").split(";") if "=" in p)
        item = {
            "title": title,
            "points": points,
            "content": cell(row, "考核内容"),
            "standard": cell(row, "评分标准"),
            "method": cell(row, "考核方法"),
            "department": cell(row, "责任部门"),
            "kind": kind,
            "params": params,
        }
        total += rules.dec(points)
        pending.append(("item", number, title, item))
    if not any(kind == "item" for kind, *_rest in pending):
        raise ValidationError(_("The sheet has no items with points."))
    if total > scheme.total:
        actions.update_scheme(scheme, data={"total": total}, acting_user=acting_user)
        scheme.refresh_from_db()
    for kind, number, title, item in pending:
        try:
            if kind == "section":
                section = actions.add_section(scheme, title=title, acting_user=acting_user)
                continue
            if section is None:
                section = actions.add_section(scheme, title=_("Items"), acting_user=acting_user)
            actions.add_item(section, data=item, acting_user=acting_user)
        except ValidationError as error:
            raise ValidationError(
                _("Row %(row)s: %(error)s") % {"row": number, "error": " ".join(error.messages)}
            ) from error
    return scheme


# Circular -----------------------------------------------------------------------------------------


def results(run: ScoringRun) -> list[UnitScore]:
    return list(UnitScore.objects.filter(run=run).select_related("unit").order_by("rank", "unit__path"))


def circular_data(run: ScoringRun) -> dict:
    scores = results(run)
    grades = {g.value: 0 for g in Grade}
    for s in scores:
        grades[s.grade] = grades.get(s.grade, 0) + 1
    items = list(run.scheme.items.order_by("section__order", "order", "pk"))
    # Main problems: the items where units lost most (points below the maximum, summed), and the facts' kinds.
    lost = []
    for item in items:
        agg = ItemScore.objects.filter(unit_score__run=run, scheme_item=item)
        n = agg.count()
        if not n:
            continue
        kept = sum((s for s in agg.values_list("points", flat=True)), Decimal(0))
        average = kept / n
        if average < item.points:
            lost.append((item, rules.dec(average)))
    lost.sort(key=lambda pair: pair[1] - pair[0].points)
    from taizhang.ledger.models import Item, Status

    late_items = list(
        Item.objects.filter(
            campaign=run.campaign,
            owner_unit_id__in=[s.unit_id for s in scores],
            due__lt=run.ends_on,
            due__gte=run.starts_on,
        )
        .exclude(status__in=(Status.COMPLETED, Status.CLOSED, Status.WITHDRAWN))
        .select_related("owner_unit")
        .order_by("due", "code")[:200]
    )
    return {
        "run": run,
        "scores": scores,
        "grades": [(Grade(g).label, n) for g, n in grades.items()],
        "problems": lost[:5],
        "late_items": late_items,
        "tie_rule": tie_rule(),
    }


def tie_rule() -> str:
    return _(
        "Equal scores are ranked by their automatic points (facts before judgement); still equal, they share the "
        "rank and are listed in the order of the org tree."
    )


def circular_docx(run: ScoringRun) -> bytes:
    data = circular_data(run)
    rows = [[s.rank, s.unit.name, rules.fmt(s.total), s.get_grade_display()] for s in data["scores"]]
    blocks = [
        {
            "paragraph": _(
                "The results of the assessment %(label)s (%(start)s to %(end)s, data as of %(cutoff)s) are "
                "circulated as follows."
            )
            % {
                "label": run.label,
                "start": run.starts_on.isoformat(),
                "end": run.ends_on.isoformat(),
                "cutoff": run.cutoff.strftime("%Y-%m-%d %H:%M"),
            }
        },
        {"heading": _("Results and ranking")},
        {"table": {"headers": [_("Rank"), _("Unit"), _("Score"), _("Grade")], "rows": rows, "widths_cm": [2, 8, 3, 3]}},
        {"paragraph": tie_rule()},
        {"heading": _("Grades")},
        {"paragraph": "；".join(f"{label} {n}" for label, n in data["grades"])},
        {"heading": _("Main problems")},
    ]
    for item, average in data["problems"]:
        blocks.append(
            {
                "paragraph": _("%(item)s: %(avg)s of %(max)s points on average.")
                % {"item": item.title, "avg": rules.fmt(average), "max": rules.fmt(item.points)}
            }
        )
    if not data["problems"]:
        blocks.append({"paragraph": _("No item lost points.")})
    blocks += [
        {"heading": _("Annex: items behind their deadline")},
        {
            "table": {
                "headers": [_("Code"), _("Item"), _("Unit"), _("Deadline"), _("Progress")],
                "rows": [
                    [i.code, i.title, i.owner_unit.name, i.due.isoformat(), f"{i.percent}%"] for i in data["late_items"]
                ]
                or [["—", "", "", "", ""]],
                "widths_cm": [2.5, 6, 4, 2.5, 2],
            }
        },
    ]
    signature = [_("Campaign office")]
    if run.frozen_at:
        signature.append(run.frozen_at.date().isoformat())
    return documents.render_docx(
        {
            "title": _("Circular on the assessment results"),
            "subtitle": run.label,
            "blocks": blocks,
            "signature": signature,
        }
    )


def circular_pdf(run: ScoringRun) -> bytes:
    return documents.render_pdf(
        "assessment/circular_document.html", {**circular_data(run), "title": _("Circular on the assessment results")}
    )


def unit_sheet_pdf(run: ScoringRun, unit_score: UnitScore) -> bytes:
    scores = unit_item_scores(unit_score)
    return documents.render_pdf(
        "assessment/unit_sheet_document.html",
        {"run": run, "unit_score": unit_score, "scores": scores, "title": _("Assessment score sheet")},
    )


def unit_item_scores(unit_score: UnitScore):
    return list(
        ItemScore.objects.filter(unit_score=unit_score)
        .select_related("scheme_item__section")
        .order_by("scheme_item__section__order", "scheme_item__order", "scheme_item_id")
    )


# Spreadsheets ------------------------------------------------------------------------------------------


def fact_url(campaign, kind: str, object_id, unit_id: int) -> str:
    """The page of the object behind a fact (empty for a figure or a week)."""
    if object_id is None:
        return ""
    slug = campaign.slug
    if kind == FactKind.ITEM:
        return reverse("ledger:item_detail", args=[slug, object_id])
    if kind == FactKind.REPORT:
        return reverse("reporting:report_detail", args=[slug, object_id, unit_id])
    if kind == FactKind.CHASE:
        return reverse("supervision:notice_detail", args=[slug, object_id])
    if kind == FactKind.PRACTICE:
        return reverse("bulletins:practice_detail", args=[slug, object_id])
    if kind == FactKind.ACTIVITY:
        return reverse("study:activity_detail", args=[slug, object_id])
    if kind == FactKind.BULLETIN:
        return reverse("bulletins:bulletin_detail", args=[slug, object_id])
    if kind == FactKind.MATERIAL:
        return reverse("study:material_detail", args=[slug, object_id])
    model = rules.model_for(rules.Kind.FINDINGS if kind == FactKind.FINDING else rules.Kind.INSTRUCTION_LATE)
    if model is None:
        return ""
    obj = model.objects.filter(pk=object_id).first()
    return obj.get_absolute_url() if obj is not None else ""


def scores_xlsx(run: ScoringRun) -> bytes:
    """Every unit's points on every item, then each fact behind them."""
    items = {i.pk: i for i in run.scheme.items.all()}
    units = {s.unit_id: s.unit.name for s in results(run)}
    rows = []
    for unit_id, item_id, points, computed, adjusted in (
        ItemScore.objects.filter(unit_score__run=run)
        .order_by("unit_score__rank", "unit_score__unit__path", "scheme_item__section__order", "scheme_item__order")
        .values_list("unit_score__unit_id", "scheme_item_id", "points", "computed", "adjusted")
    ):
        rows.append([units[unit_id], items[item_id].title, points, computed, adjusted, "", "", ""])
    facts = [
        [
            units[u],
            items[i].title,
            fact.points,
            "",
            "",
            fact.kind_label,
            fact.label,
            fact_url(run.campaign, fact.kind, fact.object_id, u) if fact.kind != FactKind.FINDING else "",
        ]
        for u, i, fact in run_facts(run)
    ]
    return write_table(
        sheet_name=_("Scores"),
        title=f"{run.scheme.name} {run.label}",
        headers=[
            _("Unit"),
            _("Assessment item"),
            _("Points"),
            _("Points by the rule"),
            _("Approved adjustments"),
            _("Fact"),
            _("What"),
            _("Link"),
        ],
        widths=[24, 24, 8, 10, 10, 10, 40, 30],
        rows=rows + facts,
    )


YEAR_END_FIELDS = ("unit", "kind", "person", "responsibility", "total", "automatic", "rank", "grade", "notes")
DEFAULT_COLUMNS = "单位=unit\n责任人=person\n责任=responsibility\n考核得分=total\n排名=rank\n等次=grade\n备注=notes"


def year_end_columns(scheme) -> list[tuple[str, str]]:
    columns = []
    for line in (scheme.export_columns or DEFAULT_COLUMNS).splitlines():
        header, _sep, field = line.partition("=")
        if header.strip() and field.strip() in YEAR_END_FIELDS:
            columns.append((header.strip(), field.strip()))
    return columns or year_end_columns_default()


def year_end_columns_default():
    return [tuple(line.split("=")) for line in DEFAULT_COLUMNS.splitlines()]


def year_end_xlsx(run: ScoringRun) -> bytes:
    """One row per unit in the layout the office set on the scheme (表头=field lines)."""
    columns = year_end_columns(run.scheme)
    nominations = {}
    for unit_id, award in Nomination.objects.filter(run=run).values_list("unit_id", "award"):
        nominations.setdefault(unit_id, []).append(award)
    penalties = {}
    for p in PenaltyAction.objects.filter(run=run):
        penalties.setdefault(p.unit_id, []).append(p.get_kind_display())
    scores = results(run)
    people = leaders_by_unit(run.campaign, [s.unit_id for s in scores])
    rows = []
    for s in scores:
        values = {
            "unit": s.unit.name,
            "kind": s.unit.get_kind_display(),
            "person": "",
            "responsibility": "",
            "total": s.total,
            "automatic": s.automatic,
            "rank": s.rank,
            "grade": s.get_grade_display(),
            "notes": "；".join(nominations.get(s.unit_id, []) + penalties.get(s.unit_id, [])),
        }
        rows.append([values[field] for _header, field in columns])
        # Then a row per person holding responsibilities for the unit: the leader's appraisal takes the unit's
        # result for the duties assigned to them.
        for person, duties in people.get(s.unit_id, []):
            rows.append([{**values, "person": person, "responsibility": "、".join(duties)}[f] for _h, f in columns])
    return write_table(
        sheet_name=_("Year end"),
        title=f"{run.campaign.name} {run.label}",
        headers=[h for h, _f in columns],
        widths=[20] * len(columns),
        rows=rows,
    )


def leaders_by_unit(campaign, unit_ids) -> dict[int, list[tuple[str, list[str]]]]:
    """Unit id → [(person, [responsibilities])] for the people assigned responsibilities at that unit itself
    (not those it inherits from above: a group leader would otherwise stand on every unit's rows)."""
    from taizhang.supervision.models import Responsibility
    from taizhang.supervision.queries import responsibility_holders

    found: dict[int, list[tuple[str, list[str]]]] = {}
    for unit_id, kinds in responsibility_holders(campaign, unit_ids).items():
        duties: dict[str, list[str]] = {}
        for kind, holders in kinds.items():
            for holder in holders:
                if holder.inherited or not (holder.holder_user_id or holder.holder_name):
                    continue
                duties.setdefault(holder.label, []).append(str(Responsibility(kind).label))
        if duties:
            found[unit_id] = sorted(duties.items())
    return found


def nominations_xlsx(run: ScoringRun) -> bytes:
    rows = [[n.unit.name, n.award, n.reason] for n in Nomination.objects.filter(run=run).select_related("unit")]
    return write_table(
        sheet_name=_("Nominations"),
        title=f"{run.scheme.name} {run.label}",
        headers=[_("Unit"), _("Award"), _("Reason")],
        widths=[24, 16, 40],
        rows=rows,
    )


def item_title(item: SchemeItem) -> str:
    return item.title
