from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view

from . import robots as robot_actions
from .models import Channel, Delivery, GroupRobot, Message, Preference, Reason

PERSONAL_CHANNELS = (Channel.IN_APP, Channel.EMAIL)


def _inbox(user):
    return Message.objects.filter(recipient=user, deliveries__channel=Channel.IN_APP)


@login_required
def bell(request):
    """The navbar bell: how many in-app messages are unread (htmx polls it)."""
    unread = _inbox(request.user).filter(read_at__isnull=True).count()
    return render(request, "notices/_bell.html", {"unread": unread})


@login_required
def inbox(request):
    page = Paginator(_inbox(request.user).select_related("campaign"), 30).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {"page": page})


@require_POST
@login_required
def mark_read(request, pk):
    message = get_object_or_404(_inbox(request.user), pk=pk)
    if message.read_at is None:
        Message.objects.filter(pk=message.pk).update(read_at=timezone.now())
    return redirect(message.url or "notices:inbox")


@require_POST
@login_required
def mark_all_read(request):
    _inbox(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notices:inbox")


@login_required
def preferences(request):
    current = {(p.reason, p.channel): p.enabled for p in Preference.objects.filter(user=request.user)}
    if request.method == "POST":
        for reason in Reason.values:
            for channel in PERSONAL_CHANNELS:
                Preference.objects.update_or_create(
                    user=request.user,
                    reason=reason,
                    channel=channel,
                    defaults={"enabled": request.POST.get(f"{reason}:{channel}") == "on"},
                )
        flash.success(request, _("Your choices are saved."))
        return redirect("notices:preferences")
    rows = [
        (reason, label, [(channel, current.get((reason, channel), True)) for channel in PERSONAL_CHANNELS])
        for reason, label in Reason.choices
    ]
    channel_labels = [Channel(c).label for c in PERSONAL_CHANNELS]
    return render(request, "notices/preferences.html", {"rows": rows, "channel_labels": channel_labels})


@campaign_view
def send_log(request, campaign, access):
    """Everything sent for the campaign, with failures and their errors: for the office."""
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office sees the send log."))
    deliveries = (
        Delivery.objects.filter(message__campaign=campaign)
        .select_related("message__recipient", "message__robot__unit")
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-id")
    )
    status = request.GET.get("status")
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/send_log.html",
        {"campaign": campaign, "access": access, "page": page, "status": status, "statuses": Delivery.Status.choices},
    )


@campaign_view
def robots(request, campaign, access):
    """The units' group robots: a page of them and a form to add one (the office only)."""
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office keeps group robots."))
    form = robot_actions.RobotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        robot_actions.add_robot(campaign, data=form.cleaned_data, acting_user=request.user)
        flash.success(request, _("Saved."))
        return redirect("notices:robots", slug=campaign.slug)
    page = Paginator(GroupRobot.objects.select_related("unit").order_by("unit__path", "kind"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notices/robots.html",
        {"campaign": campaign, "access": access, "form": form, "page": page},
        status=400 if request.method == "POST" else 200,
    )


@campaign_view
@require_POST
def robot_active(request, campaign, access, pk):
    robot = get_object_or_404(GroupRobot, pk=pk)
    robot_actions.set_robot_active(campaign, robot, active=request.POST.get("active") == "1", acting_user=request.user)
    flash.success(request, _("Saved."))
    return redirect("notices:robots", slug=campaign.slug)
