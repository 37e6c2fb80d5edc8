"""The people's side: problems raised by people (Demand), ratings, the public page, Open311.

Acceptance and look-backs live in ``taizhang.acceptance``, above this app.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Base32 without the letters people confuse with digits (I, L, O, U) and without 0/1.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10


def new_tracking_code() -> str:
    """Ten characters from a 30-letter alphabet: about 49 bits, unguessable, short enough to read aloud."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


class Channel(models.TextChoices):
    VISIT = "visit", _("field visit (going down to listen)")
    HEARING = "hearing", _("hearing (inviting people to speak)")
    DISCUSSION = "discussion", _("discussion (sitting down together)")
    ONLINE = "online", _("online form")
    SURVEY = "survey", _("survey")
    HOTLINE = "hotline", _("hotline")


class DemandStatus(models.TextChoices):
    NEW = "new", _("received, awaiting triage")
    IN_LIST = "in_list", _("taken into the list")
    ANSWERED = "answered", _("answered")
    MERGED = "merged", _("merged with the same problem")


class DemandQuerySet(models.QuerySet):
    def awaiting_triage(self):
        return self.filter(status=DemandStatus.NEW)


def demand_photo_path(instance: "Demand", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"demands/{instance.campaign_id}/{secrets.token_hex(8)}.{ext}"


class Demand(models.Model):
    """A problem or suggestion raised by people (急难愁盼问题), with its channel and tracking code.

    name, phone and email are personal data: shown to the campaign office only, never on
    public pages, exports or the Open311 API.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="demands"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    category = models.ForeignKey(
        "campaigns.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demands",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("unit concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demands",
    )
    text = models.TextField(_("the problem"))
    photo = models.FileField(_("photo"), upload_to=demand_photo_path, blank=True, max_length=200)
    # Personal data: office only.
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # Where and how staff gathered it (visits, hearings, discussions).
    collected_on = models.DateField(_("date collected"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    collected_by = models.CharField(_("collected by"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True, default=new_tracking_code)
    status = models.CharField(_("status"), max_length=20, choices=DemandStatus.choices, default=DemandStatus.NEW)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    items = models.ManyToManyField("ledger.Item", verbose_name=_("items"), blank=True, related_name="demands")
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    objection_to = models.ForeignKey(
        "ledger.Item",
        verbose_name=_("objection to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "status"], name="demand_status_idx")]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.text[:30]}"

    @property
    def has_personal_data(self) -> bool:
        return bool(self.name or self.phone or self.email)


class PeopleSettings(models.Model):
    """The people's-side settings of a campaign (kept here so the campaign model stays the ledger's)."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="people_settings")
    lookback_days = models.PositiveSmallIntegerField(_("look-back: days after closing"), default=90)
    objection_days = models.PositiveSmallIntegerField(_("objection window (days)"), default=7)
    submissions_per_hour = models.PositiveSmallIntegerField(_("public submissions per address per hour"), default=5)

    class Meta:
        verbose_name = _("people's-side settings")
        verbose_name_plural = _("people's-side settings")

    def __str__(self) -> str:
        return str(self.campaign)

    @classmethod
    def for_campaign(cls, campaign) -> "PeopleSettings":
        obj, _created = cls.objects.get_or_create(campaign=campaign)
        return obj


def acceptance_path(instance, filename: str) -> str:
    """Kept for migration 0001; acceptance evidence now lives in ``taizhang.acceptance.models``."""
    return f"acceptance/{instance.acceptance.item_id}/{filename}"


class Rating(models.Model):
    """A person's satisfaction with an item (满意度测评); one per person per item.

    A person is identified by ``voter``: ``demand:<id>`` when the submitter of one of the
    item's problems rates through their tracking code, ``ballot:<id>`` when someone rates
    with one of the single-use codes the office handed out with the item's QR code (older
    ratings carry ``cookie:<hash>``). The address is kept only as a salted hash.
    """

    class Value(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        BASIC = "basic", _("basically satisfied")
        DISSATISFIED = "dissatisfied", _("dissatisfied")

    item = models.ForeignKey("ledger.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="ratings")
    value = models.CharField(_("rating"), max_length=20, choices=Value.choices)
    comment = models.TextField(_("comment"), blank=True)
    voter = models.CharField(max_length=100)
    demand = models.ForeignKey(Demand, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings")
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "voter"],
                name="rating_one_per_person",
                violation_error_message=_("You have already rated this item."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_value_display()}"


def new_rating_token() -> str:
    """The item's rating link: 128 random bits, so the link cannot be found from an item id."""
    return secrets.token_urlsafe(16)


BALLOT_LENGTH = 8


def new_ballot_code() -> str:
    """Eight characters from the 30-letter alphabet: about 39 bits, and wrong guesses are rate limited."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(BALLOT_LENGTH))


class RatingInvitation(models.Model):
    """The office puts an item up for rating (邀请测评): an unguessable link, its QR code, and ballot codes."""

    item = models.OneToOneField(
        "ledger.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="rating_invitation"
    )
    token = models.CharField(max_length=40, unique=True, default=new_rating_token, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating invitation")
        verbose_name_plural = _("rating invitations")

    def __str__(self) -> str:
        return f"{self.item.code}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RatingBallot(models.Model):
    """One single-use code handed to one person with the item's QR code; used by one rating."""

    invitation = models.ForeignKey(RatingInvitation, on_delete=models.CASCADE, related_name="ballots")
    code = models.CharField(_("code"), max_length=20, unique=True, default=new_ballot_code, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating code")
        verbose_name_plural = _("rating codes")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.code


class PublicItem(models.Model):
    """An item published on the campaign's public page, optionally posted for objections before closing."""

    item = models.OneToOneField("ledger.Item", on_delete=models.CASCADE, related_name="publication")
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    objection_from = models.DateField(_("objections from"), null=True, blank=True)
    objection_until = models.DateField(_("objections until"), null=True, blank=True)

    class Meta:
        verbose_name = _("published item")
        verbose_name_plural = _("published items")
        ordering = ["item__code"]

    def __str__(self) -> str:
        return str(self.item)

    def objection_open(self, on) -> bool:
        return bool(self.objection_from and self.objection_until and self.objection_from <= on <= self.objection_until)


def new_api_key() -> str:
    return secrets.token_urlsafe(24)


def hash_api_key(secret: str) -> str:
    """The stored form of an Open311 key: SHA-256 is enough for 192 random bits (no password to stretch)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _unknown_key_hash() -> str:
    # A row made without ``ApiKey.issue`` gets the hash of a key nobody was told: it opens nothing.
    return hash_api_key(new_api_key())


class ApiKey(models.Model):
    """A key that lets an Open311 client post requests into a campaign; only its hash is stored."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the key, shown in the list so the office can tell keys apart.
    prefix = models.CharField(_("starts with"), max_length=8, blank=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, default=_unknown_key_hash, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["campaign", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def issue(cls, campaign, name: str) -> tuple["ApiKey", str]:
        """A new key row and its secret, which is returned here once and stored nowhere."""
        secret = new_api_key()
        key = cls.objects.create(campaign=campaign, name=name, prefix=secret[:4], key_hash=hash_api_key(secret))
        return key, secret

    @classmethod
    def opens(cls, campaign, secret: str) -> bool:
        """Whether ``secret`` is an active key of ``campaign``."""
        if not secret or len(secret) > 200:
            return False
        return cls.objects.filter(campaign=campaign, key_hash=hash_api_key(secret), is_active=True).exists()
