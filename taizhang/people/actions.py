"""The writes of the people's side: demands, triage, ratings, publication.

Acceptance, closing (销号), reopening and look-backs are in ``taizhang.acceptance``, above this app.

Each action checks permission, runs in one transaction and records history; emails go out on commit.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.audit import chain
from taizhang.campaigns.models import DemandNotice
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import Note, diff, note, record, snapshot
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import Item, Status
from taizhang.lib.media import check_upload
from taizhang.lib.text import search_key
from taizhang.orgs.access import Access
from taizhang.orgs.models import Role, RoleGrant

from . import queries
from .models import Channel, Demand, DemandStatus, PeopleSettings, PublicItem, Rating, RatingBallot
from .queries import RatingSummary, rating_summary  # noqa: F401  (read here by pages and templates)

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
    if not is_staff_record and campaign.demand_notice == DemandNotice.EACH:
        tell_office_of_demand(demand)
    return demand


def _tell_office(campaign, *, scope: str, subject: str, body: str, url: str) -> int:
    """The office's people (bell and mail, by their preferences) and the group robots of their units."""
    from taizhang.notices.models import GroupRobot, Reason
    from taizhang.notices.sending import notify

    grants = list(RoleGrant.objects.filter(campaign=campaign, role=Role.OFFICE).select_related("user"))
    made = 0
    for user in {g.user for g in grants}:
        message = notify(
            reason=Reason.DEMAND, scope=scope, subject=subject, body=body, url=url, campaign=campaign, user=user
        )
        made += message is not None
    # The robots of the office's own unit (the grant's, else the person's).
    units = {g.unit_id or g.user.unit_id for g in grants} - {None}
    for robot in GroupRobot.objects.filter(unit__in=units, is_active=True):
        message = notify(
            reason=Reason.DEMAND, scope=scope, subject=subject, body=body, url=url, campaign=campaign, robot=robot
        )
        made += message is not None
    return made


def tell_office_of_demand(demand: Demand) -> int:
    """A problem from the public reaches the office once (the notice's key is the problem)."""
    where = f"（{demand.unit.name}）" if demand.unit_id else ""
    kind = _("An objection") if demand.objection_to_id else _("A new problem")
    return _tell_office(
        demand.campaign,
        scope=f"demand:{demand.pk}",
        subject=_("%(kind)s from the public: %(code)s") % {"kind": kind, "code": demand.tracking_code},
        body=f"{demand.text[:300]}{where}",
        url=reverse("people:demand_detail", args=[demand.campaign.slug, demand.pk]),
    )


def send_demand_digest(campaign, *, on: datetime.date) -> int:
    """The day's problems from the public in one message to the office, for campaigns that chose a digest."""
    if campaign.demand_notice != DemandNotice.DAILY:
        return 0
    day = queries.public_demands_of_day(campaign, on)
    if not day:
        return 0
    lines = [f"- {d.tracking_code} {d.text[:80]}" for d in day]
    return _tell_office(
        campaign,
        scope=f"demand-digest:{on.isoformat()}",
        subject=_("%(n)d new problems from the public on %(date)s") % {"n": len(day), "date": on.isoformat()},
        body="\n".join(lines),
        url=reverse("people:demand_list", args=[campaign.slug]),
    )


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


def tell_submitters(item: Item, subject: str, body: str, request_base: str = "") -> None:
    """Mail everyone who raised one of the item's problems (acceptance and closing tell them too)."""
    for demand in _submitters(item):
        if demand.email:
            # No site address is configured, so the mail carries the code and the path to open it with.
            link = request_base + reverse("people:track", args=[demand.tracking_code])
            code_line = _("Your tracking code: %(code)s") % {"code": demand.tracking_code}
            _mail_on_commit(subject, f"{body}\n\n{code_line}\n{link}", [demand.email])


# Ratings -----------------------------------------------------------------------


def can_be_rated(item: Item) -> bool:
    """People rate an item once it is done or accepted; withdrawn items are not rated."""
    if item.status == Status.WITHDRAWN:
        return False
    return item.status in (Status.COMPLETED, Status.CLOSED) or queries.item_ever_passed_acceptance(item)


def rate_item(
    item: Item,
    *,
    value: str,
    comment: str = "",
    voter: str = "",
    demand: Demand | None = None,
    ballot: RatingBallot | None = None,
    ip_hash="",
):
    """One rating per person per item; a 不满意 with a comment notifies the office.

    The person is the submitter of one of the item's problems (``demand``), the holder of one of the
    item's single-use codes (``ballot``, claimed here so two tabs cannot spend it twice), or a
    ``voter`` key given by the caller (imports, tests).
    """
    if value not in Rating.Value.values:
        raise ValidationError({"value": _("Choose satisfied, basically satisfied or dissatisfied.")})
    if not can_be_rated(item):
        raise ValidationError(_("This item cannot be rated yet."))
    if ballot is not None:
        if ballot.invitation.item_id != item.pk:
            raise ValidationError({"ballot": _("This code is not valid for this item.")})
        voter = f"ballot:{ballot.pk}"
    elif demand is not None:
        voter = f"demand:{demand.pk}"
    if not voter:
        raise ValidationError(_("Who is rating is not known."))
    comment = (comment or "").strip()[:2000]
    try:
        with transaction.atomic():
            if ballot is not None:
                claimed = RatingBallot.objects.filter(
                    pk=ballot.pk, used_at__isnull=True, invitation__closed_at__isnull=True
                ).update(used_at=timezone.now())
                if not claimed:
                    raise ValidationError({"ballot": _("This code has already been used.")})
            rating = Rating.objects.create(
                item=item, value=value, comment=comment, voter=voter, demand=demand, ip_hash=ip_hash
            )
            chain.append(item.campaign, rating)
            if value == Rating.Value.DISSATISFIED and comment:
                _mail_on_commit(
                    _("Dissatisfied rating on %(code)s") % {"code": item.code},
                    f"{item.code} {item.title}\n\n{comment}",
                    _office_emails(item.campaign),
                )
    except IntegrityError:
        raise ValidationError(_("You have already rated this item.")) from None
    return rating


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


# The people's-side settings and API keys, on a page (the office only) --------------------

SETTINGS_FIELDS = ("lookback_days", "objection_days", "submissions_per_hour")


@transaction.atomic
def save_people_settings(campaign, *, data: dict, acting_user) -> PeopleSettings:
    """Look-back days, the objection window and the public submission limit; the change in history."""
    _require_office(campaign, acting_user, _("Only the campaign office changes these settings."))
    current, _created = PeopleSettings.objects.select_for_update().get_or_create(campaign=campaign)
    before = snapshot(current, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    current.full_clean()
    changes = diff(current, before)
    if changes:
        current.save()
        record(current, HistoryEntry.Action.UPDATE, actor=acting_user, changes=changes, campaign=campaign)
    return current


@transaction.atomic
def create_api_key(campaign, *, name: str, acting_user):
    """A new Open311 key for a client: (key, secret); the secret is shown once, on the page that made it."""
    from .models import ApiKey

    _require_office(campaign, acting_user, _("Only the campaign office manages API keys."))
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationError({"name": _("Name the client the key is for.")})
    key, secret = ApiKey.issue(campaign, name)
    record(key, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign, note=name)
    return key, secret


@transaction.atomic
def set_api_key_active(key, *, active: bool, acting_user):
    _require_office(key.campaign, acting_user, _("Only the campaign office manages API keys."))
    if key.is_active != active:
        key.is_active = active
        key.save(update_fields=["is_active"])
        record(
            key,
            HistoryEntry.Action.ACTIVATE if active else HistoryEntry.Action.DEACTIVATE,
            actor=acting_user,
            campaign=key.campaign,
        )
    return key
