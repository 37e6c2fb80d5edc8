from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Scope
from taizhang.lib.models import Attachment
from taizhang.lib.text import search_key


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn")


FINISHED_STATUSES = (Status.CLOSED, Status.WITHDRAWN)
OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED)


class Light(models.TextChoices):
    GREEN = "green", _("green")
    BLUE = "blue", _("blue")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")
    NONE = "none", _("no light")


class ItemQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=FINISHED_STATUSES)

    def in_unit(self, unit):
        """Items owned by the unit or any unit below it."""
        from taizhang.orgs.models import Unit

        # A subquery of unit ids, not a join on the path: the database then uses the owner_unit index.
        return self.filter(owner_unit__in=Unit.objects.filter(path__startswith=unit.path).values("pk"))

    def search(self, query: str):
        """Partial-word search that ignores simplified/traditional differences."""
        key = search_key(query)
        if not key:
            return self
        qs = self
        for word in key.split(" "):
            qs = qs.filter(search_text__contains=word)
        return qs

    def for_list(self):
        return self.select_related("owner_unit", "category", "phase")


class Item(models.Model):
    """One promise on a campaign's list (实事), tracked to closure."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="items"
    )
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    content = models.TextField(_("content"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    category = models.ForeignKey(
        "campaigns.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    phase = models.ForeignKey(
        "campaigns.Phase",
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.INSIDE)
    key_task = models.ForeignKey(
        "campaigns.KeyTask",
        verbose_name=_("key task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        db_index=False,  # a partial index below: most items have none
    )
    owner_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="items"
    )
    partner_units = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("partner units"), blank=True, related_name="partner_items"
    )
    lead = models.CharField(_("responsible leader"), max_length=100, blank=True)
    owner = models.CharField(_("person responsible"), max_length=100, blank=True)
    starts_on = models.DateField(_("planned start"), null=True, blank=True, help_text=_("Empty: the campaign's start."))
    due = models.DateField(_("deadline"), null=True, blank=True, help_text=_("Empty for ongoing items."))
    due_text = models.CharField(_("deadline as written"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,  # a partial index below: most items have none
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Share of the parent item's progress."),
    )
    note = models.TextField(_("note"), blank=True)

    # Derived state, recomputed by lights.recompute_item(s) and stored for fast lists.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    light = models.CharField(_("light"), max_length=10, choices=Light.choices, default=Light.GREEN)
    # The reason as a code and a number (see lights.describe), so it reads in the viewer's language.
    light_code = models.CharField(_("light reason"), max_length=20, blank=True)
    light_n = models.IntegerField(default=0)
    # Severity (red 4 … green 1, none 0), kept by the database itself, so "most serious first" reads an index.
    light_rank = models.GeneratedField(
        expression=models.Case(
            models.When(light=Light.RED, then=models.Value(4)),
            models.When(light=Light.YELLOW, then=models.Value(3)),
            models.When(light=Light.BLUE, then=models.Value(2)),
            models.When(light=Light.GREEN, then=models.Value(1)),
            default=models.Value(0),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    last_progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    withdrawn_reason = models.TextField(_("reason withdrawn or merged"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_items",
        db_index=False,  # a partial index below: most items have none
    )

    # 特色样板: a model project the office holds up (with its reason), shown as a badge wherever the item is.
    is_model = models.BooleanField(_("model project (特色样板)"), default=False)
    model_reason = models.TextField(_("why it is a model"), blank=True)

    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ItemQuerySet.as_manager()

    # Fields whose changes are kept in the history.
    AUDITED_FIELDS = (
        "code",
        "title",
        "content",
        "measures",
        "category",
        "phase",
        "scope",
        "key_task",
        "owner_unit",
        "partner_units",
        "lead",
        "owner",
        "starts_on",
        "due",
        "due_text",
        "parent",
        "weight",
        "note",
        "is_model",
        "model_reason",
    )

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["campaign", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"],
                name="item_unique_code",
                violation_error_message=_("An item with this code already exists in the campaign."),
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="item_status_idx"),
            # Partial indexes for the mostly empty links: an index full of NULLs makes SQLite's statistics
            # say "useless", and it then builds a temporary index on every query that looks for children.
            models.Index(fields=["parent"], condition=models.Q(parent__isnull=False), name="item_parent_idx"),
            models.Index(fields=["merged_into"], condition=models.Q(merged_into__isnull=False), name="item_merged_idx"),
            models.Index(fields=["key_task"], condition=models.Q(key_task__isnull=False), name="item_key_task_idx"),
            # By light, then deadline: the dashboards' red list reads it in order.
            models.Index(fields=["campaign", "light", "due", "code"], name="item_light_due_idx"),
            models.Index(fields=["campaign", "-light_rank", "code"], name="item_light_rank_idx"),
            # With the status, the burn-up's count by deadline reads this index alone.
            models.Index(fields=["campaign", "due", "status"], name="item_due_status_idx"),
            # Figures per unit (and a unit's subtree) grouped in index order, without visiting rows.
            models.Index(fields=["campaign", "owner_unit", "status", "light"], name="item_unit_figures_idx"),
            # Covers every dashboard aggregate, so they read the index alone (no row lookups at 100k items).
            models.Index(
                fields=["campaign", "status", "light", "category", "phase", "owner_unit", "due", "completed_on"],
                name="item_dashboard_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def light_reason(self) -> str:
        from .lights import describe

        return describe(self.light_code, self.light_n)

    def refresh_search_text(self) -> None:
        self.search_text = search_key(
            self.code, self.title, self.content, self.measures, self.lead, self.owner, self.due_text
        )


def attachment_path(instance: "ProgressAttachment", filename: str) -> str:
    entry = instance.entry
    return f"progress/{entry.item.campaign_id}/{entry.item_id}/{filename}"


class ProgressEntry(models.Model):
    """An append-only progress report on an item; a correction is a new entry pointing at the old one."""

    class Source(models.TextChoices):
        WEB = "web", _("web page")
        SHEET = "sheet", _("statistics sheet")
        IMPORT = "import", _("import")
        DEMO = "demo", _("demo data")

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="progress_entries")
    period_label = models.CharField(_("period"), max_length=60, blank=True)
    as_of = models.DateField(_("as of"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    done = models.TextField(_("what was done"))
    difficulties = models.TextField(_("difficulties"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    corrects = models.ForeignKey(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), db_index=True)

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["item", "-created_at"], name="progress_item_idx")]

    def __str__(self) -> str:
        return f"{self.item.code} {self.percent}%"


class ProgressAttachment(Attachment):
    """A file attached to a progress entry (photo, document)."""

    entry = models.ForeignKey(ProgressEntry, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)

    class Meta(Attachment.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class Comment(models.Model):
    """A remark on an item, or a leader's instruction (批示)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        INSTRUCTION = "instruction", _("instruction")

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="comments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.item.code}"


class Milestone(models.Model):
    """A planned point on an item's way (date, percent done by then); 序时进度 runs through them."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="milestones")
    on = models.DateField(_("date"))
    percent = models.PositiveSmallIntegerField(_("planned progress (%)"), validators=[MaxValueValidator(100)])
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["item", "on"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "on"],
                name="milestone_unique_date",
                violation_error_message=_("This item already has a milestone on this date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.on} {self.percent}%"


class LightTally(models.Model):
    """How many of a unit's items showed each light in a week (the week's last nightly count), for charts over time.

    Written by ``lights.refresh_lights``; a row with no unit counts the whole campaign.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("week (Monday)"))
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    light = models.CharField(_("light"), max_length=10, choices=Light.choices)
    count = models.PositiveIntegerField(_("items"))

    class Meta:
        verbose_name = _("light tally")
        verbose_name_plural = _("light tallies")
        ordering = ["campaign", "week", "unit", "light"]
        indexes = [models.Index(fields=["campaign", "week"], name="light_tally_week_idx")]

    def __str__(self) -> str:
        return f"{self.week} {self.unit_id or '*'} {self.light} {self.count}"


class KeyTaskTrack(models.Model):
    """A key task (or aspect) tracked like an item: its owner, dates, percent and light (one per key task).

    The plan's tree (names, order) stays in campaigns; what moves as the work goes lives here, beside
    the items, so it is judged by the same light rule and loader. Percent: the task's own latest
    progress entry when it has any, else rolled up from the key tasks under it (an aspect), else
    from its items.
    """

    class Source(models.TextChoices):
        ENTRIES = "entries", _("its own progress entries")
        TASKS = "tasks", _("the key tasks under it")
        ITEMS = "items", _("its items")

    key_task = models.OneToOneField(
        "campaigns.KeyTask", verbose_name=_("key task"), on_delete=models.CASCADE, related_name="track"
    )
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    owner_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead = models.CharField(_("responsible leader"), max_length=100, blank=True)
    starts_on = models.DateField(_("planned start"), null=True, blank=True, help_text=_("Empty: the campaign's start."))
    due = models.DateField(_("deadline"), null=True, blank=True, help_text=_("Empty for ongoing items."))
    due_text = models.CharField(_("deadline as written"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    percent_source = models.CharField(_("progress from"), max_length=10, choices=Source.choices, default=Source.ITEMS)
    light = models.CharField(_("light"), max_length=10, choices=Light.choices, default=Light.GREEN)
    light_code = models.CharField(_("light reason"), max_length=20, blank=True)
    light_n = models.IntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    AUDITED_FIELDS = ("owner_unit", "lead", "starts_on", "due", "due_text")

    class Meta:
        verbose_name = _("key task progress")
        verbose_name_plural = _("key task progress")
        ordering = ["key_task"]
        indexes = [models.Index(fields=["campaign", "light"], name="keytask_track_light_idx")]

    def __str__(self) -> str:
        return str(self.key_task)

    @property
    def light_reason(self) -> str:
        from .lights import describe

        return describe(self.light_code, self.light_n)


class KeyTaskProgress(models.Model):
    """An append-only progress report on a key task, by its owner unit or the office."""

    track = models.ForeignKey(
        KeyTaskTrack, verbose_name=_("key task"), on_delete=models.CASCADE, related_name="entries"
    )
    as_of = models.DateField(_("as of"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    done = models.TextField(_("what was done"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("key task progress entry")
        verbose_name_plural = _("key task progress entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["track", "-created_at"], name="keytask_progress_idx")]

    def __str__(self) -> str:
        return f"{self.track} {self.percent}%"
