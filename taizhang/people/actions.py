"""The writes of the people's side: demands, triage, acceptance, ratings, closing (销号), publication.

Each action checks permission, runs in one transaction and records history; emails go out on commit.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import Note, diff, note, record, snapshot
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import FINISHED_STATUSES, Item, Status
from taizhang.lib.media import check_upload
from taizhang.lib.text import search_key
from taizhang.orgs.access import Access
from taizhang.orgs.models import Role, RoleGrant

from .models import (
    Acceptance,
    AcceptanceAttachment,
    Channel,
    Demand,
    DemandStatus,
    LookBack,
    PeopleSettings,
    PublicItem,
    Rating,
)

PHOTO_MAX_BYTES = 5 * 1024 * 1024
STAFF_CHANNELS = (Channel.VISIT, Channel.HEARING, Channel.DISCUSSION, Channel.SURVEY, Channel.HOTLINE)


def today() -> datetime.date:
    return timezone.localdate()


def validate_photo(upload):
    """A real JPEG, PNG, GIF or WebP image within PHOTO_MAX_BYTES, re-encoded without metadata (lib.media)."""
    try:
        checked = check_upload(upload, max_bytes=PHOTO_MAX_BYTES, images_only=True)
    except ValidationError as error:
        raise ValidationError({"photo": error.messages}) from error
    return checked.stored_file()


def _office_emails(campaign) -> list[str]:
    return list(
        RoleGrant.objects.filter(campaign=campaign, role=Role.OFFICE)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )


def _mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
        )


# Demands -----------------------------------------------------------------------


@transaction.atomic
def submit_demand(*, campaign, data: dict, photo=None, acting_user=None) -> Demand:
    """Record a demand: from the public form (no user) or by staff who gathered it."""
    data = dict(data)
    channel = data.get("channel") or Channel.ONLINE
    is_staff_record = acting_user is not None and acting_user.is_authenticated
    if is_staff_record:
        access = Access.for_user(acting_user, campaign)
        if not (access.is_office or access.is_leader):
            raise PermissionDenied(_("Only the campaign office and leaders record demands."))
    elif channel != Channel.ONLINE:
        raise PermissionDenied(_("Only staff record demands from visits, hearings and discussions."))
    if not campaign.is_active:
        raise ValidationError(_("This campaign no longer takes problems."))
    text = (data.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what the problem is.")})
    category = data.get("category")
    if category is not None and category.campaign_id != campaign.pk:
        raise ValidationError({"category": _("Choose a category of this campaign.")})
    if photo:
        photo = validate_photo(photo)
    demand = Demand(
        campaign=campaign,
        channel=channel,
        category=category,
        unit=data.get("unit"),
        text=text,
        name=(data.get("name") or "").strip(),
        phone=(data.get("phone") or "").strip(),
        email=(data.get("email") or "").strip(),
        collected_on=data.get("collected_on"),
        place=(data.get("place") or "").strip(),
        collected_by=(data.get("collected_by") or "").strip(),
        recorded_by=acting_user if is_staff_record else None,
        objection_to=data.get("objection_to"),
    )
    demand.search_text = search_key(text)
    if photo:
        demand.photo = photo
    demand.full_clean(exclude=["photo", "tracking_code"])
    demand.save()
    record(demand, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign, note=demand.get_channel_display())
    return demand


def _require_office(campaign, user, message: str | None = None) -> Access:
    access = Access.for_user(user, campaign)
    if not access.is_office:
        raise PermissionDenied(message or _("Only the campaign office does this."))
    return access


def _set_demand_status(demand: Demand, status: str, *, acting_user, note: "str | Note" = "") -> None:
    before = snapshot(demand, ("status",))
    demand.status = status
    demand.save()
    record(
        demand,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=demand.campaign,
        changes=diff(demand, before),
        note=note,
    )


@transaction.atomic
def create_item_from_demands(demands: list[Demand], *, data: dict, partner_units=(), acting_user) -> Item:
    """A new item on the list from one or several demands; the item keeps them as its source."""
    if not demands:
        raise ValidationError(_("Choose at least one problem."))
    campaign = demands[0].campaign
    if any(d.campaign_id != campaign.pk for d in demands):
        raise ValidationError(_("The problems must belong to the same campaign."))
    _require_office(campaign, acting_user)
    item = ledger_actions.create_item(
        campaign=campaign, data=data, partner_units=partner_units, acting_user=acting_user
    )
    for demand in demands:
        _link(demand, item, acting_user=acting_user)
    return item


def _link(demand: Demand, item: Item, *, acting_user) -> None:
    demand.items.add(item)
    if demand.status != DemandStatus.IN_LIST:
        _set_demand_status(
            demand,
            DemandStatus.IN_LIST,
            acting_user=acting_user,
            note=note(gettext_noop("Linked to %(code)s"), code=item.code),
        )


@transaction.atomic
def link_demand(demand: Demand, item: Item, *, acting_user) -> Demand:
    """Record that an existing item answers this demand."""
    _require_office(demand.campaign, acting_user)
    if item.campaign_id != demand.campaign_id:
        raise ValidationError(_("Choose an item of the same campaign."))
    if item.status == Status.WITHDRAWN:
        raise ValidationError(_("Cannot link to a withdrawn item."))
    _link(demand, item, acting_user=acting_user)
    return demand


@transaction.atomic
def merge_demand(demand: Demand, *, into: Demand, acting_user) -> Demand:
    """Mark a demand as a duplicate of another; it follows the other's items from then on."""
    _require_office(demand.campaign, acting_user)
    if into.pk == demand.pk or into.campaign_id != demand.campaign_id:
        raise ValidationError(_("Choose another problem of the same campaign."))
    if into.duplicate_of_id:
        into = into.duplicate_of
    demand.duplicate_of = into
    for item in demand.items.all():
        into.items.add(item)
    _set_demand_status(
        demand,
        DemandStatus.MERGED,
        acting_user=acting_user,
        note=note(gettext_noop("Same as %(code)s"), code=into.tracking_code),
    )
    return demand


@transaction.atomic
def answer_demand(demand: Demand, *, reply: str, acting_user) -> Demand:
    """Answer a demand without an item; the submitter reads the reply on the status page."""
    _require_office(demand.campaign, acting_user)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("Write the reply.")})
    demand.reply = reply
    demand.replied_at = timezone.now()
    _set_demand_status(demand, DemandStatus.ANSWERED, acting_user=acting_user, note=reply[:500])
    if demand.email:
        _mail_on_commit(
            _("Your problem %(code)s has been answered") % {"code": demand.tracking_code},
            reply,
            [demand.email],
        )
    return demand


# Notifications to the people who raised an item's problems ---------------------


def _submitters(item: Item) -> list[Demand]:
    direct = list(item.demands.all())
    dups = list(Demand.objects.filter(duplicate_of__in=direct))
    return direct + dups


def _tell_submitters(item: Item, subject: str, body: str, request_base: str = "") -> None:
    for demand in _submitters(item):
        if demand.email:
            # No site address is configured, so the mail carries the code and the path to open it with.
            link = request_base + reverse("people:track", args=[demand.tracking_code])
            code_line = _("Your tracking code: %(code)s") % {"code": demand.tracking_code}
            _mail_on_commit(subject, f"{body}\n\n{code_line}\n{link}", [demand.email])


# Acceptance --------------------------------------------------------------------


@transaction.atomic
def record_acceptance(item: Item, *, data: dict, attachments=(), acting_user) -> Acceptance:
    """验收: passed, or returned for rework with reasons. Passing tells the people and asks them to rate."""
    _require_office(item.campaign, acting_user, _("Only the campaign office accepts items."))
    if item.status in FINISHED_STATUSES:
        raise ValidationError(_("This item is already closed or withdrawn."))
    result = data.get("result")
    if result == Acceptance.Result.RETURNED and not (data.get("reasons") or "").strip():
        raise ValidationError({"reasons": _("Say why the item is returned.")})
    if not (data.get("checkers") or "").strip():
        raise ValidationError({"checkers": _("Name the checkers.")})
    for upload in attachments:
        ledger_actions.validate_attachment(upload)
    acceptance = Acceptance(
        item=item,
        checked_on=data.get("checked_on") or today(),
        checkers=data["checkers"].strip(),
        result=result,
        reasons=(data.get("reasons") or "").strip(),
        statement=(data.get("statement") or "").strip(),
        recorded_by=acting_user,
    )
    acceptance.full_clean()
    acceptance.save()
    for upload in attachments:
        AcceptanceAttachment.objects.create(
            acceptance=acceptance, file=upload, name=upload.name[:200], size=upload.size
        )
    said = {
        Acceptance.Result.PASSED: gettext_noop("Acceptance: passed. %(text)s"),
        Acceptance.Result.RETURNED: gettext_noop("Acceptance: returned for rework. %(text)s"),
    }[acceptance.result]
    text = (acceptance.reasons or acceptance.statement).strip()
    record(item, HistoryEntry.Action.ACCEPTANCE, actor=acting_user, campaign=item.campaign, note=note(said, text=text))
    if result == Acceptance.Result.PASSED:
        _tell_submitters(
            item,
            _("The item for your problem has passed acceptance"),
            _("%(title)s has passed acceptance. Please tell us whether you are satisfied.") % {"title": item.title},
        )
    return acceptance


def latest_acceptance(item: Item) -> Acceptance | None:
    return item.acceptances.order_by("-created_at", "-id").first()


# Ratings -----------------------------------------------------------------------


@dataclass
class RatingSummary:
    satisfied: int
    basic: int
    dissatisfied: int
    threshold: int

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.dissatisfied

    @property
    def verdict(self) -> str:
        """'satisfied', 'basic', 'dissatisfied' or '' (no ratings yet), by the campaign's threshold.

        More than threshold% 满意 → satisfied; otherwise 满意+基本满意 over threshold% → basically satisfied.
        """
        if not self.total:
            return ""
        if self.satisfied * 100 > self.threshold * self.total:
            return Rating.Value.SATISFIED
        if (self.satisfied + self.basic) * 100 > self.threshold * self.total:
            return Rating.Value.BASIC
        return Rating.Value.DISSATISFIED

    @property
    def verdict_label(self) -> str:
        return Rating.Value(self.verdict).label if self.verdict else _("no ratings yet")

    @property
    def reached(self) -> bool:
        return self.verdict in (Rating.Value.SATISFIED, Rating.Value.BASIC)


def rating_summary(item: Item) -> RatingSummary:
    counts = dict.fromkeys(Rating.Value.values, 0)
    for value in item.ratings.values_list("value", flat=True):
        counts[value] += 1
    return RatingSummary(
        satisfied=counts[Rating.Value.SATISFIED],
        basic=counts[Rating.Value.BASIC],
        dissatisfied=counts[Rating.Value.DISSATISFIED],
        threshold=item.campaign.satisfied_threshold,
    )


def can_be_rated(item: Item) -> bool:
    """People rate an item once it is done or accepted; withdrawn items are not rated."""
    if item.status == Status.WITHDRAWN:
        return False
    return (
        item.status in (Status.COMPLETED, Status.CLOSED)
        or item.acceptances.filter(result=Acceptance.Result.PASSED).exists()
    )


def rate_item(item: Item, *, value: str, comment: str = "", voter: str, demand: Demand | None = None, ip_hash=""):
    """One rating per person per item; a 不满意 with a comment notifies the office."""
    if value not in Rating.Value.values:
        raise ValidationError({"value": _("Choose satisfied, basically satisfied or dissatisfied.")})
    if not can_be_rated(item):
        raise ValidationError(_("This item cannot be rated yet."))
    comment = (comment or "").strip()[:2000]
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                item=item, value=value, comment=comment, voter=voter, demand=demand, ip_hash=ip_hash
            )
            if value == Rating.Value.DISSATISFIED and comment:
                _mail_on_commit(
                    _("Dissatisfied rating on %(code)s") % {"code": item.code},
                    f"{item.code} {item.title}\n\n{comment}",
                    _office_emails(item.campaign),
                )
    except IntegrityError:
        raise ValidationError(_("You have already rated this item.")) from None
    return rating


# Closing (销号) ------------------------------------------------------------------


def closing_blockers(item: Item, *, on: datetime.date | None = None) -> list[str]:
    """Why the item cannot be closed yet; empty when it can."""
    on = on or today()
    reasons = []
    if item.status in FINISHED_STATUSES:
        reasons.append(_("The item is already closed or withdrawn."))
        return reasons
    acceptance = latest_acceptance(item)
    if acceptance is None or acceptance.result != Acceptance.Result.PASSED:
        reasons.append(_("The item has not passed acceptance."))
    if item.campaign.ratings_required and item.demands.exists():
        summary = rating_summary(item)
        if not summary.reached:
            reasons.append(
                _("Ratings have not reached the threshold (%(verdict)s, %(n)d ratings).")
                % {"verdict": summary.verdict_label, "n": summary.total}
            )
    publication = PublicItem.objects.filter(item=item).first()
    if publication and publication.objection_open(on):
        reasons.append(
            _("The objection window is open until %(date)s.") % {"date": publication.objection_until.isoformat()}
        )
    return reasons


@transaction.atomic
def close_item(item: Item, *, statement: str = "", acting_user) -> Item:
    """销号: only the office, only when acceptance passed and ratings reach the threshold."""
    _require_office(item.campaign, acting_user, _("Only the campaign office closes items."))
    current = Item.objects.select_for_update().select_related("campaign").get(pk=item.pk)
    blockers = closing_blockers(current)
    if blockers:
        raise ValidationError(blockers)
    before = snapshot(current, ("status",))
    current.status = Status.CLOSED
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    record(
        current,
        HistoryEntry.Action.CLOSE,
        actor=acting_user,
        campaign=current.campaign,
        changes=diff(current, before),
        note=note(gettext_noop("Closed (销号). %(statement)s"), statement=(statement or "").strip()),
    )
    days = PeopleSettings.for_campaign(current.campaign).lookback_days
    LookBack.objects.create(item=current, due_on=today() + datetime.timedelta(days=days))
    ledger_actions.recompute_item(current, actor=acting_user)
    _tell_submitters(
        current,
        _("The item for your problem is closed"),
        _("%(title)s is closed. If you have not rated it yet, please tell us whether you are satisfied.")
        % {"title": current.title},
    )
    return current


@transaction.atomic
def reopen_item(item: Item, *, reason: str, acting_user) -> Item:
    """复号: a closed item goes back to work; its open status comes from its latest progress."""
    _require_office(item.campaign, acting_user, _("Only the campaign office reopens items."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    current = Item.objects.select_for_update().select_related("campaign").get(pk=item.pk)
    if current.status != Status.CLOSED:
        raise ValidationError(_("Only a closed item can be reopened."))
    before = snapshot(current, ("status",))
    # derive_percent_and_status keeps finished statuses, so leave CLOSED first and let it derive.
    current.status = Status.COMPLETED if current.percent >= 100 else Status.IN_PROGRESS
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    ledger_actions.recompute_item(current, actor=acting_user)
    current.refresh_from_db()
    # Nothing is deleted: a pending look-back is marked as cancelled by the reopening.
    LookBack.objects.filter(item=current, done_on__isnull=True).update(
        done_on=today(), result=_("Cancelled: the item was reopened.")
    )
    record(
        current,
        HistoryEntry.Action.REOPEN,
        actor=acting_user,
        campaign=current.campaign,
        changes=diff(current, before),
        note=note(gettext_noop("Reopened: %(reason)s"), reason=reason),
    )
    return current


@transaction.atomic
def record_lookback(lookback: LookBack, *, holds: bool, result: str, acting_user) -> LookBack:
    """回头看: the result of re-checking a closed item; when it does not hold, reopen it."""
    item = lookback.item
    _require_office(item.campaign, acting_user)
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": _("Describe what the look-back found.")})
    if lookback.done_on:
        raise ValidationError(_("This look-back is already recorded."))
    lookback.done_on = today()
    lookback.holds = holds
    lookback.result = result
    lookback.recorded_by = acting_user
    lookback.save()
    record(
        item,
        HistoryEntry.Action.LOOK_BACK,
        actor=acting_user,
        campaign=item.campaign,
        note=note(gettext_noop("Look-back: %(result)s"), result=result),
    )
    if not holds and item.status == Status.CLOSED:
        reopen_item(
            item, reason=_("Look-back found a problem: %(result)s") % {"result": result}, acting_user=acting_user
        )
    return lookback


# The public page ---------------------------------------------------------------


@transaction.atomic
def publish_item(item: Item, *, acting_user, for_objection: bool = False) -> PublicItem:
    """Put an item on the public page; ``for_objection`` also opens the objection window (公示)."""
    _require_office(item.campaign, acting_user, _("Only the campaign office publishes items."))
    if item.status == Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn item is not published."))
    publication, _created = PublicItem.objects.get_or_create(item=item, defaults={"published_by": acting_user})
    if for_objection:
        days = PeopleSettings.for_campaign(item.campaign).objection_days
        publication.objection_from = today()
        publication.objection_until = today() + datetime.timedelta(days=days)
        publication.save()
    said = (
        note(gettext_noop("Posted for objections until %(date)s"), date=publication.objection_until.isoformat())
        if for_objection
        else note(gettext_noop("Published on the public page"))
    )
    record(item, HistoryEntry.Action.PUBLISH, actor=acting_user, campaign=item.campaign, note=said)
    return publication


@transaction.atomic
def unpublish_item(item: Item, *, acting_user) -> None:
    _require_office(item.campaign, acting_user, _("Only the campaign office publishes items."))
    PublicItem.objects.filter(item=item).delete()
    record(
        item,
        HistoryEntry.Action.PUBLISH,
        actor=acting_user,
        campaign=item.campaign,
        note=note(gettext_noop("Unpublished")),
    )


def submit_objection(item: Item, *, data: dict) -> Demand:
    """An objection during the posting window arrives as a demand for the office."""
    publication = PublicItem.objects.filter(item=item).first()
    if publication is None or not publication.objection_open(today()):
        raise ValidationError(_("This item is not open for objections."))
    return submit_demand(
        campaign=item.campaign,
        data={**data, "channel": Channel.ONLINE, "objection_to": item, "category": item.category},
    )
