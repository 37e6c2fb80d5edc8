"""Every write on cases and bulletins: permission (Access), one transaction, history with msgid notes.

Cases: draft → submitted → returned (with a comment) / accepted → published; the model mark
(特色样板) with a reason. Bulletins: draft → signed off (by the office) → published, with the
figures computed and frozen at publication; a published issue never changes (an erratum is a new issue).
"""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.audit import chain
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, note, record, snapshot
from taizhang.lib.locks import lock_one
from taizhang.orgs.access import Access

from . import figures, outputs, richtext
from .models import Bulletin, BulletinEntry, Practice, PracticePhoto, ReadReceipt, Signatory

Action = HistoryEntry.Action
PS = Practice.Status
BS = Bulletin.Status
MAX_PHOTOS = 20


# Permissions -------------------------------------------------------------------------------------


def can_write_case(access: Access, unit) -> bool:
    """The office, or the liaison of the case's unit (or of a unit above it)."""
    return access.is_office or access.speaks_for(unit)


def can_read_case(access: Access, practice: Practice) -> bool:
    if access.is_office or access.is_leader or access.speaks_for(practice.unit):
        return True
    return access.can_view and practice.status == PS.PUBLISHED


def can_edit_case(access: Access, practice: Practice) -> bool:
    return practice.is_editable and can_write_case(access, practice.unit)


def _access(acting_user, campaign) -> Access:
    return Access.for_user(acting_user, campaign)


def _locked_case(practice: Practice) -> Practice:
    return lock_one(Practice.objects.select_related("campaign", "unit"), pk=practice.pk)


def _status_change(practice, before, *, acting_user, action, said=""):
    record(practice, action, actor=acting_user, campaign=practice.campaign, changes=diff(practice, before), note=said)


# Cases -------------------------------------------------------------------------------------------


def _apply(practice: Practice, data: dict) -> None:
    practice.title = (data.get("title") or "").strip()
    if not practice.title:
        raise ValidationError({"title": _("Give the case a title.")})
    practice.summary = (data.get("summary") or "").strip()
    practice.body = richtext.clean(data.get("body") or "")
    practice.refresh_search_text()


def _links(practice: Practice, data: dict) -> None:
    campaign = practice.campaign
    for name in ("categories", "key_tasks", "items"):
        if name in data:
            values = list(data[name] or [])
            if any(getattr(v, "campaign_id", campaign.pk) != campaign.pk for v in values):
                raise ValidationError({name: _("Choose only this campaign's entries.")})
            getattr(practice, name).set(values)


@transaction.atomic
def create_practice(campaign, *, data: dict, acting_user, source_report=None) -> Practice:
    """A new case, as a draft of the unit (the unit's liaison, or the office for any unit)."""
    access = _access(acting_user, campaign)
    unit = data.get("unit")
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit.")})
    if not can_write_case(access, unit):
        raise PermissionDenied(_("You can write cases only for your own unit."))
    practice = Practice(
        campaign=campaign,
        unit=unit,
        year=timezone.localdate().year,
        created_by=acting_user,
        source_report=source_report,
    )
    _apply(practice, data)
    practice.save()
    _links(practice, data)
    said = (
        note(gettext_noop("Drafted from the monthly report of %(period)s."), period=str(source_report.period))
        if (source_report)
        else ""
    )
    record(practice, Action.CREATE, actor=acting_user, campaign=campaign, note=said)
    return practice


@transaction.atomic
def update_practice(practice: Practice, *, data: dict, acting_user) -> Practice:
    """Change a draft or a returned case (a submitted, accepted or published one is locked)."""
    practice = _locked_case(practice)
    access = _access(acting_user, practice.campaign)
    if not can_write_case(access, practice.unit):
        raise PermissionDenied(_("You can write cases only for your own unit."))
    if not practice.is_editable:
        raise ValidationError(_("This case is submitted or published; it can no longer be changed."))
    if data.get("unit") is not None and data["unit"] != practice.unit and not can_write_case(access, data["unit"]):
        raise PermissionDenied(_("You can write cases only for your own unit."))
    before = snapshot(practice, Practice.AUDITED_FIELDS)
    if data.get("unit") is not None:
        practice.unit = data["unit"]
    _apply(practice, data)
    practice.save()
    _links(practice, data)
    changes = diff(practice, before)
    if changes:
        record(practice, Action.UPDATE, actor=acting_user, campaign=practice.campaign, changes=changes)
    return practice


@transaction.atomic
def add_photo(practice: Practice, *, upload, caption: str = "", acting_user) -> PracticePhoto:
    """Attach a checked photo to a case that can still be edited."""
    practice = _locked_case(practice)
    if not can_edit_case(_access(acting_user, practice.campaign), practice):
        raise PermissionDenied(_("Only the unit can add photos to a case it can still edit."))
    if practice.photos.count() >= MAX_PHOTOS:
        raise ValidationError(_("A case has at most %(n)s photos.") % {"n": MAX_PHOTOS})
    content_type, width, height = richtext.check_image(upload)
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}[content_type]
    photo = PracticePhoto(
        practice=practice,
        name=(upload.name or "photo")[-200:],
        size=upload.size,
        content_type=content_type,
        width=width,
        height=height,
        caption=(caption or "").strip()[:200],
    )
    photo.file.save(f"{secrets.token_hex(8)}.{extension}", upload, save=False)
    photo.save()
    record(
        practice,
        Action.UPDATE,
        actor=acting_user,
        campaign=practice.campaign,
        note=note(gettext_noop("Photo added: %(name)s"), name=photo.name),
    )
    return photo


@transaction.atomic
def submit_practice(practice: Practice, *, acting_user) -> Practice:
    practice = _locked_case(practice)
    if not can_write_case(_access(acting_user, practice.campaign), practice.unit):
        raise PermissionDenied(_("Only the unit's liaison submits its cases."))
    if practice.status not in Practice.EDITABLE:
        raise ValidationError(_("This case is already submitted."))
    if not practice.body.strip() and not practice.summary.strip():
        raise ValidationError(_("Write the case before submitting it."))
    before = snapshot(practice, ["status"])
    resubmission = practice.status == PS.RETURNED
    practice.status = PS.SUBMITTED
    practice.submitted_at = timezone.now()
    practice.save()
    said = note(gettext_noop("Resubmitted.")) if resubmission else ""
    _status_change(practice, before, acting_user=acting_user, action=Action.SUBMIT, said=said)
    return practice


def _office_case(practice, acting_user, allowed: tuple, message: str) -> Practice:
    practice = _locked_case(practice)
    if not _access(acting_user, practice.campaign).is_office:
        raise PermissionDenied(_("Only the campaign office reviews and publishes cases."))
    if practice.status not in allowed:
        raise ValidationError(message)
    return practice


@transaction.atomic
def return_practice(practice: Practice, *, comment: str, acting_user) -> Practice:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what should be changed.")})
    practice = _office_case(practice, acting_user, (PS.SUBMITTED,), _("Only a submitted case can be returned."))
    before = snapshot(practice, ["status"])
    practice.status = PS.RETURNED
    practice.return_comment = comment
    practice.save()
    _status_change(practice, before, acting_user=acting_user, action=Action.RETURN, said=comment)
    return practice


@transaction.atomic
def accept_practice(practice: Practice, *, acting_user) -> Practice:
    practice = _office_case(practice, acting_user, (PS.SUBMITTED,), _("Only a submitted case can be accepted."))
    before = snapshot(practice, ["status"])
    practice.status = PS.ACCEPTED
    practice.save()
    _status_change(practice, before, acting_user=acting_user, action=Action.ACCEPT)
    return practice


def _publish_case(practice: Practice, acting_user, now) -> None:
    before = snapshot(practice, ["status"])
    practice.status = PS.PUBLISHED
    practice.published_at = now
    practice.save()
    _status_change(practice, before, acting_user=acting_user, action=Action.PUBLISH)


@transaction.atomic
def publish_practice(practice: Practice, *, acting_user, now: datetime.datetime | None = None) -> Practice:
    practice = _office_case(practice, acting_user, (PS.ACCEPTED,), _("Only an accepted case can be published."))
    _publish_case(practice, acting_user, now or timezone.now())
    return practice


@transaction.atomic
def mark_model(practice: Practice, *, is_model: bool, reason: str = "", acting_user) -> Practice:
    """Give (with a reason) or take away the 特色样板 mark; only accepted or published cases."""
    practice = _office_case(
        practice, acting_user, (PS.ACCEPTED, PS.PUBLISHED), _("Only an accepted case can be marked as a model.")
    )
    reason = (reason or "").strip()
    if is_model and not reason:
        raise ValidationError({"reason": _("Give the reason for the model mark.")})
    before = snapshot(practice, ["is_model", "model_reason"])
    practice.is_model = is_model
    practice.model_reason = reason if is_model else ""
    practice.save()
    _status_change(practice, before, acting_user=acting_user, action=Action.UPDATE, said=reason)
    return practice


@transaction.atomic
def practice_from_report(report, *, acting_user) -> Practice:
    """The office drafts a case from a unit's monthly report: its 经验做法 text is the draft, linked back."""
    campaign = report.period.campaign
    if not _access(acting_user, campaign).is_office:
        raise PermissionDenied(_("Only the campaign office drafts cases from reports."))
    text = (report.practices or "").strip()
    if not text:
        raise ValidationError(_("This report has no experience and practices text."))
    existing = Practice.objects.filter(source_report=report).first()
    if existing is not None:
        return existing
    from django.utils.html import escape

    body = "".join(f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())
    title = _("%(unit)s: experience and practices, %(period)s") % {
        "unit": report.unit.display_name,
        "period": report.period,
    }
    return create_practice(
        campaign,
        data={"title": title[:200], "unit": report.unit, "summary": text[:300], "body": body},
        acting_user=acting_user,
        source_report=report,
    )


@transaction.atomic
def practice_from_activity(activity, *, acting_user) -> Practice:
    """A held study activity becomes a draft case of its unit (through :func:`create_practice`), linked back.

    Its summary is the draft, its key task and photos come along; a second time returns the case already made.
    """
    from django.core.files import File
    from django.utils.html import escape

    from taizhang.study.models import Activity

    campaign = activity.campaign
    if not can_write_case(_access(acting_user, campaign), activity.unit):
        raise PermissionDenied(_("You can write cases only for your own unit."))
    if activity.state != Activity.State.HELD:
        raise ValidationError(_("Only an activity that was held can become a good-practice case."))
    existing = Practice.objects.filter(source_activity=activity).first()
    if existing is not None:
        return existing
    text = (activity.summary or "").strip()
    facts = f"{activity.kind.name} · {activity.starts_at.astimezone(timezone.get_current_timezone()):%Y-%m-%d}"
    if activity.place:
        facts += f" · {activity.place}"
    body = f"<p>{escape(facts)}</p>" + "".join(
        f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip()
    )
    data = {"title": activity.title, "unit": activity.unit, "summary": text[:300], "body": body}
    if activity.key_task_id:
        data["key_tasks"] = [activity.key_task]
    practice = create_practice(campaign, data=data, acting_user=acting_user)
    practice.source_activity = activity
    practice.save(update_fields=["source_activity"])
    for photo in list(activity.photos.all())[:MAX_PHOTOS]:
        with photo.file.open("rb") as handle:
            add_photo(practice, upload=File(handle, name=photo.name), caption=photo.caption, acting_user=acting_user)
    record(
        activity,
        Action.UPDATE,
        actor=acting_user,
        campaign=campaign,
        note=note(gettext_noop("Made into the good-practice case “%(title)s”."), title=practice.title),
    )
    return practice


def record_reading(practice: Practice) -> None:
    """One more reading (a counter, not an audited change)."""
    Practice.objects.filter(pk=practice.pk).update(read_count=F("read_count") + 1)


# Bulletins ---------------------------------------------------------------------------------------


def _office(acting_user, campaign, message: str | None = None) -> Access:
    access = _access(acting_user, campaign)
    if not access.is_office:
        raise PermissionDenied(message or _("Only the campaign office edits bulletins."))
    return access


def _locked_bulletin(bulletin: Bulletin) -> Bulletin:
    return lock_one(Bulletin.objects.select_related("campaign"), pk=bulletin.pk)


def _apply_bulletin(bulletin: Bulletin, data: dict) -> None:
    for name in Bulletin.AUDITED_FIELDS:
        if name in data:
            value = data[name]
            setattr(bulletin, name, value.strip() if isinstance(value, str) else value)
    if "proofreaders" in data:
        bulletin.proofreaders = [p.strip() for p in data["proofreaders"] if p and p.strip()][:10]
    if "figure_kinds" in data:
        bulletin.figure_kinds = [k for k in Bulletin.Figure.values if k in (data["figure_kinds"] or [])]
    if not bulletin.masthead:
        raise ValidationError({"masthead": _("Give the masthead.")})
    if bulletin.period_starts and bulletin.period_ends and bulletin.period_starts > bulletin.period_ends:
        raise ValidationError({"period_ends": _("The period ends before it starts.")})


def next_number(campaign, year: int) -> int:
    return (Bulletin.objects.filter(campaign=campaign, year=year).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def create_bulletin(campaign, *, data: dict, acting_user, corrects: Bulletin | None = None) -> Bulletin:
    """A new issue in preparation, numbered after the year's last one."""
    _office(acting_user, campaign)
    issued_on = data.get("issued_on") or timezone.localdate()
    bulletin = Bulletin(
        campaign=campaign,
        year=issued_on.year,
        issued_on=issued_on,
        masthead=data.get("masthead") or _("Information bulletin"),
        publisher=data.get("publisher") or _("Campaign office"),
        period_starts=data.get("period_starts") or issued_on - datetime.timedelta(days=6),
        period_ends=data.get("period_ends") or issued_on,
        created_by=acting_user,
        corrects=corrects,
    )
    _apply_bulletin(bulletin, {k: v for k, v in data.items() if k != "issued_on"})
    for _attempt in range(3):
        bulletin.number = next_number(campaign, bulletin.year)
        try:
            with transaction.atomic():
                bulletin.save()
            break
        except IntegrityError:  # two issues made at once: the second takes the next number
            continue
    else:
        raise ValidationError(_("Could not number the issue; try again."))
    record(bulletin, Action.CREATE, actor=acting_user, campaign=campaign)
    return bulletin


def _editable(bulletin: Bulletin) -> None:
    if not bulletin.is_editable:
        raise ValidationError(
            _("This issue is signed off or published and cannot be changed; publish an erratum instead.")
        )


@transaction.atomic
def update_bulletin(bulletin: Bulletin, *, data: dict, acting_user) -> Bulletin:
    bulletin = _locked_bulletin(bulletin)
    _office(acting_user, bulletin.campaign)
    _editable(bulletin)
    before = snapshot(bulletin, [*Bulletin.AUDITED_FIELDS, "proofreaders", "figure_kinds"])
    if data.get("issued_on"):
        if data["issued_on"].year != bulletin.year:  # the number belongs to the year
            raise ValidationError(
                {"issued_on": _("The date must stay in the issue's year; start a new issue instead.")}
            )
        bulletin.issued_on = data["issued_on"]
    _apply_bulletin(bulletin, {k: v for k, v in data.items() if k != "issued_on"})
    bulletin.save()
    changes = diff(bulletin, before)
    if changes:
        record(bulletin, Action.UPDATE, actor=acting_user, campaign=bulletin.campaign, changes=changes)
    return bulletin


@transaction.atomic
def set_cases(bulletin: Bulletin, *, practice_ids: list[int], acting_user) -> Bulletin:
    """The issue's cases, in this order: accepted or published cases of the campaign only."""
    bulletin = _locked_bulletin(bulletin)
    _office(acting_user, bulletin.campaign)
    _editable(bulletin)
    ids = list(dict.fromkeys(int(i) for i in practice_ids))
    found = {
        p.pk: p
        for p in Practice.objects.filter(campaign=bulletin.campaign, pk__in=ids, status__in=(PS.ACCEPTED, PS.PUBLISHED))
    }
    if len(found) != len(ids):
        raise ValidationError(_("Only accepted or published cases of this campaign can go into an issue."))
    before = [e.practice.title for e in bulletin.entries_in_order()]
    bulletin.entries.all().delete()
    BulletinEntry.objects.bulk_create(
        [BulletinEntry(bulletin=bulletin, practice=found[pk], order=n) for n, pk in enumerate(ids)]
    )
    after = [found[pk].title for pk in ids]
    if before != after:
        record(
            bulletin,
            Action.UPDATE,
            actor=acting_user,
            campaign=bulletin.campaign,
            changes=[
                {"field": "practices", "label": str(_("cases")), "old": "、".join(before), "new": "、".join(after)}
            ],
        )
    return bulletin


def has_content(bulletin: Bulletin) -> bool:
    return bulletin.entries.exists() or figures.has_figures(bulletin.figure_kinds)


@transaction.atomic
def sign_off(bulletin: Bulletin, *, acting_user) -> Bulletin:
    """The office head's sign-off (签发): who and when, in history; the issue is then locked."""
    bulletin = _locked_bulletin(bulletin)
    _office(acting_user, bulletin.campaign, _("Only the campaign office signs off an issue."))
    named = list(Signatory.objects.filter(campaign=bulletin.campaign).select_related("user"))
    if named and acting_user.pk not in {s.user_id for s in named}:
        raise PermissionDenied(
            _("Only the office head signs off an issue: %(names)s.")
            % {"names": "、".join(s.user.display_name for s in named)}
        )
    if bulletin.status != BS.DRAFT:
        raise ValidationError(_("This issue is already signed off."))
    if not has_content(bulletin):
        raise ValidationError(_("An issue with no cases and no figures cannot be signed off."))
    before = snapshot(bulletin, ["status"])
    bulletin.status = BS.SIGNED
    bulletin.signed_by = acting_user
    bulletin.signed_at = timezone.now()
    bulletin.save()
    record(
        bulletin,
        Action.ACCEPT,
        actor=acting_user,
        campaign=bulletin.campaign,
        changes=diff(bulletin, before),
        note=note(gettext_noop("Signed off by %(name)s."), name=acting_user.display_name),
    )
    return bulletin


@transaction.atomic
def withdraw_sign_off(bulletin: Bulletin, *, reason: str, acting_user) -> Bulletin:
    """Back to preparation before publication (a change after the sign-off needs a new sign-off)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    bulletin = _locked_bulletin(bulletin)
    _office(acting_user, bulletin.campaign)
    if bulletin.status != BS.SIGNED:
        raise ValidationError(_("Only a signed-off issue that is not yet published can go back to preparation."))
    before = snapshot(bulletin, ["status"])
    bulletin.status, bulletin.signed_by, bulletin.signed_at = BS.DRAFT, None, None
    bulletin.save()
    record(
        bulletin,
        Action.REOPEN,
        actor=acting_user,
        campaign=bulletin.campaign,
        changes=diff(bulletin, before),
        note=reason,
    )
    return bulletin


@transaction.atomic
def publish_bulletin(bulletin: Bulletin, *, acting_user, now: datetime.datetime | None = None) -> Bulletin:
    """Publish a signed-off issue: figures computed now and frozen, its cases published, units notified."""
    bulletin = _locked_bulletin(bulletin)
    _office(acting_user, bulletin.campaign, _("Only the campaign office publishes an issue."))
    if bulletin.status == BS.PUBLISHED:
        raise ValidationError(_("This issue is already published."))
    if bulletin.status != BS.SIGNED:
        raise ValidationError(_("An issue must be signed off before it is published."))
    now = now or timezone.now()
    bulletin.frozen_figures = figures.compute(
        bulletin.campaign, bulletin.figure_kinds, bulletin.period_starts, bulletin.period_ends, now
    )
    before = snapshot(bulletin, ["status"])
    bulletin.status = BS.PUBLISHED
    bulletin.published_at = now
    bulletin.save()
    frozen = []
    for entry in bulletin.entries_in_order():
        practice = _locked_case(entry.practice)
        if practice.status == PS.ACCEPTED:
            _publish_case(practice, acting_user, now)
        frozen.append(outputs.freeze_case(practice))
    bulletin.frozen_cases = frozen
    bulletin.save(update_fields=["frozen_cases"])
    chain.append(bulletin.campaign, bulletin)
    record(bulletin, Action.PUBLISH, actor=acting_user, campaign=bulletin.campaign, changes=diff(bulletin, before))
    pk = bulletin.pk
    transaction.on_commit(lambda: notify_units(Bulletin.objects.select_related("campaign").get(pk=pk)))
    return bulletin


def notify_units(bulletin: Bulletin) -> int:
    """Tell every unit's liaisons (bell/mail by their preferences) and group robots; once each, by the dedupe key."""
    from taizhang.notices.models import GroupRobot, Reason
    from taizhang.notices.sending import notify
    from taizhang.orgs.models import Role, RoleGrant

    url = reverse("bulletins:bulletin_detail", args=[bulletin.campaign.slug, bulletin.pk])
    subject = _("%(masthead)s %(issue)s is published") % {"masthead": bulletin.masthead, "issue": bulletin.issue_label}
    titles = [e.practice.title for e in bulletin.entries_in_order()]
    body = "；".join(titles) or subject
    sent = 0
    grants = RoleGrant.objects.filter(campaign=bulletin.campaign, role=Role.LIAISON).select_related("user")
    for user in {g.user for g in grants if g.user.is_active}:
        message = notify(
            reason=Reason.BULLETIN,
            scope=f"bulletin:{bulletin.pk}",
            subject=subject,
            body=body[:1000],
            url=url,
            campaign=bulletin.campaign,
            user=user,
        )
        sent += message is not None
    # The units' group robots too (WeCom/DingTalk), once each.
    for robot in GroupRobot.objects.filter(is_active=True, unit_id__in={g.unit_id for g in grants}):
        message = notify(
            reason=Reason.BULLETIN,
            scope=f"bulletin:{bulletin.pk}",
            subject=subject,
            body=body[:1000],
            url=url,
            campaign=bulletin.campaign,
            robot=robot,
        )
        sent += message is not None
    return sent


@transaction.atomic
def issue_erratum(bulletin: Bulletin, *, text: str, acting_user) -> Bulletin:
    """A correction to a published issue: a new issue (in preparation) that says what it corrects."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the correction.")})
    bulletin = _locked_bulletin(bulletin)
    _office(acting_user, bulletin.campaign)
    if not bulletin.is_published:
        raise ValidationError(_("An issue in preparation is corrected by editing it."))
    erratum = create_bulletin(
        bulletin.campaign,
        data={
            "masthead": bulletin.masthead,
            "publisher": bulletin.publisher,
            "editor": bulletin.editor,
            "proofreaders": bulletin.proofreaders,
            "foreword": _("Erratum to %(issue)s: %(text)s") % {"issue": bulletin.issue_label, "text": text},
        },
        acting_user=acting_user,
        corrects=bulletin,
    )
    record(
        bulletin,
        Action.COMMENT,
        actor=acting_user,
        campaign=bulletin.campaign,
        note=note(gettext_noop("Erratum %(issue)s: %(text)s"), issue=erratum.issue_label, text=text[:400]),
    )
    return erratum


@transaction.atomic
def confirm_read(bulletin: Bulletin, *, acting_user) -> list[ReadReceipt]:
    """The liaison confirms their unit has read a published issue (one receipt per unit)."""
    access = _access(acting_user, bulletin.campaign)
    if not bulletin.is_published:
        raise ValidationError(_("Only a published issue can be confirmed as read."))
    if not access.liaison_units:
        raise PermissionDenied(_("Only a unit's liaison confirms reading for the unit."))
    made = []
    for unit in access.liaison_units:
        receipt, created = ReadReceipt.objects.get_or_create(
            bulletin=bulletin, unit=unit, defaults={"user": acting_user}
        )
        if created:
            made.append(receipt)
            record(
                bulletin,
                Action.COMMENT,
                actor=acting_user,
                campaign=bulletin.campaign,
                note=note(gettext_noop("Read by %(unit)s."), unit=unit.display_name),
            )
    return made


@transaction.atomic
def add_signatory(campaign, user, *, acting_user) -> Signatory:
    """Name a person who signs off the bulletins (the office head); they must be in the office."""
    _office(acting_user, campaign, _("Only the campaign office names who signs off."))
    if not Access.for_user(user, campaign).is_office:
        raise ValidationError({"user": _("Only a member of the campaign office can sign off bulletins.")})
    if Signatory.objects.filter(campaign=campaign, user=user).exists():
        raise ValidationError({"user": _("This person already signs off the bulletins.")})
    signatory = Signatory.objects.create(campaign=campaign, user=user, added_by=acting_user)
    record(
        campaign,
        Action.GRANT,
        actor=acting_user,
        campaign=campaign,
        note=note(gettext_noop("%(name)s signs off the bulletins."), name=user.display_name),
    )
    return signatory


@transaction.atomic
def remove_signatory(signatory: Signatory, *, acting_user) -> None:
    campaign = signatory.campaign
    _office(acting_user, campaign, _("Only the campaign office names who signs off."))
    name = signatory.user.display_name
    signatory.delete()
    record(
        campaign,
        Action.REVOKE,
        actor=acting_user,
        campaign=campaign,
        note=note(gettext_noop("%(name)s no longer signs off the bulletins."), name=name),
    )
