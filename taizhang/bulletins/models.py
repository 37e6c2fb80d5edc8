"""Good-practice cases (经验做法, 特色样板) and the bulletin (信息简报) compiled from them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from taizhang.lib.models import Attachment
from taizhang.lib.text import search_key
from taizhang.orgs.queries import under


class PracticeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Practice.Status.PUBLISHED)

    def search(self, query: str):
        """Partial-word search that ignores simplified/traditional differences (as the item list does)."""
        key = search_key(query)
        qs = self
        for word in key.split(" ") if key else []:
            qs = qs.filter(search_text__contains=word)
        return qs

    def visible_to(self, access):
        """The office and leaders read every case; a liaison its own unit's and the published ones."""
        if access.is_office or access.is_leader:
            return self
        own = under(unit.path for unit in access.liaison_units)
        return self.filter(own | Q(status=Practice.Status.PUBLISHED)) if own is not None else self.published()


class Practice(models.Model):
    """A good-practice case (经验做法) a unit submits and the office reviews, marks and publishes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        ACCEPTED = "accepted", _("accepted")
        PUBLISHED = "published", pgettext_lazy("bulletin", "published")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="practices")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="practices")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    # Sanitised HTML only (richtext.clean): never stored as typed.
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_comment = models.TextField(_("comment on return"), blank=True)
    is_model = models.BooleanField(_("model project (特色样板)"), default=False)
    model_reason = models.TextField(_("why it is a model"), blank=True)
    categories = models.ManyToManyField("campaigns.Category", verbose_name=_("categories"), blank=True)
    key_tasks = models.ManyToManyField("campaigns.KeyTask", verbose_name=_("key tasks"), blank=True)
    items = models.ManyToManyField("ledger.Item", verbose_name=_("linked items"), blank=True, related_name="+")
    source_report = models.ForeignKey(
        "reporting.UnitReport",
        verbose_name=_("from the monthly report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_activity = models.ForeignKey(
        "study.Activity",
        verbose_name=_("from the study activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    search_text = models.TextField(blank=True, editable=False)
    read_count = models.PositiveIntegerField(_("readings"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = PracticeQuerySet.as_manager()

    AUDITED_FIELDS = ("title", "summary", "body", "unit", "categories", "key_tasks", "items")
    HISTORY_AS_TEXT = ("body",)
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    class Meta:
        verbose_name = _("good-practice case")
        verbose_name_plural = _("good-practice cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "status", "year"], name="practice_status_year_idx"),
            models.Index(fields=["campaign", "is_model"], name="practice_model_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def refresh_search_text(self) -> None:
        from .richtext import plain_text

        self.search_text = search_key(self.title, self.summary, plain_text(self.body))


def photo_path(instance: "PracticePhoto", filename: str) -> str:
    return f"practices/{instance.practice.campaign_id}/{instance.practice_id}/{filename}"


class PracticePhoto(Attachment):
    """A checked photo of a case (a real image, within the size limits)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta(Attachment.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class Bulletin(models.Model):
    """One issue of the information bulletin (信息简报): numbered per year and campaign, signed off, published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("in preparation")
        SIGNED = "signed", _("signed off")
        PUBLISHED = "published", pgettext_lazy("bulletin", "published")

    class Figure(models.TextChoices):
        COMPLETED = "completed", _("items completed this period")
        COMPLETION = "completion", _("completion rate")
        LIGHTS = "lights", _("lights by colour")
        ON_TIME = "on_time", _("on-time reporting rate")
        RANKING = "ranking", _("units' ranking")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="bulletins")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("issue number"))
    masthead = models.CharField(_("masthead"), max_length=100)
    issued_on = models.DateField(_("date"))
    publisher = models.CharField(_("publisher"), max_length=100)
    period_starts = models.DateField(_("period from"))
    period_ends = models.DateField(_("period to"))
    foreword = models.TextField(_("foreword"), blank=True)
    editor = models.CharField(_("editor"), max_length=100, blank=True)
    proofreaders = models.JSONField(_("proofreaders"), default=list, blank=True)
    figure_kinds = models.JSONField(_("figures"), default=list, blank=True)
    # The figures as computed at publication: the issue says what was true that day, forever.
    frozen_figures = models.JSONField(default=list, blank=True, editable=False)
    # The cases' words as published (title, unit, summary, text, model mark): a later change to a case,
    # such as a model mark taken away, does not rewrite an issue already out.
    frozen_cases = models.JSONField(default=list, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("erratum to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="errata",
    )
    practices = models.ManyToManyField(Practice, through="BulletinEntry", related_name="bulletins", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    AUDITED_FIELDS = ("masthead", "issued_on", "publisher", "period_starts", "period_ends", "foreword", "editor")

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "year", "number"],
                name="bulletin_unique_number",
                violation_error_message=_("This issue number is already used this year."),
            )
        ]

    def __str__(self) -> str:
        return self.issue_label

    @property
    def issue_label(self) -> str:
        return _("%(year)s, issue %(number)s") % {"year": self.year, "number": self.number}

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def entries_in_order(self):
        return self.entries.select_related("practice__unit").order_by("order", "id")


class BulletinEntry(models.Model):
    """A case placed in an issue, in the editor's order."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="entries")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "practice"], name="bulletin_entry_once")]

    def __str__(self) -> str:
        return f"{self.bulletin} · {self.practice}"


class ReadReceipt(models.Model):
    """A unit has read a published issue (who confirmed, when)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="receipts")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["read_at"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "unit"], name="receipt_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.bulletin} · {self.unit}"


class Signatory(models.Model):
    """A person who signs off the campaign's bulletins (签发人, the office head).

    With none named, any member of the office signs (a small office has no head of its own); once one
    is named, only the named sign.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="signatories")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "user"],
                name="signatory_once",
                violation_error_message=_("This person already signs off the bulletins."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.user}"
