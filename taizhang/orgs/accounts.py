"""People and roles kept on pages, not in the admin: users, role grants and contact points of a campaign.

Every write is one function here, for the office of the campaign only (checked with :class:`Access`),
in a transaction, with its history. An import checks every row first and writes all or nothing.
"""

import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import note, record
from taizhang.lib.text import search_key
from taizhang.lib.unitnames import UnitMatcher

from .access import Access
from .actions import grant_role, revoke_role
from .models import ContactPoint, Role, RoleGrant, SignInLink, Unit, User

IMPORT_MAX_ROWS = 5000
HEADERS = {
    "name": ("姓名", "name"),
    "unit": ("单位", "所在单位", "unit"),
    "phone": ("手机", "手机号", "电话", "phone"),
    "role": ("角色", "role"),
    "email": ("邮箱", "电子邮箱", "email"),
    "username": ("用户名", "账号", "username"),
}
# A role as people write it in a sheet: the Chinese label, the English one or the code.
ROLE_WORDS = {
    **{value: value for value in Role.values},
    "活动办公室": Role.OFFICE,
    "办公室": Role.OFFICE,
    "领导": Role.LEADER,
    "联络员": Role.LIAISON,
    "单位联络员": Role.LIAISON,
    "督导": Role.INSPECTOR,
    "督导组": Role.INSPECTOR,
    "考核": Role.ASSESSOR,
    "考核组": Role.ASSESSOR,
}
USERNAME = re.compile(r"^[\w.@+-]{1,150}$")


def require_office(campaign, acting_user) -> Access:
    access = Access.for_user(acting_user, campaign)
    access.require(access.is_office, _("Only the campaign office manages people and roles."))
    return access


@transaction.atomic
def create_user(
    *, campaign, data: dict, password: str, role: str = "", role_unit: Unit | None = None, acting_user
) -> User:
    """The office adds a person (user name, name, unit, phone, mail, a first password) and, if asked, a role."""
    require_office(campaign, acting_user)
    user = User(**data)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record(user, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
    if role:
        grant_role(user=user, campaign=campaign, role=role, unit=role_unit or user.unit, acting_user=acting_user)
    return user


@transaction.atomic
def grant_roles(*, campaign, users, role: str, units=(), acting_user) -> int:
    """Grant a role to many people at once (a liaison for each of ``units``); returns how many grants are new."""
    require_office(campaign, acting_user)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if role == Role.LIAISON and not units:
        raise ValidationError({"units": _("A liaison must be given a unit.")})
    before = RoleGrant.objects.filter(campaign=campaign).count()
    for user in users:
        for unit in units if role == Role.LIAISON else [None]:
            grant_role(user=user, campaign=campaign, role=role, unit=unit, acting_user=acting_user)
    return RoleGrant.objects.filter(campaign=campaign).count() - before


@transaction.atomic
def revoke_grant(grant: RoleGrant, *, acting_user) -> None:
    require_office(grant.campaign, acting_user)
    revoke_role(grant, acting_user=acting_user)


@transaction.atomic
def add_contact_points(*, campaign, leader: User, units, note_text: str = "", acting_user) -> int:
    """Make units contact points (联系点) of a leader; those already his stay as they are. Returns how many are new."""
    require_office(campaign, acting_user)
    made = 0
    for unit in units:
        point, created = ContactPoint.objects.get_or_create(
            campaign=campaign, leader=leader, unit=unit, defaults={"note": note_text[:200]}
        )
        if created:
            made += 1
            record(point, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign, note=str(unit))
            record(
                leader,
                HistoryEntry.Action.UPDATE,
                actor=acting_user,
                campaign=campaign,
                note=note(gettext_noop("Contact point added: %(unit)s"), unit=unit.name),
            )
    return made


@transaction.atomic
def remove_contact_point(point: ContactPoint, *, acting_user) -> None:
    require_office(point.campaign, acting_user)
    record(
        point.leader,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=point.campaign,
        note=note(gettext_noop("Contact point removed: %(unit)s"), unit=point.unit.name),
    )
    point.delete()


# Import ---------------------------------------------------------------------------------


@dataclass
class UserRow:
    number: int
    values: dict
    role: str
    existing: User | None = None


@dataclass
class UserImportPlan:
    rows: list[UserRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _columns(row) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(row):
        key = search_key(str(cell or "")).replace(" ", "")
        for name, words in HEADERS.items():
            if name not in found and key in {search_key(w) for w in words}:
                found[name] = index
    return found


def plan_users(rows: list[list]) -> UserImportPlan:
    """Check a users sheet (姓名 | 单位 | 手机 | 角色 | 邮箱, optionally 用户名) row by row; nothing is written.

    A person is known by user name (the phone when there is no 用户名 column): a known one is given
    the role, a new one is made. Every problem is listed with its row number.
    """
    plan = UserImportPlan()
    header_at = next((i for i, row in enumerate(rows[:10]) if {"name", "unit"} <= _columns(row).keys()), None)
    if header_at is None:
        plan.errors.append(_("No header row with 姓名 and 单位 was found in the first ten rows."))
        return plan
    columns = _columns(rows[header_at])
    body = rows[header_at + 1 :]
    if len(body) > IMPORT_MAX_ROWS:
        plan.errors.append(_("The sheet has more than %(n)d rows; split it.") % {"n": IMPORT_MAX_ROWS})
        return plan
    matcher = UnitMatcher(Unit.objects.filter(is_active=True))
    seen: dict[str, int] = {}

    def cell(row, name):
        index = columns.get(name)
        value = row[index] if index is not None and index < len(row) else ""
        return "" if value is None else str(value).strip()

    for number, row in enumerate(body, start=header_at + 2):
        name, unit_text = cell(row, "name"), cell(row, "unit")
        if not name and not unit_text:
            continue
        where = _("Row %(n)d") % {"n": number}
        if not name:
            plan.errors.append(_("%(where)s: the name is missing.") % {"where": where})
            continue
        match = matcher.match(unit_text)
        if len(match.units) != 1 or match.unknown or match.ambiguous:
            plan.errors.append(_("%(where)s: unknown unit “%(unit)s”.") % {"where": where, "unit": unit_text or "—"})
            continue
        phone = re.sub(r"[\s-]", "", cell(row, "phone"))
        if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
            plan.errors.append(_("%(where)s: “%(phone)s” is not a phone number.") % {"where": where, "phone": phone})
            continue
        email = cell(row, "email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                plan.errors.append(
                    _("%(where)s: “%(email)s” is not a mail address.") % {"where": where, "email": email}
                )
                continue
        role_text = cell(row, "role")
        role = ROLE_WORDS.get(role_text.replace(" ", ""), "") if role_text else ""
        if role_text and not role:
            plan.errors.append(_("%(where)s: unknown role “%(role)s”.") % {"where": where, "role": role_text})
            continue
        username = cell(row, "username") or phone
        if not username or not USERNAME.match(username):
            plan.errors.append(_("%(where)s: give a user name or a phone number.") % {"where": where})
            continue
        if username in seen:
            plan.errors.append(
                _("%(where)s: the user name %(username)s is also on row %(other)d.")
                % {"where": where, "username": username, "other": seen[username]}
            )
            continue
        seen[username] = number
        values = {"username": username, "name": name[:100], "unit": match.units[0], "phone": phone, "email": email}
        plan.rows.append(UserRow(number, values, role))
    known = {u.username: u for u in User.objects.filter(username__in=list(seen))}
    for row in plan.rows:
        row.existing = known.get(row.values["username"])
    return plan


@transaction.atomic
def import_users(rows: list[list], *, campaign, acting_user) -> UserImportPlan:
    """Apply a users sheet, all or nothing: new people are made (without a password: they are sent the
    sign-in reset by the office), everyone named gets the row's role in this campaign."""
    require_office(campaign, acting_user)
    plan = plan_users(rows)
    if plan.errors:
        raise ValidationError(plan.errors)
    for row in plan.rows:
        user = row.existing
        if user is None:
            user = User(**row.values)
            user.set_unusable_password()
            user.save()
            record(
                user,
                HistoryEntry.Action.CREATE,
                actor=acting_user,
                campaign=campaign,
                note=note(gettext_noop("imported from a users sheet")),
            )
        if row.role:
            grant_role(user=user, campaign=campaign, role=row.role, unit=row.values["unit"], acting_user=acting_user)
    return plan


# First sign-in: one-time links for people with no password ------------------------------------------

SIGN_IN_LINK_DAYS = 7


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def needs_first_sign_in(campaign):
    """The campaign's people who cannot sign in yet (imported without a password), active ones only."""
    return (
        User.objects.filter(is_active=True, grants__campaign=campaign, password__startswith="!")
        .exclude(username__startswith="system:")
        .distinct()
    )


@transaction.atomic
def issue_sign_in_links(*, campaign, users, acting_user, days: int = SIGN_IN_LINK_DAYS) -> list[tuple[User, str]]:
    """A one-time link for each person (with no usable password) of the campaign, valid ``days`` days.

    Returns (person, token) pairs: the tokens exist only in this answer (the database keeps their hash),
    for the sheet the office prints. A person's earlier unused links stop working: only the newest sheet counts.
    """
    require_office(campaign, acting_user)
    allowed = set(needs_first_sign_in(campaign).values_list("pk", flat=True))
    refused = [u for u in users if u.pk not in allowed]
    if refused:
        raise ValidationError(
            _("%(name)s already has a password or no role in this campaign.") % {"name": refused[0].display_name}
        )
    now = timezone.now()
    expires = now + datetime.timedelta(days=days)
    users = sorted(users, key=lambda u: (u.unit.path if u.unit else "", u.name, u.username))
    SignInLink.objects.filter(user__in=users, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    issued = []
    for user in users:
        token = secrets.token_urlsafe(24)
        SignInLink.objects.create(
            user=user, token_hash=_token_hash(token), created_by=acting_user, created_at=now, expires_at=expires
        )
        record(
            user,
            HistoryEntry.Action.UPDATE,
            actor=acting_user,
            campaign=campaign,
            note=note(gettext_noop("First sign-in link issued, valid until %(date)s"), date=f"{expires:%Y-%m-%d}"),
        )
        issued.append((user, token))
    return issued


def open_sign_in_link(token: str) -> SignInLink | None:
    """The link behind a token while it can still be used (read only: opening it claims nothing)."""
    return (
        SignInLink.objects.filter(token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("user")
        .first()
    )


@transaction.atomic
def use_sign_in_link(token: str, *, password: str) -> User:
    """The person sets their own password with their link: the link is claimed first (a filtered update),
    so a second click, a second tab or a stolen copy finds it used; only then is the password set."""
    link = open_sign_in_link(token)
    if link is None:
        raise ValidationError(
            _("This sign-in link has expired or has already been used. Ask the campaign office for a new one.")
        )
    validate_password(password, link.user)
    now = timezone.now()
    claimed = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if claimed != 1:
        raise ValidationError(
            _("This sign-in link has expired or has already been used. Ask the campaign office for a new one.")
        )
    user = link.user
    user.set_password(password)
    user.save(update_fields=["password"])
    # Any other link of theirs is spent too: they have a password now.
    SignInLink.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
    record(
        user,
        HistoryEntry.Action.UPDATE,
        actor=user,
        note=note(gettext_noop("Set their own password with a first sign-in link")),
    )
    return user
