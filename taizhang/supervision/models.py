from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChaseNotice(models.Model):
    """A chase-up notice (督查催办单) the office issues on a yellow or red item; the owner unit answers it."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="chase_notices"
    )
    seq = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("notice number"), max_length=40)
    item = models.ForeignKey(
        "ledger.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="chase_notices"
    )
    # The item's facts when the notice went out: the notice says what it said, whatever happens next.
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    light = models.CharField(_("light"), max_length=10)
    light_code = models.CharField(_("light reason"), max_length=20, blank=True)
    light_n = models.IntegerField(default=0)
    due = models.DateField(_("deadline"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)

    required_by = models.DateField(_("response required by"))
    contact = models.CharField(_("contact (name and phone)"), max_length=100)
    requirements = models.TextField(_("requirements"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"))

    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("chase-up notice")
        verbose_name_plural = _("chase-up notices")
        ordering = ["campaign", "-seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "seq"],
                name="chase_notice_unique_seq",
                violation_error_message=_("A notice with this number already exists in the campaign."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_answered(self) -> bool:
        return self.responded_at is not None

    @property
    def reason(self) -> str:
        from taizhang.ledger.lights import describe

        return describe(self.light_code, self.light_n)

    @property
    def days_overdue(self) -> int:
        return self.light_n if self.light_code.endswith("overdue") else 0

    @property
    def points_behind(self) -> int:
        return self.light_n if self.light_code.endswith("behind") else 0
