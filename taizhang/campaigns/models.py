from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    INSIDE = "inside", _("inside (grassroots and employees)")
    OUTSIDE = "outside", _("outside")


class Campaign(models.Model):
    """One campaign (e.g. 2021 我为群众办实事) over the shared org tree, with its rule settings."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short code"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_active = models.BooleanField(_("active"), default=True)

    # Reporting rhythm (Asia/Shanghai).
    weekly_report_weekday = models.PositiveSmallIntegerField(
        _("weekly report due on"), choices=Weekday.choices, default=Weekday.FRIDAY
    )
    weekly_report_hour = models.PositiveSmallIntegerField(
        _("weekly report due hour"), default=17, validators=[MaxValueValidator(23)]
    )
    monthly_report_day = models.PositiveSmallIntegerField(
        _("monthly report due day"), default=5, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )

    # Warning lights: every threshold is a setting.
    blue_days_before_due = models.PositiveSmallIntegerField(_("blue: days before the deadline"), default=7)
    yellow_points_behind = models.PositiveSmallIntegerField(_("yellow: points behind schedule"), default=10)
    red_points_behind = models.PositiveSmallIntegerField(_("red: points behind schedule"), default=30)
    yellow_missed_reports = models.PositiveSmallIntegerField(_("yellow: reports missed"), default=2)
    red_missed_reports = models.PositiveSmallIntegerField(_("red: reports missed"), default=3)

    # Closing.
    ratings_required = models.BooleanField(_("ratings required before closing items from demands"), default=True)
    satisfied_threshold = models.PositiveSmallIntegerField(
        _("satisfaction threshold (percent)"), default=50, validators=[MaxValueValidator(100)]
    )

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("The campaign cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A content category of a campaign's items (服务基层, 关爱员工 …), in the campaign's order."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["campaign", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"],
                name="category_unique_name",
                violation_error_message=_("This category already exists in the campaign."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """A phase of a campaign (筹划部署, 组织实施, 检查验收) with its dates."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"],
                name="phase_unique_name",
                violation_error_message=_("This phase already exists in the campaign."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KeyTask(models.Model):
    """An aspect of the plan or a key task under it (19 aspects, 39 key tasks in the seed)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="key_tasks")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("aspect")
    )
    code = models.CharField(_("number"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        ordering = ["campaign", "parent_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()
