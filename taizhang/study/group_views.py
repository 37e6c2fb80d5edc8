"""Pages of member groups (党小组, 学习小组): the list, a group with its members, the form, the roster export.

Whoever keeps a unit's roster keeps its groups (the office, the unit's liaison or one above it);
leaders read. Phones are shown and exported only to the office and the group's own unit.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.history.recording import history_for
from taizhang.lib.downloads import download_response
from taizhang.lib.forms import apply_errors
from taizhang.lib.params import id_param, int_param, parse_id
from taizhang.lib.xlsx import write_table
from taizhang.orgs.models import Unit

from . import groups as actions
from .access import can_manage_group, can_see_group
from .forms import GroupForm, GroupMembersForm
from .models import MemberGroup

PAGE = 50


def _may_list(access) -> bool:
    return access.is_office or access.is_leader or access.is_liaison


def _group(pk, access) -> MemberGroup:
    group = get_object_or_404(MemberGroup.objects.select_related("unit", "leader"), pk=pk)
    if not can_see_group(access, group):
        raise PermissionDenied(_("You can see only your own unit's member groups."))
    return group


@campaign_view
def group_list(request, campaign, access):
    """The groups of a unit's subtree (``?unit=``), or every group the person may see, with their sizes."""
    if not _may_list(access):
        raise PermissionDenied(_("Only the office, leaders and units' liaisons see member groups."))
    unit_id = id_param(request, "unit")
    unit = None if unit_id is None else get_object_or_404(Unit, pk=unit_id)
    groups = actions.groups_of(access, unit=unit)
    return render(
        request,
        "study/group_list.html",
        {
            "campaign": campaign,
            "access": access,
            "unit": unit,
            "page": Paginator(groups, PAGE).get_page(request.GET.get("page")),
            "can_add": access.is_office or access.is_liaison,
        },
    )


@campaign_view
def group_new(request, campaign, access):
    if not (access.is_office or access.is_liaison):
        raise PermissionDenied(_("You can keep only your own unit's member groups."))
    form = GroupForm(request.POST or None, campaign=campaign, access=access)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("name", "kind")}
        try:
            group = actions.create_group(
                unit=form.cleaned_data["unit"], data=data, access=access, acting_user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The group is saved. Add its members."))
            return redirect("study:group_detail", slug=campaign.slug, pk=group.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "study/group_form.html", {"campaign": campaign, "form": form, "group": None}, status=status)


@campaign_view
def group_edit(request, campaign, access, pk):
    group = _group(pk, access)
    if not can_manage_group(access, group.unit):
        raise PermissionDenied(_("You can keep only your own unit's member groups."))
    form = GroupForm(request.POST or None, instance=group, campaign=campaign, access=access)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("name", "kind", "leader", "is_active")}
        try:
            actions.update_group(
                _group(pk, access),
                data=data,
                expected_version=int_param(request, "version", -1, data=request.POST),
                access=access,
                acting_user=request.user,
            )
        except actions.StaleGroup as error:
            form.add_error(None, error)
            return render(
                request, "study/group_form.html", {"campaign": campaign, "form": form, "group": group}, status=409
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The group is saved."))
            return redirect("study:group_detail", slug=campaign.slug, pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "study/group_form.html", {"campaign": campaign, "form": form, "group": group}, status=status)


@campaign_view
def group_detail(request, campaign, access, pk):
    """A group: its members (50 a page), adding members by the picker, removing them, its history."""
    group = _group(pk, access)
    can_edit = can_manage_group(access, group.unit)
    form = GroupMembersForm(request.POST or None, campaign=campaign, group=group)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("You can keep only your own unit's member groups."))
        if form.is_valid():
            try:
                added = actions.add_members(
                    group,
                    member_ids=[m.pk for m in form.cleaned_data["members"]],
                    access=access,
                    acting_user=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("%(n)d members added to the group.") % {"n": added})
                return redirect("study:group_detail", slug=campaign.slug, pk=pk)
    members = group.members.select_related("unit").order_by("unit__path", "name", "pk")
    query = request.GET.get("q", "").strip()[:50]
    if query:
        members = members.filter(name__contains=query)
    return render(
        request,
        "study/group_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "group": group,
            "form": form,
            "query": query,
            "pager_query": urlencode({"q": query}) if query else "",
            "page": Paginator(members, PAGE).get_page(request.GET.get("page")),
            "can_edit": can_edit,
            "show_phones": access.is_office or access.speaks_for(group.unit),
            "history": history_for(group),
        },
        status=400 if request.method == "POST" else 200,
    )


@campaign_view
@require_POST
def group_member_remove(request, campaign, access, pk):
    """Take one member (``member=<id>``) out of the group; they stay on their unit's roster."""
    group = _group(pk, access)
    if not can_manage_group(access, group.unit):
        raise PermissionDenied(_("You can keep only your own unit's member groups."))
    member_id = parse_id(request.POST.get("member", ""), name="member")
    removed = actions.remove_members(group, member_ids=[member_id], access=access, acting_user=request.user)
    if removed:
        messages.success(request, _("The member is taken out of the group."))
    return redirect("study:group_detail", slug=campaign.slug, pk=pk)


@campaign_view
def group_export(request, campaign, access, pk):
    """The group's roster as xlsx: name, unit, party member, branch, and phone for those who may see phones."""
    group = _group(pk, access)
    show_phones = access.is_office or access.speaks_for(group.unit)
    headers = [_("Full name"), _("Unit"), _("Party member"), _("Party branch")]
    widths = [14, 24, 10, 18]
    if show_phones:
        headers.append(_("Phone"))
        widths.append(16)
    rows = []
    members = group.members.filter(is_active=True).select_related("unit").order_by("unit__path", "name", "pk")
    for member in members.iterator(chunk_size=2000):
        row = [member.name, member.unit.name, _("yes") if member.is_party_member else _("no"), member.party_branch]
        if show_phones:
            row.append(member.phone)
        rows.append(row)
    content = write_table(
        sheet_name=_("Members"),
        title=f"{group.unit.name} {group.name}",
        headers=headers,
        widths=widths,
        rows=rows,
    )
    return download_response(content, f"{group.unit.name} {group.name} 名单.xlsx", fallback=f"group-{group.pk}.xlsx")


@campaign_view
@require_GET
def group_search(request, campaign, access):
    """The group picker's matches (activity audiences, material assignments): groups in use, by name or unit."""
    if not (access.is_office or access.is_liaison):
        raise PermissionDenied(_("Only the office and units' liaisons choose member groups."))
    return JsonResponse({"results": actions.search_groups(request.GET.get("q", "")[:100])})


@campaign_view
@require_GET
def group_member_search(request, campaign, access, pk):
    """The member picker's matches for a group: its unit's roster (``?in=1``: the group's own members)."""
    group = _group(pk, access)
    if not can_manage_group(access, group.unit):
        raise PermissionDenied(_("You can keep only your own unit's member groups."))
    results = actions.search_members_for(group, request.GET.get("q", ""), in_group=request.GET.get("in") == "1")
    return JsonResponse({"results": results})
