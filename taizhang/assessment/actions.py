"""The writes of assessment: schemes and their items, runs, manual scores, adjustments, objections, the freeze.

Every write checks permission here, locks what it changes, records history and refuses a frozen scheme
or result with a message (nothing written).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.audit import chain
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, note, record, snapshot
from taizhang.lib.locks import lock_one
from taizhang.lib.media import check_upload
from taizhang.orgs.access import Access
from taizhang.orgs.models import RoleGrant

from . import access as rights
from . import rules, scoring
from .models import (
    Adjustment,
    AdjustmentEvidence,
    AssessmentScheme,
    ItemScore,
    ManualScoreEvidence,
    Objection,
    ObjectionEvidence,
    PenaltyAction,
    PenaltyEvidence,
    Rule,
    SchemeItem,
    SchemeSection,
    ScoringRun,
    UnitScore,
)

SCHEME_FIELDS = (
    "name",
    "total",
    "excellent_from",
    "good_from",
    "fair_from",
    "excellent_quota",
    "review_days",
    "head_assessor",
    "nominate_top",
    "red_days",
    "export_columns",
)
MAX_FILES = 10
ITEM_FIELDS = ("title", "points", "floor", "content", "standard", "method", "department", "allows_bonus")


def _access(user, campaign) -> Access:
    return Access.for_user(user, campaign)


def _require_office(user, campaign) -> Access:
    access = _access(user, campaign)
    access.require(rights.can_edit_schemes(access), _("Only the campaign office edits assessment schemes."))
    return access


def _require_draft(scheme: AssessmentScheme) -> None:
    if scheme.is_frozen:
        raise ValidationError(_("This scheme is frozen because scoring has started; make a new version to change it."))


def _check_stale(obj, revision, field: str = "revision") -> None:
    if revision is not None and int(revision) != getattr(obj, field):
        raise ValidationError(_("Someone else changed this in the meantime. Reload the page and try again."))


def _check_files(files) -> None:
    """Every file through the one upload gate before anything is written (a bad file refuses the whole write)."""
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("At most %(n)s files at a time.") % {"n": MAX_FILES}})
    for upload in files:
        try:
            check_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from error


def _touch(scheme: AssessmentScheme) -> None:
    """The scheme's structure changed: a page that still shows the old order is stale for reordering."""
    scheme.revision += 1
    scheme.save(update_fields=["revision"])


def _check_total(scheme: AssessmentScheme, *, extra: Decimal = Decimal(0), without: int | None = None) -> None:
    items = SchemeItem.objects.filter(scheme=scheme)
    if without is not None:
        items = items.exclude(pk=without)
    used = (items.aggregate(s=Sum("points"))["s"] or Decimal(0)) + extra
    if used > scheme.total:
        raise ValidationError(
            {
                "points": _("The items would add up to %(used)s points, more than the scheme's total of %(total)s.")
                % {"used": rules.fmt(used), "total": rules.fmt(scheme.total)}
            }
        )


# Schemes ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_scheme(campaign, *, data: dict, acting_user) -> AssessmentScheme:
    _require_office(acting_user, campaign)
    _check_bands(data)
    unit_kind = data["unit_kind"]
    version = (
        AssessmentScheme.objects.filter(campaign=campaign, unit_kind=unit_kind).aggregate(m=Max("version"))["m"] or 0
    ) + 1
    scheme = AssessmentScheme.objects.create(
        campaign=campaign,
        unit_kind=unit_kind,
        version=version,
        created_by=acting_user,
        **{k: data[k] for k in SCHEME_FIELDS if k in data},
    )
    record(scheme, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
    return scheme


def _check_bands(data: dict) -> None:
    bands = [Decimal(data.get(k, d)) for k, d in (("excellent_from", 90), ("good_from", 80), ("fair_from", 60))]
    if not bands[0] > bands[1] > bands[2] >= 0:
        raise ValidationError(_("The grade bands must go down: excellent above good above fair."))
    total = Decimal(data.get("total", 100))
    if bands[0] > total:
        raise ValidationError(_("The band for excellent cannot be above the total."))


@transaction.atomic
def update_scheme(scheme: AssessmentScheme, *, data: dict, revision=None, acting_user) -> AssessmentScheme:
    _require_office(acting_user, scheme.campaign)
    scheme = lock_one(AssessmentScheme, pk=scheme.pk)
    _require_draft(scheme)
    _check_stale(scheme, revision)
    _check_bands({**{k: getattr(scheme, k) for k in SCHEME_FIELDS}, **data})
    if "total" in data:
        used = SchemeItem.objects.filter(scheme=scheme).aggregate(s=Sum("points"))["s"] or Decimal(0)
        if used > Decimal(data["total"]):
            raise ValidationError(
                {"total": _("The items already add up to %(used)s points.") % {"used": rules.fmt(used)}}
            )
    before = snapshot(scheme, SCHEME_FIELDS)
    for key in SCHEME_FIELDS:
        if key in data:
            setattr(scheme, key, data[key])
    scheme.revision += 1
    scheme.save()
    record(
        scheme, HistoryEntry.Action.UPDATE, actor=acting_user, changes=diff(scheme, before), campaign=scheme.campaign
    )
    return scheme


@transaction.atomic
def add_section(scheme: AssessmentScheme, *, title: str, acting_user) -> SchemeSection:
    _require_office(acting_user, scheme.campaign)
    scheme = lock_one(AssessmentScheme, pk=scheme.pk)
    _require_draft(scheme)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the section a title.")})
    order = (scheme.sections.aggregate(m=Max("order"))["m"] or 0) + 1
    section = SchemeSection.objects.create(scheme=scheme, title=title[:200], order=order)
    _touch(scheme)
    record(
        scheme,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=scheme.campaign,
        note=note(gettext_noop("Section added: %(title)s"), title=section.title),
    )
    return section


def _clean_item(scheme, data: dict, *, without: int | None = None) -> tuple[dict, str, dict]:
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the assessment item a title.")})
    points = rules.dec(data.get("points"))
    if points <= 0:
        raise ValidationError({"points": _("The points must be more than zero.")})
    floor = rules.dec(data.get("floor") or 0)
    if floor > points:
        raise ValidationError({"floor": _("The floor cannot be above the item's points.")})
    _check_total(scheme, extra=points, without=without)
    kind = data.get("kind") or Rule.Kind.MANUAL
    params = rules.clean_params(kind, data.get("params") or {}, points)
    fields = {k: data[k] for k in ITEM_FIELDS if k in data}
    fields.update(title=title[:200], points=points, floor=floor)
    if not (fields.get("standard") or "").strip():
        fields["standard"] = rules.describe(kind, params, points)
    return fields, kind, params


@transaction.atomic
def add_item(section: SchemeSection, *, data: dict, acting_user) -> SchemeItem:
    scheme = section.scheme
    _require_office(acting_user, scheme.campaign)
    scheme = lock_one(AssessmentScheme, pk=scheme.pk)
    _require_draft(scheme)
    fields, kind, params = _clean_item(scheme, data)
    order = (section.items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = SchemeItem.objects.create(scheme=scheme, section=section, order=order, **fields)
    Rule.objects.create(item=item, kind=kind, params=params)
    _touch(scheme)
    record(
        scheme,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=scheme.campaign,
        note=note(
            gettext_noop("Item added: %(title)s (%(points)s points)"), title=item.title, points=rules.fmt(item.points)
        ),
    )
    return item


@transaction.atomic
def update_item(item: SchemeItem, *, data: dict, acting_user) -> SchemeItem:
    scheme = item.scheme
    _require_office(acting_user, scheme.campaign)
    scheme = lock_one(AssessmentScheme, pk=scheme.pk)
    _require_draft(scheme)
    item = lock_one(SchemeItem, pk=item.pk)
    fields, kind, params = _clean_item(scheme, data, without=item.pk)
    before = snapshot(item, ITEM_FIELDS)
    for key, value in fields.items():
        setattr(item, key, value)
    item.save()
    Rule.objects.update_or_create(item=item, defaults={"kind": kind, "params": params})
    record(
        scheme,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        changes=diff(item, before),
        campaign=scheme.campaign,
        note=note(gettext_noop("Item changed: %(title)s"), title=item.title),
    )
    return item


@transaction.atomic
def remove_item(item: SchemeItem, *, acting_user) -> None:
    scheme = item.scheme
    _require_office(acting_user, scheme.campaign)
    scheme = lock_one(AssessmentScheme, pk=scheme.pk)
    _require_draft(scheme)
    title = item.title
    item.delete()
    _touch(scheme)
    record(
        scheme,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=scheme.campaign,
        note=note(gettext_noop("Item removed from the draft: %(title)s"), title=title),
    )


@transaction.atomic
def reorder(
    scheme: AssessmentScheme, *, what: str, pk: int, position: int, section_id: int | None = None, revision, acting_user
) -> SchemeSection | SchemeItem:
    """Put a section (``what="section"``) or an item (``"item"``, into ``section_id`` when given: dragged to
    another section) at ``position`` (0-based) among its siblings: the editor's drag order and its up and down
    buttons. Refused when the page was stale (the scheme's revision moved on since), recorded in history."""
    _require_office(acting_user, scheme.campaign)
    scheme = lock_one(AssessmentScheme, pk=scheme.pk)
    _require_draft(scheme)
    if revision is None:
        raise ValidationError(_("Someone else changed this in the meantime. Reload the page and try again."))
    _check_stale(scheme, revision)
    if what == "section":
        moved = SchemeSection.objects.filter(scheme=scheme, pk=pk).first()
        if moved is None:
            raise ValidationError(_("This section is not in the scheme."))
        siblings = list(scheme.sections.exclude(pk=pk).order_by("order", "pk"))
        model, where = SchemeSection, moved.title
    elif what == "item":
        moved = SchemeItem.objects.filter(scheme=scheme, pk=pk).select_related("section").first()
        if moved is None:
            raise ValidationError(_("This item is not in the scheme."))
        target = moved.section
        if section_id is not None and section_id != moved.section_id:
            target = SchemeSection.objects.filter(scheme=scheme, pk=section_id).first()
            if target is None:
                raise ValidationError(_("This section is not in the scheme."))
            moved.section = target
            moved.save(update_fields=["section"])
        siblings = list(target.items.exclude(pk=pk).order_by("order", "pk"))
        model, where = SchemeItem, f"{moved.title} · {target.title}"
    else:
        raise ValidationError(_("Choose a section or an item to move."))
    position = max(0, min(position, len(siblings)))
    siblings.insert(position, moved)
    for order, sibling in enumerate(siblings, start=1):
        if sibling.order != order:
            model.objects.filter(pk=sibling.pk).update(order=order)
    scheme.revision += 1
    scheme.save(update_fields=["revision"])
    record(
        scheme,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=scheme.campaign,
        note=note(gettext_noop("Moved to place %(n)s: %(what)s"), n=position + 1, what=where),
    )
    moved.order = position + 1
    return moved


def _copy_into(source: AssessmentScheme, target: AssessmentScheme) -> None:
    for section in source.sections.prefetch_related("items__rule").order_by("order", "pk"):
        new_section = SchemeSection.objects.create(scheme=target, title=section.title, order=section.order)
        for item in section.items.all():
            copy = SchemeItem.objects.create(
                scheme=target, section=new_section, order=item.order, **{k: getattr(item, k) for k in ITEM_FIELDS}
            )
            Rule.objects.create(item=copy, kind=item.rule.kind, params=dict(item.rule.params))


@transaction.atomic
def new_version(scheme: AssessmentScheme, *, acting_user) -> AssessmentScheme:
    """A draft copy of a frozen scheme, version + 1, that replaces it for later runs (the old one stays)."""
    _require_office(acting_user, scheme.campaign)
    scheme = lock_one(AssessmentScheme, pk=scheme.pk)
    return _copy_scheme(scheme, scheme.campaign, acting_user=acting_user, previous=scheme)


def _copy_scheme(source, campaign, *, acting_user, previous=None) -> AssessmentScheme:
    version = (
        AssessmentScheme.objects.filter(campaign=campaign, unit_kind=source.unit_kind).aggregate(m=Max("version"))["m"]
        or 0
    ) + 1
    target = AssessmentScheme.objects.create(
        campaign=campaign,
        unit_kind=source.unit_kind,
        version=version,
        previous=previous,
        created_by=acting_user,
        **{k: getattr(source, k) for k in SCHEME_FIELDS if k != "head_assessor"},
    )
    _copy_into(source, target)
    record(
        target,
        HistoryEntry.Action.CREATE,
        actor=acting_user,
        campaign=campaign,
        note=note(
            gettext_noop("Copied from %(name)s v%(version)s (%(campaign)s)"),
            name=source.name,
            version=source.version,
            campaign=str(source.campaign),
        ),
    )
    return target


@transaction.atomic
def copy_scheme(source: AssessmentScheme, campaign, *, acting_user) -> AssessmentScheme:
    """Last year's scheme as this campaign's draft (the office of both campaigns reads and writes)."""
    _require_office(acting_user, campaign)
    if not _access(acting_user, source.campaign).is_overseer:
        raise PermissionDenied(_("You cannot read that scheme."))
    return _copy_scheme(source, campaign, acting_user=acting_user)


# Runs -------------------------------------------------------------------------------------------------


@transaction.atomic
def start_run(
    scheme: AssessmentScheme, *, label: str, starts_on: datetime.date, ends_on: datetime.date, acting_user
) -> ScoringRun:
    """Queue the computation of a scheme over a range; the scheme freezes (later changes make a new version)."""
    access = _access(acting_user, scheme.campaign)
    access.require(rights.can_score(access), _("Only assessors and the office run assessments."))
    scheme = lock_one(AssessmentScheme, pk=scheme.pk)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end of the range is before its start.")})
    if not SchemeItem.objects.filter(scheme=scheme).exists():
        raise ValidationError(_("The scheme has no items yet."))
    unavailable = [i.title for i in scheme.items.select_related("rule") if not rules.is_available(i.rule.kind)]
    if unavailable:
        raise ValidationError(
            _("These items use a rule whose app is not installed: %(items)s.") % {"items": "、".join(unavailable)}
        )
    label = (label or "").strip() or f"{starts_on.isoformat()}—{ends_on.isoformat()}"
    if not scheme.is_frozen:
        scheme.state, scheme.frozen_at = AssessmentScheme.State.IN_USE, timezone.now()
        scheme.save(update_fields=["state", "frozen_at"])
        record(
            scheme,
            HistoryEntry.Action.LOCK,
            actor=acting_user,
            campaign=scheme.campaign,
            note=note(gettext_noop("Frozen: scoring started (%(label)s)."), label=label),
        )
    run = ScoringRun.objects.create(
        campaign=scheme.campaign,
        scheme=scheme,
        label=label[:60],
        starts_on=starts_on,
        ends_on=ends_on,
        cutoff=timezone.now(),
        requested_by=acting_user,
    )
    record(run, HistoryEntry.Action.CREATE, actor=acting_user, campaign=scheme.campaign)
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from .tasks import compute_run

    compute_run(run_id)


def _require_open_run(run: ScoringRun) -> None:
    if run.is_frozen:
        raise ValidationError(_("This result is frozen (定档) and can no longer change."))
    if run.status != ScoringRun.Status.DONE:
        raise ValidationError(_("The run has not finished computing yet."))


def _lock_item_score(item_score: ItemScore) -> tuple[ItemScore, ScoringRun]:
    run = lock_one(ScoringRun, pk=item_score.unit_score.run_id)
    _require_open_run(run)
    item_score = lock_one(ItemScore.objects.select_related("scheme_item__rule", "unit_score"), pk=item_score.pk)
    return item_score, run


def _settle(item_score: ItemScore) -> None:
    """Points again from the rule's (or the assessor's) value and the approved adjustments."""
    approved = item_score.adjustments.filter(state=Adjustment.State.APPROVED).aggregate(s=Sum("points"))[
        "s"
    ] or Decimal(0)
    item_score.adjusted = approved
    item_score.points = scoring.item_points(item_score.scheme_item, item_score.computed, approved)
    item_score.version += 1
    item_score.save(update_fields=["adjusted", "points", "version"])
    scoring.refresh_unit(UnitScore.objects.select_related("run__scheme").get(pk=item_score.unit_score_id))


@transaction.atomic
def score_manual(
    item_score: ItemScore, *, points, reason: str, evidence: str = "", files=(), version=None, acting_user
) -> ItemScore:
    """An assessor's points on a manual item with the reason, and evidence: a note, and files through the one
    upload gate (kept with the item score: a later score adds to them)."""
    run = item_score.unit_score.run
    files = list(files or [])
    access = _access(acting_user, run.campaign)
    access.require(rights.can_score(access), _("Only assessors score manual items."))
    item_score, run = _lock_item_score(item_score)
    _check_stale(item_score, version, "version")
    scheme_item = item_score.scheme_item
    if scheme_item.rule.kind != Rule.Kind.MANUAL:
        raise ValidationError(_("This item is scored by its rule; propose an adjustment instead."))
    points = rules.dec(points)
    if points < scheme_item.floor or points > scheme_item.points:
        raise ValidationError(
            {
                "points": _("The points must be between %(low)s and %(high)s.")
                % {"low": rules.fmt(scheme_item.floor), "high": rules.fmt(scheme_item.points)}
            }
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the score.")})
    _check_files(files)
    before = snapshot(item_score, ["computed", "manual_reason"])
    item_score.computed, item_score.manual_reason = points, reason
    item_score.manual_evidence, item_score.scored_by = (evidence or "").strip()[:300], acting_user
    item_score.save(update_fields=["computed", "manual_reason", "manual_evidence", "scored_by"])
    for upload in files:
        ManualScoreEvidence(
            item_score=item_score, file=upload, name=upload.name[:200], size=upload.size, uploaded_by=acting_user
        ).save()
    _settle(item_score)
    changes = diff(item_score, before)
    if files:
        names = "、".join(upload.name[:200] for upload in files)[:300]
        changes.append({"field": "files", "label": str(_("Evidence files")), "old": "", "new": names})
    record(item_score, HistoryEntry.Action.UPDATE, actor=acting_user, changes=changes, campaign=run.campaign)
    return item_score


@transaction.atomic
def propose_adjustment(
    item_score: ItemScore, *, points, reason: str, evidence: str = "", files=(), acting_user
) -> Adjustment:
    """An assessor's 加减分 with its reason and evidence (a note, and files through the one upload gate)."""
    run = item_score.unit_score.run
    access = _access(acting_user, run.campaign)
    access.require(rights.can_score(access), _("Only assessors propose adjustments."))
    _check_files(files)
    item_score, run = _lock_item_score(item_score)
    points = rules.dec(points)
    if points == 0:
        raise ValidationError({"points": _("An adjustment of zero points changes nothing.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    scheme_item = item_score.scheme_item
    pending = item_score.adjustments.filter(state=Adjustment.State.PROPOSED).aggregate(s=Sum("points"))["s"] or Decimal(
        0
    )
    after = (item_score.computed or Decimal(0)) + item_score.adjusted + pending + points
    if after > scheme_item.points and not scheme_item.allows_bonus:
        raise ValidationError(
            {
                "points": _("This would take the item past its maximum of %(max)s points, and it is not a bonus item.")
                % {"max": rules.fmt(scheme_item.points)}
            }
        )
    if after < scheme_item.floor:
        raise ValidationError(
            {
                "points": _("This would take the item below its floor of %(floor)s points.")
                % {"floor": rules.fmt(scheme_item.floor)}
            }
        )
    adjustment = Adjustment.objects.create(
        item_score=item_score,
        points=points,
        reason=reason,
        evidence=(evidence or "").strip()[:300],
        proposed_by=acting_user,
    )
    for upload in files:
        AdjustmentEvidence(adjustment=adjustment, file=upload, name=upload.name[:200], size=upload.size).save()
    chain.append(run.campaign, adjustment)
    record(
        adjustment,
        HistoryEntry.Action.CREATE,
        actor=acting_user,
        campaign=run.campaign,
        note=note(
            gettext_noop("Adjustment proposed: %(points)s (%(reason)s)"), points=f"{points:+}", reason=reason[:200]
        ),
    )
    return adjustment


@transaction.atomic
def decide_adjustment(adjustment: Adjustment, *, approve: bool, note_text: str = "", acting_user) -> Adjustment:
    item_score = adjustment.item_score
    run = item_score.unit_score.run
    access = _access(acting_user, run.campaign)
    if adjustment.proposed_by_id == acting_user.pk:
        raise ValidationError(_("A second person approves an adjustment, not the one who proposed it."))
    access.require(
        rights.can_approve(access, run.scheme, adjustment),
        _("Only the office or the head assessor approves adjustments."),
    )
    item_score, run = _lock_item_score(item_score)
    adjustment = lock_one(Adjustment, pk=adjustment.pk)
    if adjustment.state != Adjustment.State.PROPOSED:
        raise ValidationError(_("This adjustment has already been decided."))
    adjustment.state = Adjustment.State.APPROVED if approve else Adjustment.State.REJECTED
    adjustment.decided_by, adjustment.decided_at = acting_user, timezone.now()
    adjustment.decision_note = (note_text or "").strip()
    adjustment.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    chain.append(run.campaign, adjustment)
    if approve:
        _settle(item_score)
    record(
        adjustment,
        HistoryEntry.Action.ACCEPT if approve else HistoryEntry.Action.RETURN,
        actor=acting_user,
        campaign=run.campaign,
    )
    return adjustment


@transaction.atomic
def open_review(run: ScoringRun, *, acting_user) -> ScoringRun:
    """Show units their breakdown and let them object until today + the scheme's review window."""
    access = _access(acting_user, run.campaign)
    access.require(access.is_office, _("Only the office opens the review."))
    run = lock_one(ScoringRun, pk=run.pk)
    _require_open_run(run)
    run.review_until = timezone.localdate() + datetime.timedelta(days=run.scheme.review_days)
    run.save(update_fields=["review_until"])
    record(
        run,
        HistoryEntry.Action.PUBLISH,
        actor=acting_user,
        campaign=run.campaign,
        note=note(gettext_noop("Review open until %(date)s."), date=run.review_until.isoformat()),
    )
    transaction.on_commit(lambda: _notify_review(run))
    return run


@transaction.atomic
def raise_objection(item_score: ItemScore, *, reason: str, files=(), acting_user) -> Objection:
    """A unit's 申诉 on one item during the review window, with its reason and supporting files."""
    run = item_score.unit_score.run
    access = _access(acting_user, run.campaign)
    unit = item_score.unit_score.unit
    if not access.speaks_for(unit):
        raise PermissionDenied(_("Only the unit itself objects to its scores."))
    _check_files(files)
    item_score, run = _lock_item_score(item_score)
    if not rights.review_open(run):
        raise ValidationError(_("The review window is closed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you object.")})
    if item_score.objections.filter(state=Objection.State.OPEN).exists():
        raise ValidationError(_("An objection to this item is already waiting for its answer."))
    objection = Objection.objects.create(item_score=item_score, reason=reason, raised_by=acting_user)
    for upload in files:
        ObjectionEvidence(objection=objection, file=upload, name=upload.name[:200], size=upload.size).save()
    record(
        objection,
        HistoryEntry.Action.SUBMIT,
        actor=acting_user,
        campaign=run.campaign,
        note=note(gettext_noop("Objection: %(reason)s"), reason=reason[:300]),
    )
    return objection


@transaction.atomic
def answer_objection(objection: Objection, *, answer: str, acting_user) -> Objection:
    run = objection.item_score.unit_score.run
    access = _access(acting_user, run.campaign)
    access.require(rights.can_score(access), _("Only assessors answer objections."))
    _lock_item_score(objection.item_score)
    objection = lock_one(Objection, pk=objection.pk)
    if objection.state != Objection.State.OPEN:
        raise ValidationError(_("This objection has already been answered."))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer first.")})
    objection.answer, objection.answered_by, objection.answered_at = answer, acting_user, timezone.now()
    objection.state = Objection.State.ANSWERED
    objection.save(update_fields=["answer", "answered_by", "answered_at", "state"])
    record(
        objection,
        HistoryEntry.Action.COMMENT,
        actor=acting_user,
        campaign=run.campaign,
        note=note(gettext_noop("Answer: %(text)s"), text=answer[:300]),
    )
    return objection


@transaction.atomic
def freeze_run(run: ScoringRun, *, acting_user) -> ScoringRun:
    """定档: the result can no longer change; nominations and penalties follow from it."""
    access = _access(acting_user, run.campaign)
    access.require(access.is_office, _("Only the office freezes (定档) a result."))
    run = lock_one(ScoringRun, pk=run.pk)
    _require_open_run(run)
    scores = ItemScore.objects.filter(unit_score__run=run)
    if Adjustment.objects.filter(item_score__in=scores, state=Adjustment.State.PROPOSED).exists():
        raise ValidationError(_("Decide the adjustments waiting for approval first."))
    if Objection.objects.filter(item_score__in=scores, state=Objection.State.OPEN).exists():
        raise ValidationError(_("Answer the open objections first."))
    run.frozen_at, run.frozen_by = timezone.now(), acting_user
    run.save(update_fields=["frozen_at", "frozen_by"])
    chain.append(run.campaign, run)
    record(
        run,
        HistoryEntry.Action.LOCK,
        actor=acting_user,
        campaign=run.campaign,
        note=note(gettext_noop("Result frozen (定档).")),
    )
    from .sanctions import apply_sanctions

    penalties = apply_sanctions(run)
    transaction.on_commit(lambda: _notify_penalties(penalties))
    return run


def _save_penalty_files(penalty: PenaltyAction, files, acting_user) -> None:
    for upload in files:
        PenaltyEvidence(
            penalty=penalty, file=upload, name=upload.name[:200], size=upload.size, uploaded_by=acting_user
        ).save()


@transaction.atomic
def add_penalty_evidence(penalty: PenaltyAction, *, files, acting_user) -> list[PenaltyEvidence]:
    """Evidence of how an open penalty action is being carried out (整改材料, 约谈记录): from the person
    responsible, the unit's liaisons or the office; every file through the one upload gate."""
    access = _access(acting_user, penalty.run.campaign)
    access.require(
        rights.can_act_on_penalty(access, penalty),
        _("Only the unit, the person responsible or the office adds evidence to a penalty action."),
    )
    files = list(files or [])
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    _check_files(files)
    penalty = lock_one(PenaltyAction, pk=penalty.pk)
    if penalty.state == PenaltyAction.State.CLOSED:
        raise ValidationError(_("This penalty action is already closed."))
    _save_penalty_files(penalty, files, acting_user)
    saved = list(penalty.files.order_by("-pk")[: len(files)])
    record(
        penalty,
        HistoryEntry.Action.COMMENT,
        actor=acting_user,
        campaign=penalty.run.campaign,
        note=note(gettext_noop("Evidence added: %(names)s"), names="、".join(f.name for f in reversed(saved))[:300]),
    )
    return saved


@transaction.atomic
def close_penalty(penalty: PenaltyAction, *, closure: str, files=(), acting_user) -> PenaltyAction:
    """The office closes a penalty action, saying how, with any last evidence (checked before anything is written)."""
    access = _access(acting_user, penalty.run.campaign)
    access.require(access.is_office, _("Only the office closes a penalty action."))
    files = list(files or [])
    _check_files(files)
    penalty = lock_one(PenaltyAction, pk=penalty.pk)
    if penalty.state == PenaltyAction.State.CLOSED:
        raise ValidationError(_("This penalty action is already closed."))
    closure = (closure or "").strip()
    if not closure:
        raise ValidationError({"closure": _("Say how it was closed.")})
    _save_penalty_files(penalty, files, acting_user)
    penalty.state, penalty.closure = PenaltyAction.State.CLOSED, closure
    penalty.closed_by, penalty.closed_at = acting_user, timezone.now()
    penalty.save(update_fields=["state", "closure", "closed_by", "closed_at"])
    record(
        penalty,
        HistoryEntry.Action.CLOSE,
        actor=acting_user,
        campaign=penalty.run.campaign,
        note=note(gettext_noop("Closed: %(text)s"), text=closure[:300]),
    )
    return penalty


@transaction.atomic
def assign_penalty(penalty: PenaltyAction, *, owner, acting_user) -> PenaltyAction:
    """The office names who must carry out a penalty action (约谈, 通报批评, 限期整改); that person is told."""
    access = _access(acting_user, penalty.run.campaign)
    access.require(access.is_office, _("Only the office assigns a penalty action."))
    penalty = lock_one(PenaltyAction, pk=penalty.pk)
    if penalty.state == PenaltyAction.State.CLOSED:
        raise ValidationError(_("This penalty action is already closed."))
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": _("Choose the person responsible.")})
    if not RoleGrant.objects.filter(user=owner, campaign=penalty.run.campaign).exists():
        # They are told with a link to the penalties page, which only people of the campaign may open.
        raise ValidationError({"owner": _("The person responsible must have a role in this campaign.")})
    if penalty.owner_id == owner.pk:
        return penalty
    before = snapshot(penalty, ("owner",))
    penalty.owner = owner
    penalty.save(update_fields=["owner"])
    record(
        penalty,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=penalty.run.campaign,
        changes=diff(penalty, before),
    )
    transaction.on_commit(lambda: _notify_penalties([penalty], owners_only=True))
    return penalty


# Notices ----------------------------------------------------------------------------------------------


def _liaisons_of(campaign, unit_ids):
    from taizhang.notices.rhythm import _liaisons, liaisons_for
    from taizhang.orgs.models import Unit

    everyone = _liaisons(campaign)
    for unit in Unit.objects.filter(pk__in=unit_ids):
        yield unit, liaisons_for(unit, everyone)


def _notify_review(run: ScoringRun) -> None:
    from django.urls import reverse

    from taizhang.notices.models import Reason
    from taizhang.notices.sending import notify

    unit_ids = UnitScore.objects.filter(run=run).values_list("unit_id", flat=True)
    for unit, users in _liaisons_of(run.campaign, list(unit_ids)):
        url = reverse("assessment:unit_breakdown", args=[run.campaign.slug, run.pk, unit.pk])
        for user in users:
            notify(
                reason=Reason.CHASE,
                scope=f"assessment-review:{run.pk}:{unit.pk}",
                subject=_("Assessment %(label)s: your scores are ready for review") % {"label": run.label},
                body=_("You may object until %(date)s.") % {"date": run.review_until.isoformat()},
                url=url,
                campaign=run.campaign,
                user=user,
            )


def _notify_penalties(penalties, *, owners_only: bool = False) -> None:
    """Each penalty to its unit's liaisons (unless ``owners_only``) and to the person who must carry it out."""
    from django.urls import reverse

    from taizhang.notices.models import Reason
    from taizhang.notices.sending import notify

    if not penalties:
        return
    campaign = penalties[0].run.campaign
    by_unit: dict[int, list] = {}
    for penalty in penalties:
        by_unit.setdefault(penalty.unit_id, []).append(penalty)
    liaisons = {} if owners_only else {unit.pk: list(users) for unit, users in _liaisons_of(campaign, list(by_unit))}
    for penalty in penalties:
        people = list(liaisons.get(penalty.unit_id, []))
        if penalty.owner is not None and all(user.pk != penalty.owner_id for user in people):
            people.append(penalty.owner)
        url = reverse("assessment:penalty_list", args=[campaign.slug, penalty.run_id])
        for user in people:
            notify(
                reason=Reason.CHASE,
                scope=f"assessment-penalty:{penalty.pk}",
                subject=_("Assessment penalty: %(kind)s") % {"kind": penalty.get_kind_display()},
                body=_("%(reason)s Deadline: %(date)s.")
                % {"reason": penalty.reason, "date": penalty.deadline.isoformat()},
                url=url,
                campaign=campaign,
                user=user,
            )
