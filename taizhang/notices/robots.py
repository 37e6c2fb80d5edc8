"""Units' group robots (WeCom, DingTalk webhooks) kept on a page by the office, not in the admin.

Robots belong to units, not campaigns; the office of a campaign keeps them (``can_manage_units``
is the same rule as for the org tree). Every change is in the robot's history.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import record
from taizhang.lib.forms import StyledForm
from taizhang.lib.locks import lock_one
from taizhang.lib.widgets import PickerField
from taizhang.orgs.access import Access
from taizhang.orgs.models import Unit

from .models import GroupRobot


def _office(campaign, acting_user) -> None:
    if not Access.for_user(acting_user, campaign).is_office:
        raise PermissionDenied(_("Only the campaign office keeps group robots."))


@transaction.atomic
def add_robot(campaign, *, data: dict, acting_user) -> GroupRobot:
    _office(campaign, acting_user)
    robot = GroupRobot(**data)
    robot.full_clean()
    robot.save()
    # The secret never goes into the history: only that the robot was added, and where.
    record(robot, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign, note=str(robot))
    return robot


@transaction.atomic
def set_robot_active(campaign, robot: GroupRobot, *, active: bool, acting_user) -> GroupRobot:
    _office(campaign, acting_user)
    robot = lock_one(GroupRobot, pk=robot.pk)
    if robot.is_active != active:
        robot.is_active = active
        robot.save(update_fields=["is_active"])
        action = HistoryEntry.Action.ACTIVATE if active else HistoryEntry.Action.DEACTIVATE
        record(robot, action, actor=acting_user, campaign=campaign, note=str(robot))
    return robot


class RobotForm(StyledForm, forms.ModelForm):
    unit = PickerField(Unit.objects.filter(is_active=True), label=gettext_lazy("unit"))
    webhook_url = forms.URLField(label=gettext_lazy("webhook"), max_length=500, assume_scheme="https")

    class Meta:
        model = GroupRobot
        fields = ("unit", "kind", "webhook_url", "secret")
        widgets = {"secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        from django.urls import reverse

        super().__init__(*args, **kwargs)
        self.fields["unit"].url = self.fields["unit"].widget.url = reverse("orgs:unit_search")
