"""The writes on an item's life after "completed": acceptance (验收), closing (销号), reopening (复号), look-backs (回头看).

Each action checks permission, runs in one transaction and records history; the people who raised the
item's problems are told on commit. This app sits above the ledger and people: it reads the people's
ratings and objection window through ``taizhang.people.queries`` and tells submitters through
``taizhang.people.actions``; neither imports it.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.audit import chain
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import note, record
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import FINISHED_STATUSES, Item, Status
from taizhang.lib.locks import lock_one
from taizhang.orgs.access import Access
from taizhang.people.actions import tell_submitters
from taizhang.people.models import PeopleSettings, PublicItem
from taizhang.people.queries import open_objection_window, rating_summary

from .evidence import chain_closing
from .models import Acceptance, AcceptanceAttachment, LookBack
from .queries import latest_acceptance


def today() -> datetime.date:
    return ledger_actions.today()


def _require_office(campaign, user, message: str | None = None) -> Access:
    access = Access.for_user(user, campaign)
    if not access.is_office:
        raise PermissionDenied(message or _("Only the campaign office does this."))
    return access


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
    chain.append(item.campaign, acceptance)
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
        tell_submitters(
            item,
            _("The item for your problem has passed acceptance"),
            _("%(title)s has passed acceptance. Please tell us whether you are satisfied.") % {"title": item.title},
        )
    return acceptance


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
    publication = open_objection_window(item, on)
    if publication is not None:
        reasons.append(
            _("The objection window is open until %(date)s.") % {"date": publication.objection_until.isoformat()}
        )
    return reasons


def closing_preview(item: Item, *, on: datetime.date | None = None) -> dict:
    """What closing the item would mean, for the office to confirm: the facts it rests on and what follows."""
    on = on or today()
    has_demands = item.demands.exists()
    publication = PublicItem.objects.filter(item=item).first()
    days = PeopleSettings.for_campaign(item.campaign).lookback_days
    return {
        "blockers": closing_blockers(item, on=on),
        "acceptance": latest_acceptance(item),
        "ratings": rating_summary(item) if has_demands else None,
        "ratings_required": item.campaign.ratings_required and has_demands,
        "publication": publication,
        "lookback_on": on + datetime.timedelta(days=days),
        "submitters_told": item.demands.exclude(email="").count(),
    }


@transaction.atomic
def close_item(item: Item, *, statement: str = "", acting_user) -> Item:
    """销号: only the office, only when acceptance passed and ratings reach the threshold."""
    _require_office(item.campaign, acting_user, _("Only the campaign office closes items."))
    current = lock_one(Item.objects.select_related("campaign"), pk=item.pk)
    blockers = closing_blockers(current)
    if blockers:
        raise ValidationError(blockers)
    current = ledger_actions.set_item_status(
        current,
        status=Status.CLOSED,
        acting_user=acting_user,
        action=HistoryEntry.Action.CLOSE,
        note=note(gettext_noop("Closed (销号). %(statement)s"), statement=(statement or "").strip()),
    )
    chain_closing(current, HistoryEntry.Action.CLOSE)
    days = PeopleSettings.for_campaign(current.campaign).lookback_days
    LookBack.objects.create(item=current, due_on=today() + datetime.timedelta(days=days))
    tell_submitters(
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
    current = lock_one(Item.objects.select_related("campaign"), pk=item.pk)
    if current.status != Status.CLOSED:
        raise ValidationError(_("Only a closed item can be reopened."))
    # Back to work: the open status follows from its progress (the ledger derives it once not closed).
    current = ledger_actions.set_item_status(
        current,
        status=Status.COMPLETED if current.percent >= 100 else Status.IN_PROGRESS,
        acting_user=acting_user,
        action=HistoryEntry.Action.REOPEN,
        note=note(gettext_noop("Reopened: %(reason)s"), reason=reason),
    )
    chain_closing(current, HistoryEntry.Action.REOPEN)
    # Nothing is deleted: a pending look-back is marked as cancelled by the reopening.
    LookBack.objects.filter(item=current, done_on__isnull=True).update(
        done_on=today(), result=_("Cancelled: the item was reopened.")
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
