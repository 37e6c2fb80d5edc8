"""The key-task view: 19 aspects × progress and lights, drilled down to a key task's page.

The figures are ledger.keytasks' (tracks stored by its roll-up, items counted in one grouped query);
this app sits above study, so a key task's page can show its activities too.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.campaigns.models import KeyTask
from taizhang.ledger import keytasks
from taizhang.ledger.models import Item, KeyTaskTrack, Light
from taizhang.lib.forms import apply_errors
from taizhang.lib.params import id_param
from taizhang.study.models import Activity

from .forms import KeyTaskForm, KeyTaskProgressForm

LIGHTS = (Light.RED, Light.YELLOW, Light.BLUE, Light.GREEN)
LIGHT_COLOURS = {Light.RED: "#d9342b", Light.YELLOW: "#e6a700", Light.BLUE: "#2f6fd6", Light.GREEN: "#2e9d4c"}


def key_task_board(campaign, aspect: KeyTask | None = None) -> dict:
    """The rows of the key-task view: the aspects (or one aspect's key tasks) with percent, light, owner,
    their key tasks' lights and their items' figures. Two queries whatever the number of items."""
    nodes = list(
        KeyTask.objects.filter(campaign=campaign)
        .select_related("track", "track__owner_unit")
        .order_by("parent_id", "order", "id")
    )
    rollup = keytasks.item_rollup(campaign)
    children: dict[int, list[KeyTask]] = {}
    for node in nodes:
        if node.parent_id:
            children.setdefault(node.parent_id, []).append(node)
    shown = children.get(aspect.pk, []) if aspect is not None else [n for n in nodes if n.parent_id is None]
    items_url = reverse("ledger:item_list", args=[campaign.slug])
    board_url = reverse("dashboards:key_tasks", args=[campaign.slug])
    rows = []
    for node in shown:
        track = getattr(node, "track", None)
        under = children.get(node.pk, [])
        figures = {"total": 0, "done": 0, **dict.fromkeys(LIGHTS, 0)}
        for pk in [node.pk, *(c.pk for c in under)]:
            for name in figures:
                figures[name] += (rollup.get(pk) or {}).get(name, 0)
        task_lights = dict.fromkeys(LIGHTS, 0)
        for child in under:
            child_track = getattr(child, "track", None)
            if child_track is not None and child_track.light in task_lights:
                task_lights[child_track.light] += 1
        light = track.light if track else Light.NONE
        rows.append(
            {
                "id": node.pk,
                "code": node.code,
                "name": node.name,
                "percent": track.percent if track else 0,
                "source": track.get_percent_source_display() if track else "",
                "light": light,
                "light_label": str(Light(light).label),
                "light_reason": track.light_reason if track else "",
                "colour": LIGHT_COLOURS.get(light, "#999"),
                "owner": track.owner_unit.display_name if track and track.owner_unit else "",
                "lead": track.lead if track else "",
                "due": track.due.isoformat() if track and track.due else "",
                "due_text": track.due_text if track else "",
                "tasks": len(under),
                "task_lights": task_lights,
                "items": figures,
                "items_link": f"{items_url}?key_task={node.pk}",
                "page": reverse("dashboards:key_task", args=[campaign.slug, node.pk]),
                # An aspect drills down to its key tasks; a key task opens its page.
                "link": f"{board_url}?aspect={node.pk}"
                if under
                else reverse("dashboards:key_task", args=[campaign.slug, node.pk]),
            }
        )
    return {"rows": rows, "lights": [{"key": light, "name": str(Light(light).label)} for light in LIGHTS]}


def key_task_owners(campaign) -> dict[int, dict]:
    """The set-up tree's owner column (registered with campaigns): every key task, tracked yet or not, in one query."""
    nodes = KeyTask.objects.filter(campaign=campaign).select_related("track", "track__owner_unit")
    owners = {}
    for node in nodes:
        track = getattr(node, "track", None)
        owners[node.pk] = {
            "owner": track.owner_unit.display_name if track and track.owner_unit else "",
            "lead": track.lead if track else "",
            "due": track.due if track else None,
            "due_text": track.due_text if track else "",
            "edit_url": reverse("dashboards:key_task_owner", args=[campaign.slug, node.pk]),
        }
    return owners


@campaign_view
def key_tasks(request, campaign, access):
    aspect_id = id_param(request, "aspect")
    aspect = None if aspect_id is None else get_object_or_404(KeyTask, campaign=campaign, pk=aspect_id)
    board = key_task_board(campaign, aspect)
    return render(
        request,
        "dashboards/key_tasks.html",
        {
            "campaign": campaign,
            "access": access,
            "aspect": aspect,
            "board": board,
            "today": timezone.localdate(),
            "labels": {"percent": _("Progress")},
        },
    )


def _key_task(campaign, pk) -> KeyTask:
    return get_object_or_404(KeyTask.objects.select_related("parent", "campaign"), campaign=campaign, pk=pk)


def _page(request, campaign, access, node, *, status=200, **forms):
    """The key task's page: its owner and progress, the key tasks and items under it, activities, history."""
    track = keytasks.track_of(node)
    under = list(node.children.select_related("track", "track__owner_unit").order_by("order", "id"))
    ids = [node.pk, *(c.pk for c in under)]
    items = Item.objects.filter(campaign=campaign, key_task_id__in=ids).for_list().order_by("code")
    context = {
        "campaign": campaign,
        "access": access,
        "node": node,
        "track": track,
        "under": under,
        "items": items[:100],
        "items_total": items.count(),
        "items_link": reverse("ledger:item_list", args=[campaign.slug]) + f"?key_task={node.pk}",
        "activities": Activity.objects.filter(campaign=campaign, key_task_id__in=ids)
        .select_related("kind", "unit")
        .order_by("-starts_at")[:50],
        "entries": track.entries.select_related("author")[:50] if track.pk else [],
        "history": keytasks.key_task_history(track)[:200],
        "edit_form": KeyTaskForm(instance=track, campaign=campaign) if access.is_office else None,
        "progress_form": KeyTaskProgressForm(initial={"version": track.version, "percent": track.percent})
        if keytasks.can_report(access, track)
        else None,
    }
    context.update(forms)
    return render(request, "dashboards/key_task.html", context, status=status)


@campaign_view
def key_task(request, campaign, access, pk):
    return _page(request, campaign, access, _key_task(campaign, pk))


@campaign_view
@require_POST
def key_task_edit(request, campaign, access, pk):
    node = _key_task(campaign, pk)
    access.require(access.is_office, _("Only the campaign office can edit key tasks."))
    form = KeyTaskForm(request.POST, instance=KeyTaskTrack(key_task=node, campaign=campaign), campaign=campaign)
    if form.is_valid():
        try:
            keytasks.update_key_task(
                node,
                data=form.track_data(),
                expected_version=form.cleaned_data.get("version") or 0,
                acting_user=request.user,
            )
        except keytasks.StaleKeyTaskEdit as error:
            messages.error(request, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Key task saved."))
            return redirect("dashboards:key_task", slug=campaign.slug, pk=node.pk)
    return _page(request, campaign, access, node, status=400, edit_form=form)


@campaign_view
def key_task_owner(request, campaign, access, pk):
    """The owner unit, leader and deadline of one key task on a page of its own, opened from the set-up
    tree (a picker for the unit, the same action as the key task's page); saved, back to the tree."""
    node = _key_task(campaign, pk)
    access.require(access.is_office, _("Only the campaign office can edit key tasks."))
    track = keytasks.track_of(node)
    if request.method == "POST":
        form = KeyTaskForm(request.POST, instance=KeyTaskTrack(key_task=node, campaign=campaign), campaign=campaign)
        if form.is_valid():
            try:
                keytasks.update_key_task(
                    node,
                    data=form.track_data(),
                    expected_version=form.cleaned_data.get("version") or 0,
                    acting_user=request.user,
                )
            except keytasks.StaleKeyTaskEdit as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Key task saved: %(name)s") % {"name": node})
                return redirect(reverse("campaigns:setup", args=[campaign.slug]) + f"#key-task-{node.pk}")
    else:
        form = KeyTaskForm(instance=track, campaign=campaign)
    return render(
        request,
        "dashboards/key_task_owner.html",
        {"campaign": campaign, "access": access, "node": node, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@campaign_view
@require_POST
def key_task_progress(request, campaign, access, pk):
    node = _key_task(campaign, pk)
    track = keytasks.track_of(node)
    access.require(keytasks.can_report(access, track), _("You can report progress only on your own unit's key tasks."))
    form = KeyTaskProgressForm(request.POST)
    if form.is_valid():
        try:
            keytasks.add_key_task_progress(
                node,
                percent=form.cleaned_data["percent"],
                done=form.cleaned_data["done"],
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except keytasks.StaleKeyTaskEdit as error:
            messages.error(request, str(error))
            return redirect("dashboards:key_task", slug=campaign.slug, pk=node.pk)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect("dashboards:key_task", slug=campaign.slug, pk=node.pk)
    return _page(request, campaign, access, node, status=400, progress_form=form)
