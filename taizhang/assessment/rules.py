"""The catalogue of automatic rules: parameters, their check, the plain words, and the computation.

Each rule reads the facts of every unit of a run in a few queries over all units (never one query per
unit) and returns, per unit, the points the rule gives relative to its base and the facts behind them.
A *deduction* rule starts from the item's maximum and takes points away; an *addition* rule starts at
zero; a *rate* rule gives its points directly. The engine clamps the result into [floor, maximum].
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.lib.rows import raw_rows

from .models import FactKind, Rule

Kind = Rule.Kind
Fact = tuple  # (unit_id, kind, object_id, label, points)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass
class Context:
    """What a run scores: the campaign, the units, the range, and the data's cut-off."""

    campaign: object
    unit_ids: set[int]
    starts_on: datetime.date
    ends_on: datetime.date
    cutoff: datetime.datetime
    # The rows a rule reads, by what they are: a scheme lists the same rule with other parameters (on-time
    # completions at 1, 0.5 and 2 points), and the facts are the same, so they are read once per run.
    read: dict = field(default_factory=dict, repr=False)

    def once(self, key, fetch):
        """``fetch()`` the first time ``key`` is asked for in this run, the same rows after."""
        if key not in self.read:
            self.read[key] = fetch()
        return self.read[key]

    @property
    def cutoff_date(self) -> datetime.date:
        return timezone.localtime(self.cutoff).date()

    @property
    def last_day(self) -> datetime.date:
        """The last day whose facts count: the range's end, or the cut-off when the range is not over."""
        return min(self.ends_on, self.cutoff_date)

    def aware(self, day: datetime.date, end: bool = False) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
        return timezone.make_aware(moment)


@dataclass
class Result:
    """Per unit: points relative to the rule's base, and the facts behind them.

    A fact is stored as ``[kind, object_id, label, "points"]``. Facts come one by one (``add``), or as a
    *block* of facts that all weigh the same (``add_block``: on-time completions at 1 point each), given as
    their JSON already written without the points (``fact_prefixes``), and read once per run however many
    items use them. A rule uses one way or the other, so each unit's facts keep the order the rule found them.
    """

    raw: dict[int, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    facts: list[Fact] = field(default_factory=list)
    blocks: list[tuple[dict, Decimal]] = field(default_factory=list)
    # Rate rules give their points directly; units missing from ``direct`` get the rule's default.
    direct: dict[int, Decimal] | None = None
    default: Decimal | None = None

    def add(self, unit_id: int, kind: str, object_id, label: str, points: Decimal) -> None:
        self.raw[unit_id] += points
        self.facts.append((unit_id, kind, object_id, label[:300], points))

    def add_block(self, prefixes: dict[int, list[str]], points: Decimal) -> None:
        """Facts of ``points`` each: unit → their JSON prefixes (see ``fact_prefixes``)."""
        self.blocks.append((prefixes, points))
        raw = self.raw
        for unit_id, rows in prefixes.items():
            raw[unit_id] += points * len(rows)

    def stored(self) -> dict[int, tuple[int, str]]:
        """Unit → (how many facts, their JSON as stored in ``ItemFacts.rows``)."""
        out: dict[int, list] = {}
        for unit_id, kind, object_id, label, points in self.facts:
            out.setdefault(unit_id, []).append([kind, object_id, label, str(points)])
        stored = {unit_id: (len(rows), dumps(rows)) for unit_id, rows in out.items()}
        for prefixes, points in self.blocks:
            suffix = f',"{points}"]'
            glue = suffix + ","
            for unit_id, rows in prefixes.items():
                text = glue.join(rows) + suffix
                if unit_id in stored:
                    n, before = stored[unit_id]
                    stored[unit_id] = (n + len(rows), f"{before[:-1]},{text}]")
                else:
                    stored[unit_id] = (len(rows), f"[{text}]")
        return stored


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def fact_prefixes(kind: str, rows) -> dict[int, list[str]]:
    """(unit, object id, label) rows as unit → ``["kind",id,"label"`` (a fact's JSON without its points and
    closing bracket), in the rows' order; made once per run for every item that reads the same rows."""
    grouped: dict[int, list[str]] = {}
    head = dumps(kind)
    for unit_id, object_id, label in rows:
        label = label[:300]
        # What json.dumps(ensure_ascii=False) would write: a label without quotes, backslashes or control
        # characters goes as it is (nearly all of them), the others through json.
        if label.isprintable() and '"' not in label and "\\" not in label:
            label = f'"{label}"'
        else:
            label = dumps(label)
        text = f"[{head},{'null' if object_id is None else int(object_id)},{label}"
        rows_of = grouped.get(unit_id)
        if rows_of is None:
            grouped[unit_id] = [text]
        else:
            rows_of.append(text)
    return grouped


def dec(value) -> Decimal:
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value}) from error


def fmt(value) -> str:
    """A number as people write it: 1, 0.5, 12.25."""
    text = format(Decimal(value).normalize(), "f")
    return text


# Parameters --------------------------------------------------------------------------------------------

# kind → (base, {parameter: (low, high or "max" for the item's maximum, default)})
BASE_ZERO, BASE_MAX, BASE_RATE, BASE_NONE = "zero", "max", "rate", "none"
SPEC = {
    Kind.MANUAL: (BASE_NONE, {}),
    Kind.ON_TIME: (BASE_ZERO, {"per": (0, "max", 1)}),
    Kind.OVERDUE: (BASE_MAX, {"per": (0, "max", 1), "partner_percent": (0, 100, 50)}),
    Kind.RED_WEEKS: (BASE_MAX, {"per": (0, "max", 1)}),
    Kind.REPORT_RATE: (BASE_RATE, {"low": (0, 100, 60), "high": (0, 100, 100)}),
    Kind.REPORTS_MISSED: (BASE_MAX, {"per_missed": (0, "max", 1), "per_returned": (0, "max", 0.5)}),
    Kind.CHASE: (BASE_MAX, {"per_notice": (0, "max", 0.5), "per_late": (0, "max", 1)}),
    Kind.FINDINGS: (BASE_MAX, {"minor": (0, "max", 0.5), "major": (0, "max", 1), "severe": (0, "max", 2)}),
    Kind.RECTIFICATION_LATE: (BASE_MAX, {"per": (0, "max", 1)}),
    Kind.INSTRUCTION_LATE: (BASE_MAX, {"per": (0, "max", 1)}),
    Kind.SATISFACTION: (BASE_RATE, {"low": (0, 100, 80), "high": (0, 100, 95)}),
    Kind.PRACTICES: (BASE_ZERO, {"per": (0, "max", 1)}),
    Kind.STUDY: (BASE_RATE, {}),
    Kind.RED_DAYS: (BASE_MAX, {"per": (0, "max", "0.1")}),
    Kind.BULLETINS: (BASE_ZERO, {"per": (0, "max", 1)}),
    Kind.ATTENDANCE: (BASE_RATE, {"low": (0, 100, 60), "high": (0, 100, 90)}),
    Kind.READING: (BASE_RATE, {"low": (0, 100, 60), "high": (0, 100, 95)}),
}
RATE_KINDS = (Kind.REPORT_RATE, Kind.SATISFACTION, Kind.ATTENDANCE, Kind.READING)
# Rules over models that other apps keep: unavailable (refused, and said so) while the app is not installed.
NEEDS_MODEL = {
    Kind.FINDINGS: "inspections.Finding",
    Kind.RECTIFICATION_LATE: "inspections.Finding",
    Kind.INSTRUCTION_LATE: "supervision.Instruction",
}


def model_for(kind: str):
    """The model a rule reads when it lives in another app, or None when that app or model is not there."""
    label = NEEDS_MODEL.get(kind)
    if label is None:
        return None
    app_label, name = label.split(".")
    if not apps.is_installed(f"taizhang.{app_label}"):
        return None
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def is_available(kind: str) -> bool:
    return kind not in NEEDS_MODEL or model_for(kind) is not None


def base_of(kind: str) -> str:
    return SPEC[kind][0]


def clean_params(kind: str, params: dict | None, maximum: Decimal) -> dict:
    """The parameters checked against their ranges (numbers as strings, so JSON keeps them exact)."""
    if kind not in SPEC:
        raise ValidationError({"kind": _("Choose a rule from the catalogue.")})
    if not is_available(kind):
        raise ValidationError({"kind": _("This rule needs an app that is not installed yet.")})
    params = params or {}
    cleaned = {}
    for name, (low, high, default) in SPEC[kind][1].items():
        raw = params.get(name)
        value = dec(default if raw in (None, "") else raw)
        top = Decimal(maximum) if high == "max" else Decimal(high)
        if value < low or value > top:
            raise ValidationError(
                {
                    "params": _("%(name)s must be between %(low)s and %(high)s.")
                    % {"name": PARAM_LABELS().get(name, name), "low": fmt(low), "high": fmt(top)}
                }
            )
        cleaned[name] = fmt(value)
    if kind in RATE_KINDS and Decimal(cleaned["low"]) >= Decimal(cleaned["high"]):
        raise ValidationError({"params": _("The lower rate must be below the upper rate.")})
    return cleaned


def PARAM_LABELS() -> dict[str, str]:
    return {
        "per": _("points each"),
        "partner_percent": _("share for partner units (%)"),
        "low": _("lower rate (%)"),
        "high": _("upper rate (%)"),
        "per_missed": _("points per report missed"),
        "per_returned": _("points per report returned"),
        "per_notice": _("points per notice received"),
        "per_late": _("points per notice answered late"),
        "minor": _("points per minor finding"),
        "major": _("points per major finding"),
        "severe": _("points per severe finding"),
    }


def describe(kind: str, params: dict, maximum) -> str:
    """The rule in plain words, as the scheme's 评分标准 column says it."""
    p = {k: fmt(v) for k, v in (params or {}).items()}
    p["max"] = fmt(maximum)
    words = {
        Kind.MANUAL: _("Scored by the assessors, at most %(max)s points, with a reason."),
        Kind.ON_TIME: _("%(per)s points for each item completed on time, at most %(max)s points."),
        Kind.OVERDUE: _(
            "%(max)s points, minus %(per)s for each item overdue (partner units %(partner_percent)s%% of it)."
        ),
        Kind.RED_WEEKS: _("%(max)s points, minus %(per)s for each week the unit had a red item."),
        Kind.REPORT_RATE: _(
            "On-time reporting rate: %(high)s%% or more gives %(max)s points, %(low)s%% or less none, linear between."
        ),
        Kind.REPORTS_MISSED: _(
            "%(max)s points, minus %(per_missed)s for each report missed and %(per_returned)s for each returned."
        ),
        Kind.CHASE: _(
            "%(max)s points, minus %(per_notice)s for each chase-up notice received and %(per_late)s more when "
            "answered late."
        ),
        Kind.FINDINGS: _(
            "%(max)s points, minus %(minor)s per minor, %(major)s per major and %(severe)s per severe finding."
        ),
        Kind.RECTIFICATION_LATE: _("%(max)s points, minus %(per)s for each rectification late."),
        Kind.INSTRUCTION_LATE: _("%(max)s points, minus %(per)s for each instruction answered late."),
        Kind.SATISFACTION: _(
            "Satisfaction rate of rated items: %(high)s%% or more gives %(max)s points, %(low)s%% or less none, "
            "linear between; no ratings, full points."
        ),
        Kind.PRACTICES: _("%(per)s points for each good practice published, at most %(max)s points."),
        Kind.STUDY: _(
            "Study activities held against plan: %(max)s points times the share held (no plan: full points when "
            "one was held)."
        ),
        Kind.RED_DAYS: _("%(max)s points, minus %(per)s for each day an item of the unit was red."),
        Kind.BULLETINS: _(
            "%(per)s points for each published bulletin carrying a case of the unit, at most %(max)s points."
        ),
        Kind.ATTENDANCE: _(
            "Attendance rate at the study activities the unit held (present of members expected): %(high)s%% or "
            "more gives %(max)s points, %(low)s%% or less none, linear between; none held, full points."
        ),
        Kind.READING: _(
            "Reading rate of the study materials due in the range (confirmed of members assigned): %(high)s%% or "
            "more gives %(max)s points, %(low)s%% or less none, linear between; nothing assigned, full points."
        ),
    }[kind]
    try:
        return words % p
    except (KeyError, ValueError):
        return str(Rule.Kind(kind).label)


def linear(rate: Decimal, low: Decimal, high: Decimal, maximum: Decimal) -> Decimal:
    if rate >= high:
        return maximum
    if rate <= low:
        return Decimal(0)
    return dec(maximum * (rate - low) / (high - low))


# Computations ------------------------------------------------------------------------------------------


def _item_label(code: str, title: str) -> str:
    return f"{code} {title}"


def on_time(ctx: Context, p: dict, maximum: Decimal) -> Result:
    from taizhang.ledger.models import Item, Status

    per = Decimal(p["per"])
    result = Result()
    query = (
        Item.objects.filter(
            campaign=ctx.campaign,
            owner_unit_id__in=ctx.unit_ids,
            status__in=(Status.COMPLETED, Status.CLOSED),
            completed_on__gte=ctx.starts_on,
            completed_on__lte=ctx.last_day,
            due__isnull=False,
        )
        .filter(completed_on__lte=models_f("due"))
        .order_by("owner_unit_id", "code", "pk")
        .values_list("owner_unit_id", "pk", "code", "title")
    )
    result.add_block(ctx.once(Kind.ON_TIME, lambda: fact_prefixes(FactKind.ITEM, _labelled(raw_rows(query)))), per)
    return result


def _labelled(rows) -> list[tuple]:
    """(unit, item, code, title) rows as (unit, item, label), the label made once for every rule reading them."""
    return [(unit_id, pk, _item_label(code, title)) for unit_id, pk, code, title in rows]


def models_f(name):
    from django.db.models import F

    return F(name)


def overdue(ctx: Context, p: dict, maximum: Decimal) -> Result:
    from taizhang.ledger.models import Item, Status

    per, share = Decimal(p["per"]), Decimal(p["partner_percent"]) / HUNDRED
    late = (
        Item.objects.filter(campaign=ctx.campaign, due__gte=ctx.starts_on, due__lt=ctx.last_day)
        .exclude(status=Status.WITHDRAWN)
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gt=models_f("due")))
    )
    result = Result()
    owned = late.filter(owner_unit_id__in=ctx.unit_ids).order_by("owner_unit_id", "code", "pk")
    result.add_block(
        ctx.once(
            Kind.OVERDUE,
            lambda: fact_prefixes(
                FactKind.ITEM, _labelled(raw_rows(owned.values_list("owner_unit_id", "pk", "code", "title")))
            ),
        ),
        -per,
    )
    if share:
        through = Item.partner_units.through
        partner_points = -dec(per * share)
        partner = _(" (partner)")
        shared = (
            through.objects.filter(item__in=late.values("pk"), unit_id__in=ctx.unit_ids)
            .order_by("unit_id", "item__code", "item_id")
            .values_list("unit_id", "item_id", "item__code", "item__title")
        )
        result.add_block(
            ctx.once(
                (Kind.OVERDUE, "partner"),
                lambda: fact_prefixes(
                    FactKind.ITEM, [(u, i, text + partner) for u, i, text in _labelled(raw_rows(shared))]
                ),
            ),
            partner_points,
        )
    return result


def red_weeks(ctx: Context, p: dict, maximum: Decimal) -> Result:
    from taizhang.ledger.models import Light, LightTally

    per = Decimal(p["per"])
    first_monday = ctx.starts_on - datetime.timedelta(days=ctx.starts_on.weekday())
    result = Result()
    words = _("Week of %(date)s: %(n)s red items")  # translated once, not per row
    query = (
        LightTally.objects.filter(
            campaign=ctx.campaign,
            week__gte=first_monday,
            week__lte=ctx.last_day,
            unit_id__in=ctx.unit_ids,
            light=Light.RED,
            count__gt=0,
        )
        .order_by("unit_id", "week")
        .values_list("unit_id", "week", "count")
    )
    # SQLite gives the week as its ISO text, PostgreSQL as a date: str() of either is the ISO date.
    result.add_block(
        ctx.once(
            Kind.RED_WEEKS,
            lambda: fact_prefixes(
                FactKind.WEEK, [(u, None, words % {"date": str(w), "n": n}) for u, w, n in raw_rows(query)]
            ),
        ),
        -per,
    )
    return result


def _due_periods(ctx: Context):
    """(pk, name) of the weekly periods due in the run, read once per run; the name is what a fact's words
    say (2026年第24周)."""
    return ctx.once("periods", lambda: _read_due_periods(ctx))


def _read_due_periods(ctx: Context):
    from taizhang.lib.periods import period_name
    from taizhang.reporting.models import ReportingPeriod

    keys = (
        ReportingPeriod.objects.filter(
            campaign=ctx.campaign,
            kind=ReportingPeriod.Kind.WEEKLY,
            due_at__gte=ctx.aware(ctx.starts_on),
            due_at__lte=min(ctx.aware(ctx.ends_on, end=True), ctx.cutoff),
        )
        .order_by("due_at")
        .values_list("pk", "label")
    )
    return [(pk, period_name(key, short=True)) for pk, key in keys]


def _report_states(ctx: Context, period_ids: list[int]) -> tuple[set[int], dict]:
    return ctx.once("report_states", lambda: _read_report_states(ctx, period_ids))


def _read_report_states(ctx: Context, period_ids: list[int]) -> tuple[set[int], dict]:
    """The expected units among the run's, and (unit, period) → "on_time" / "late" / "returned" at the cut-off."""
    from taizhang.reporting.models import UnitReport
    from taizhang.reporting.queries import expected_unit_ids

    expected = expected_unit_ids(ctx.campaign) & ctx.unit_ids
    states = {}
    for unit_id, period_id, status, is_late, submitted_at in UnitReport.objects.filter(
        period_id__in=period_ids, unit_id__in=ctx.unit_ids
    ).values_list("unit_id", "period_id", "status", "is_late", "submitted_at"):
        if status == UnitReport.Status.RETURNED:
            states[unit_id, period_id] = "returned"
        elif status in (UnitReport.Status.SUBMITTED, UnitReport.Status.ACCEPTED) and submitted_at <= ctx.cutoff:
            states[unit_id, period_id] = "late" if is_late else "on_time"
    return expected, states


def report_rate(ctx: Context, p: dict, maximum: Decimal) -> Result:
    periods = _due_periods(ctx)
    expected, states = _report_states(ctx, [pk for pk, _label in periods])
    low, high = Decimal(p["low"]), Decimal(p["high"])
    result = Result(direct={}, default=maximum)
    if not periods:
        return result
    words = {"late": _("late"), "returned": _("returned"), None: _("missed")}
    figure = _("On time %(n)s of %(total)s reports: %(rate)s%%")
    for unit_id in sorted(expected):
        on_time_count = 0
        for period_id, label in periods:
            state = states.get((unit_id, period_id))
            if state == "on_time":
                on_time_count += 1
            else:
                result.facts.append((unit_id, FactKind.REPORT, period_id, f"{label} {words[state]}", Decimal(0)))
        rate = dec(HUNDRED * on_time_count / len(periods))
        points = linear(rate, low, high, maximum)
        result.direct[unit_id] = points
        label = figure % {
            "n": on_time_count,
            "total": len(periods),
            "rate": fmt(rate),
        }
        result.facts.append((unit_id, FactKind.FIGURE, None, label, points))
    return result


def reports_missed(ctx: Context, p: dict, maximum: Decimal) -> Result:
    periods = _due_periods(ctx)
    expected, states = _report_states(ctx, [pk for pk, _label in periods])
    missed, returned = Decimal(p["per_missed"]), Decimal(p["per_returned"])
    result = Result()
    returned_words, missed_words = _("returned"), _("missed")
    for unit_id in sorted(expected):
        for period_id, label in periods:
            state = states.get((unit_id, period_id))
            if state == "returned":
                result.add(unit_id, FactKind.REPORT, period_id, f"{label} {returned_words}", -returned)
            elif state is None:
                result.add(unit_id, FactKind.REPORT, period_id, f"{label} {missed_words}", -missed)
    return result


def chase(ctx: Context, p: dict, maximum: Decimal) -> Result:
    from taizhang.supervision.models import ChaseNotice

    per_notice, per_late = Decimal(p["per_notice"]), Decimal(p["per_late"])
    result = Result()
    late_words = " " + _("answered late")
    query = (
        ChaseNotice.objects.filter(
            campaign=ctx.campaign,
            unit_id__in=ctx.unit_ids,
            issued_at__gte=ctx.aware(ctx.starts_on),
            issued_at__lte=min(ctx.aware(ctx.ends_on, end=True), ctx.cutoff),
        )
        .order_by("unit_id", "seq")
        .values_list("unit_id", "pk", "number", "item__code", "required_by", "responded_at")
    )
    for unit_id, pk, number, code, required_by, responded_at in ctx.once(Kind.CHASE, lambda: list(query)):
        answered = responded_at is not None and responded_at <= ctx.cutoff
        late = (answered and timezone.localtime(responded_at).date() > required_by) or (
            not answered and required_by < ctx.cutoff_date
        )
        label = f"{number} {code}" + (late_words if late else "")
        result.add(unit_id, FactKind.CHASE, pk, label, -(per_notice + (per_late if late else 0)))
    return result


def findings(ctx: Context, p: dict, maximum: Decimal) -> Result:
    Finding = model_for(Kind.FINDINGS)
    result = Result()
    query = (
        Finding.objects.filter(
            campaign=ctx.campaign, unit_id__in=ctx.unit_ids, found_on__gte=ctx.starts_on, found_on__lte=ctx.last_day
        )
        .order_by("unit_id", "found_on", "pk")
        .values_list("unit_id", "pk", "severity", "found_on")
    )
    for unit_id, pk, severity, found_on in ctx.once(Kind.FINDINGS, lambda: list(query)):
        points = Decimal(p.get(severity, "0"))
        label = f"{found_on.isoformat()} {severity}"
        result.add(unit_id, FactKind.FINDING, pk, label, -points)
    return result


def rectification_late(ctx: Context, p: dict, maximum: Decimal) -> Result:
    Finding = model_for(Kind.RECTIFICATION_LATE)
    per = Decimal(p["per"])
    result = Result()
    query = (
        Finding.objects.filter(
            campaign=ctx.campaign, unit_id__in=ctx.unit_ids, deadline__gte=ctx.starts_on, deadline__lt=ctx.last_day
        )
        .order_by("unit_id", "deadline", "pk")
        .values_list("unit_id", "pk", "deadline", "verified_at")
    )
    for unit_id, pk, deadline, verified_at in ctx.once(Kind.RECTIFICATION_LATE, lambda: list(query)):
        verified = verified_at is not None and verified_at <= ctx.cutoff
        if verified and timezone.localtime(verified_at).date() <= deadline:
            continue
        label = _("Rectification due %(date)s, late") % {"date": deadline.isoformat()}
        result.add(unit_id, FactKind.FINDING, pk, label, -per)
    return result


def instruction_late(ctx: Context, p: dict, maximum: Decimal) -> Result:
    Instruction = model_for(Kind.INSTRUCTION_LATE)
    per = Decimal(p["per"])
    result = Result()
    query = (
        Instruction.objects.filter(
            campaign=ctx.campaign,
            unit_id__in=ctx.unit_ids,
            respond_by__gte=ctx.starts_on,
            respond_by__lt=ctx.last_day,
        )
        .order_by("unit_id", "respond_by", "pk")
        .values_list("unit_id", "pk", "respond_by", "answered_at")
    )
    for unit_id, pk, respond_by, answered_at in ctx.once(Kind.INSTRUCTION_LATE, lambda: list(query)):
        answered = answered_at is not None and answered_at <= ctx.cutoff
        if answered and timezone.localtime(answered_at).date() <= respond_by:
            continue
        label = _("Instruction to answer by %(date)s, answered late") % {"date": respond_by.isoformat()}
        result.add(unit_id, FactKind.INSTRUCTION, pk, label, -per)
    return result


def satisfaction(ctx: Context, p: dict, maximum: Decimal) -> Result:
    from django.db.models import Count

    from taizhang.people.models import Rating

    low, high = Decimal(p["low"]), Decimal(p["high"])
    counts: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    labels = {}
    query = (
        Rating.objects.filter(
            item__campaign=ctx.campaign,
            item__owner_unit_id__in=ctx.unit_ids,
            created_at__gte=ctx.aware(ctx.starts_on),
            created_at__lte=min(ctx.aware(ctx.ends_on, end=True), ctx.cutoff),
        )
        .values_list("item__owner_unit_id", "item_id", "item__code", "item__title", "value")
        .annotate(n=Count("pk"))
        .order_by("item__owner_unit_id", "item__code", "item_id", "value")
    )
    for unit_id, item_id, code, title, value, n in ctx.once(Kind.SATISFACTION, lambda: list(query)):
        cell = counts[unit_id][item_id]
        cell[1] += n
        if value != Rating.Value.DISSATISFIED:
            cell[0] += n
        labels[item_id] = _item_label(code, title)
    result = Result(direct={}, default=maximum)
    for unit_id, items in counts.items():
        good = sum(c[0] for c in items.values())
        total = sum(c[1] for c in items.values())
        for item_id, (g, t) in items.items():
            result.facts.append((unit_id, FactKind.ITEM, item_id, f"{labels[item_id]} {g}/{t}", Decimal(0)))
        rate = dec(HUNDRED * good / total)
        points = linear(rate, low, high, maximum)
        result.direct[unit_id] = points
        label = _("Satisfied %(n)s of %(total)s ratings: %(rate)s%%") % {"n": good, "total": total, "rate": fmt(rate)}
        result.facts.append((unit_id, FactKind.FIGURE, None, label, points))
    return result


def practices(ctx: Context, p: dict, maximum: Decimal) -> Result:
    from taizhang.bulletins.models import Practice

    per = Decimal(p["per"])
    result = Result()
    query = (
        Practice.objects.filter(
            campaign=ctx.campaign,
            unit_id__in=ctx.unit_ids,
            status=Practice.Status.PUBLISHED,
            published_at__gte=ctx.aware(ctx.starts_on),
            published_at__lte=min(ctx.aware(ctx.ends_on, end=True), ctx.cutoff),
        )
        .order_by("unit_id", "published_at", "pk")
        .values_list("unit_id", "pk", "title")
    )
    result.add_block(ctx.once(Kind.PRACTICES, lambda: fact_prefixes(FactKind.PRACTICE, raw_rows(query))), per)
    return result


def study(ctx: Context, p: dict, maximum: Decimal) -> Result:
    from django.db.models import Sum

    from taizhang.study.models import Activity, ActivityPlan

    planned = dict(
        ActivityPlan.objects.filter(
            campaign=ctx.campaign, unit_id__in=ctx.unit_ids, quarter__gte=ctx.starts_on, quarter__lte=ctx.ends_on
        )
        .values_list("unit_id")
        .annotate(n=Sum("planned"))
        .order_by()
    )
    held: dict[int, int] = defaultdict(int)
    result = Result(direct={}, default=Decimal(0))
    for unit_id, pk, title, starts_at in (
        Activity.objects.filter(
            campaign=ctx.campaign,
            unit_id__in=ctx.unit_ids,
            state=Activity.State.HELD,
            starts_at__gte=ctx.aware(ctx.starts_on),
            starts_at__lte=min(ctx.aware(ctx.ends_on, end=True), ctx.cutoff),
        )
        .order_by("unit_id", "starts_at", "pk")
        .values_list("unit_id", "pk", "title", "starts_at")
    ):
        held[unit_id] += 1
        day = timezone.localtime(starts_at).date().isoformat()
        result.facts.append((unit_id, FactKind.ACTIVITY, pk, f"{day} {title}", Decimal(0)))
    for unit_id in sorted(set(planned) | set(held)):
        plan, done = planned.get(unit_id) or 0, held.get(unit_id, 0)
        if plan:
            points = dec(maximum * min(Decimal(1), Decimal(done) / plan))
        else:
            points = maximum if done else Decimal(0)
        result.direct[unit_id] = points
        label = _("Held %(n)s of %(planned)s planned activities") % {"n": done, "planned": plan}
        result.facts.append((unit_id, FactKind.FIGURE, None, label, points))
    return result


def _unit_of_path(ctx: Context):
    """A function from a unit's path to the run's unit at or above it (None outside them), read once per run."""
    from taizhang.orgs.models import Unit

    def read():
        return sorted(Unit.objects.filter(pk__in=ctx.unit_ids).values_list("path", "pk"), key=lambda r: -len(r[0]))

    paths = ctx.once("unit_paths", read)

    def unit_of(path: str):
        for prefix, pk in paths:  # the longest path first: the nearest run unit above
            if path.startswith(prefix):
                return pk
        return None

    return unit_of


def red_days(ctx: Context, p: dict, maximum: Decimal) -> Result:
    """Each day of the range an item of the unit ended red, from the item's light history (each light change is
    a history entry: old → new); an item red with no change recorded has been red since it was entered."""
    from django.contrib.contenttypes.models import ContentType

    from taizhang.history.models import HistoryEntry
    from taizhang.ledger.models import Item, Light, Status

    per = Decimal(p["per"])
    first, last = ctx.starts_on, ctx.last_day
    result = Result()
    if last < first:
        return result

    def read():
        items = {
            pk: (unit_id, code, title, light, timezone.localtime(created_at).date())
            for pk, unit_id, code, title, light, created_at in Item.objects.filter(
                campaign=ctx.campaign, owner_unit_id__in=ctx.unit_ids
            )
            .exclude(status=Status.WITHDRAWN)
            .values_list("pk", "owner_unit_id", "code", "title", "light", "created_at")
        }
        changes: dict[int, list] = defaultdict(list)
        for object_id, moment, diff in (
            HistoryEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Item),
                campaign=ctx.campaign,
                action=HistoryEntry.Action.LIGHT,
                at__lte=ctx.cutoff,
                object_id__in=Item.objects.filter(campaign=ctx.campaign, owner_unit_id__in=ctx.unit_ids).values("pk"),
            )
            .order_by("at", "pk")
            .values_list("object_id", "at", "changes")
        ):
            change = next((c for c in diff or [] if c.get("field") == "light"), None)
            if change is not None:
                changes[object_id].append((timezone.localtime(moment).date(), change.get("old"), change.get("new")))
        rows = []
        for pk, (unit_id, code, title, light, entered) in items.items():
            spells = _red_spells(changes.get(pk), light == Light.RED, entered, last)
            days = sum(max(0, (min(end, last) - max(start, first)).days + 1) for start, end in spells)
            if days:
                rows.append((unit_id, code, pk, title, days))
        rows.sort()
        return rows

    words = _("%(item)s: red %(n)s days")
    for unit_id, code, pk, title, days in ctx.once(Kind.RED_DAYS, read):
        label = words % {"item": _item_label(code, title), "n": days}
        result.add(unit_id, FactKind.ITEM, pk, label, -per * days)
    return result


def _red_spells(changes, red_now: bool, entered: datetime.date, last: datetime.date):
    """The (first, last) days an item ended red: a change on a day sets the light that day ends with."""
    red = "red"
    if not changes:
        return [(entered, last)] if red_now else []
    spells, since = [], entered if changes[0][1] == red else None
    for day, _old, new in changes:
        if new == red and since is None:
            since = day
        elif new != red and since is not None:
            if day > since:
                spells.append((since, day - datetime.timedelta(days=1)))
            since = None
    if since is not None:
        spells.append((since, last))
    return spells


def bulletins(ctx: Context, p: dict, maximum: Decimal) -> Result:
    """Each published bulletin (信息简报) in the range that carries a good-practice case of the unit, once."""
    from taizhang.bulletins.models import Bulletin, BulletinEntry

    per = Decimal(p["per"])
    result = Result()

    def read():
        seen, rows = set(), []
        for unit_id, bulletin_id, year, number, title in (
            BulletinEntry.objects.filter(
                bulletin__campaign=ctx.campaign,
                bulletin__status=Bulletin.Status.PUBLISHED,
                bulletin__published_at__gte=ctx.aware(ctx.starts_on),
                bulletin__published_at__lte=min(ctx.aware(ctx.ends_on, end=True), ctx.cutoff),
                practice__unit_id__in=ctx.unit_ids,
            )
            .order_by("practice__unit_id", "bulletin__published_at", "bulletin_id", "order", "pk")
            .values_list("practice__unit_id", "bulletin_id", "bulletin__year", "bulletin__number", "practice__title")
        ):
            if (unit_id, bulletin_id) in seen:
                continue
            seen.add((unit_id, bulletin_id))
            issue = _("%(year)s, issue %(number)s") % {"year": year, "number": number}
            rows.append((unit_id, bulletin_id, f"{issue} {title}"))
        return fact_prefixes(FactKind.BULLETIN, rows)

    result.add_block(ctx.once(Kind.BULLETINS, read), per)
    return result


def attendance(ctx: Context, p: dict, maximum: Decimal) -> Result:
    """Present of members expected at the study activities the unit held in the range (study's
    ``expected_members``: the audience units' rosters and below and the audience groups, else the organising
    unit's roster and below)."""
    from django.db.models import Count

    from taizhang.study.actions import expected_members
    from taizhang.study.models import Activity, Attendance, Member

    low, high = Decimal(p["low"]), Decimal(p["high"])
    result = Result(direct={}, default=maximum)

    def read():
        held = list(
            Activity.objects.filter(
                campaign=ctx.campaign,
                unit_id__in=ctx.unit_ids,
                state=Activity.State.HELD,
                starts_at__gte=ctx.aware(ctx.starts_on),
                starts_at__lte=min(ctx.aware(ctx.ends_on, end=True), ctx.cutoff),
            )
            .order_by("unit_id", "starts_at", "pk")
            .values_list("pk", "unit_id", "unit__path", "title", "starts_at")
        )
        ids = [row[0] for row in held]
        present = dict(
            Attendance.objects.filter(activity_id__in=ids, status=Attendance.Status.PRESENT, member__is_active=True)
            .values_list("activity_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        # Activities for their own unit's roster (no audience given) are counted from one grouped query.
        through_units = Activity.audience_units.through.objects.filter(activity_id__in=ids)
        through_groups = Activity.audience_groups.through.objects.filter(activity_id__in=ids)
        special = set(through_units.values_list("activity_id", flat=True)) | set(
            through_groups.values_list("activity_id", flat=True)
        )
        # Active members of each unit's subtree: a unit's own count added to it and to every unit above it
        # (each prefix of its path that ends a segment, "000001.").
        subtree: dict[str, int] = defaultdict(int)
        if held:
            for path, n in (
                Member.objects.filter(is_active=True).values_list("unit__path").annotate(n=Count("pk")).order_by()
            ):
                for end, char in enumerate(path):
                    if char == ".":
                        subtree[path[: end + 1]] += n
        expected = {}
        for pk, _unit_id, path, _title, _starts in held:
            if pk in special:
                expected[pk] = expected_members(Activity.objects.get(pk=pk)).count()
            else:
                expected[pk] = subtree.get(path, 0)
        return held, present, expected

    held, present, expected = ctx.once(Kind.ATTENDANCE, read)
    figures: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, unit_id, _path, title, starts_at in held:
        n, of = present.get(pk, 0), expected.get(pk, 0)
        figures[unit_id][0] += min(n, of)
        figures[unit_id][1] += of
        day = timezone.localtime(starts_at).date().isoformat()
        result.facts.append((unit_id, FactKind.ACTIVITY, pk, f"{day} {title} {n}/{of}", Decimal(0)))
    words = _("Present %(n)s of %(total)s members expected: %(rate)s%%")
    for unit_id, (n, of) in sorted(figures.items()):
        if not of:
            continue
        rate = dec(HUNDRED * n / of)
        points = linear(rate, low, high, maximum)
        result.direct[unit_id] = points
        result.facts.append((unit_id, FactKind.FIGURE, None, words % {"n": n, "total": of, "rate": fmt(rate)}, points))
    return result


def reading(ctx: Context, p: dict, maximum: Decimal) -> Result:
    """Confirmed of members assigned, over the materials with a read-by date in the range (study's
    ``reading_rates``: per assignment, to a unit and below or to a member group), each assignment counted for
    the run's unit at or above its unit (a group's, for a group)."""
    from taizhang.study.models import Material
    from taizhang.study.queries import reading_rates

    low, high = Decimal(p["low"]), Decimal(p["high"])
    result = Result(direct={}, default=maximum)
    unit_of = _unit_of_path(ctx)

    def read():
        rows = []
        materials = Material.objects.filter(
            campaign=ctx.campaign, assignments__read_by__gte=ctx.starts_on, assignments__read_by__lte=ctx.ends_on
        ).distinct()
        for material in materials.order_by("pk"):
            for row in reading_rates(material):
                a = row.assignment
                if not (ctx.starts_on <= a.read_by <= ctx.ends_on):
                    continue
                unit = a.unit if a.unit_id else a.group.unit
                unit_id = unit_of(unit.path) if unit is not None else None
                if unit_id is not None and row.assigned:
                    rows.append((unit_id, a.read_by, material.pk, material.title, row.assigned, row.confirmed))
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
        return rows

    figures: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, read_by, pk, title, assigned, confirmed in ctx.once(Kind.READING, read):
        figures[unit_id][0] += confirmed
        figures[unit_id][1] += assigned
        label = f"{title} ({read_by.isoformat()}) {confirmed}/{assigned}"
        result.facts.append((unit_id, FactKind.MATERIAL, pk, label, Decimal(0)))
    words = _("Confirmed %(n)s of %(total)s members assigned: %(rate)s%%")
    for unit_id, (n, of) in sorted(figures.items()):
        rate = dec(HUNDRED * n / of)
        points = linear(rate, low, high, maximum)
        result.direct[unit_id] = points
        result.facts.append((unit_id, FactKind.FIGURE, None, words % {"n": n, "total": of, "rate": fmt(rate)}, points))
    return result


COMPUTE = {
    Kind.ON_TIME: on_time,
    Kind.OVERDUE: overdue,
    Kind.RED_WEEKS: red_weeks,
    Kind.REPORT_RATE: report_rate,
    Kind.REPORTS_MISSED: reports_missed,
    Kind.CHASE: chase,
    Kind.FINDINGS: findings,
    Kind.RECTIFICATION_LATE: rectification_late,
    Kind.INSTRUCTION_LATE: instruction_late,
    Kind.SATISFACTION: satisfaction,
    Kind.PRACTICES: practices,
    Kind.STUDY: study,
    Kind.RED_DAYS: red_days,
    Kind.BULLETINS: bulletins,
    Kind.ATTENDANCE: attendance,
    Kind.READING: reading,
}
