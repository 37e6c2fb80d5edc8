from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from taizhang.history.recording import history_for
from taizhang.lib.forms import apply_errors
from taizhang.lib.params import id_param

from . import accounts, actions, lockout
from .access import can_manage_units
from .forms import DeactivateForm, FirstPasswordForm, UnitForm
from .models import Unit
from .queries import in_tree_order, unit_choices


def _require_manager(request) -> None:
    if not can_manage_units(request.user):
        raise PermissionDenied(_("Only the campaign office can change the org tree."))


@login_required
def unit_tree(request):
    show_inactive = request.GET.get("inactive") == "1"
    units = Unit.objects.annotate(item_count=Count("items")).select_related("parent")
    if not show_inactive:
        units = units.filter(is_active=True)
    return render(
        request,
        "orgs/unit_tree.html",
        {
            "units": in_tree_order(units),
            "can_manage": can_manage_units(request.user),
            "show_inactive": show_inactive,
        },
    )


@login_required
def unit_detail(request, pk):
    unit = get_object_or_404(Unit, pk=pk)
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "ancestors": unit.ancestors(),
            "children": unit.children.order_by("sort_order", "name"),
            "history": history_for(unit)[:100],
            "can_manage": can_manage_units(request.user),
            "deactivate_form": DeactivateForm(),
        },
    )


@login_required
def unit_create(request):
    _require_manager(request)
    initial = {}
    parent = id_param(request, "parent")
    if parent is not None:
        initial["parent"] = Unit.objects.filter(pk=parent).first()
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.create_unit(data=form.unit_data(), acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Unit %(name)s added.") % {"name": unit.name})
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": None})


@login_required
def unit_edit(request, pk):
    _require_manager(request)
    unit = get_object_or_404(Unit, pk=pk)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.update_unit(Unit.objects.get(pk=pk), data=form.unit_data(), acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Unit %(name)s saved.") % {"name": unit.name})
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": unit})


@require_POST
@login_required
def unit_set_active(request, pk):
    _require_manager(request)
    unit = get_object_or_404(Unit, pk=pk)
    active = request.POST.get("active") == "1"
    form = DeactivateForm(request.POST)
    if not active and not form.is_valid():
        messages.error(request, _("Give a reason for deactivating the unit."))
        return redirect("orgs:unit_detail", pk=unit.pk)
    try:
        actions.set_unit_active(unit, active=active, acting_user=request.user, reason=form.data.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Unit reactivated.") if active else _("Unit deactivated."))
    return redirect("orgs:unit_detail", pk=unit.pk)


# Login lockouts ------------------------------------------------------------------------


@login_required
def lockouts(request):
    """Locked accounts and addresses; the office unlocks one (recorded in history)."""
    if not can_manage_units(request.user):
        raise PermissionDenied(_("Only the campaign office unlocks logins."))
    status = 200
    if request.method == "POST":
        try:
            lockout.unlock(
                kind=request.POST.get("kind", ""), value=request.POST.get("value", "")[:255], acting_user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            messages.success(request, _("Unlocked: %(what)s.") % {"what": request.POST["value"][:255]})
            return redirect("orgs:lockouts")
    return render(
        request,
        "orgs/lockouts.html",
        {"lockouts": lockout.current_lockouts(), "limit": settings.AXES_FAILURE_LIMIT},
        status=status,
    )


@require_GET
@login_required
def unit_search(request):
    """The unit picker's matches (the org tree is readable by everyone signed in, like the tree page)."""
    kinds = [k for k in request.GET.getlist("kind") if k in Unit.Kind.values]
    return JsonResponse({"results": unit_choices(request.GET.get("q", "")[:100], kinds=kinds)})


@never_cache
def first_sign_in(request, token):
    """A one-time link from the office's sheet: the person sets their own password and is signed in.

    Opening the link claims nothing (a mail scanner or a preview opening it spends nothing); the
    password's POST claims it first, so it works once.
    """
    link = accounts.open_sign_in_link(token)
    if link is None:
        return render(request, "orgs/first_sign_in.html", {"expired": True}, status=404)
    form = FirstPasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.use_sign_in_link(token, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your password is set. Welcome, %(name)s.") % {"name": user.display_name})
            return redirect(settings.LOGIN_REDIRECT_URL)
    status = 400 if request.method == "POST" else 200
    return render(request, "orgs/first_sign_in.html", {"form": form, "person": link.user}, status=status)
