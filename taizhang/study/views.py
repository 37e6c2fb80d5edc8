import datetime
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.history.recording import history_for
from taizhang.lib.forms import apply_errors
from taizhang.lib.media import file_response
from taizhang.lib.params import choice_param, id_param, int_param, parse_id
from taizhang.lib.xlsxread import SpreadsheetError, read_workbook
from taizhang.orgs.models import Unit

from . import actions
from .access import can_manage_roster, can_organise, can_see_personal_data
from .forms import ActivityForm, AssignForm, IdentifyForm, MaterialForm, MemberForm, PlanUnitForm, RosterUploadForm
from .models import Activity, ActivityPhoto, Attendance, Material, MaterialFile, Member, Reading
from .queries import participation, reading_rate, reading_rates

PAGE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE).get_page(request.GET.get("page"))


def _unit_param(request):
    """``?unit=<id>``: that unit, 404 when there is none, 400 for junk (the project's one parser)."""
    unit_id = id_param(request, "unit")
    return None if unit_id is None else get_object_or_404(Unit, pk=unit_id)


# Activities ------------------------------------------------------------------------


@campaign_view
def study_home(request, campaign, access):
    """Activities of the campaign, newest first, with filters; links to rosters, participation and materials."""
    activities = Activity.objects.filter(campaign=campaign).select_related("kind", "unit")
    kinds = actions.activity_kinds(campaign)
    kind = id_param(request, "kind")
    if kind is not None:
        activities = activities.filter(kind_id=kind)
    state = choice_param(request, "state", Activity.State.values)
    if state:
        activities = activities.filter(state=state)
    unit = _unit_param(request)
    if unit is not None:
        activities = activities.filter(unit__path__startswith=unit.path)
    activities = activities.annotate(present=Count("attendances", filter=Q(attendances__status="present"))).order_by(
        "-starts_at", "-id"
    )
    return render(
        request,
        "study/home.html",
        {
            "campaign": campaign,
            "access": access,
            "page": _page(request, activities),
            "kinds": kinds,
            "states": Activity.State.choices,
            "selected": {"kind": "" if kind is None else str(kind), "state": state or "", "unit": unit},
            "can_plan": access.is_office or access.is_liaison,
        },
    )


def _activity_form_data(form):
    data = {name: form.cleaned_data[name] for name in actions.ACTIVITY_FIELDS}
    return data, list(form.cleaned_data["audience_units"]), list(form.cleaned_data["audience_groups"])


@campaign_view
def activity_new(request, campaign, access):
    if not (access.is_office or access.is_liaison):
        raise PermissionDenied(_("Only the office and units' liaisons plan activities."))
    form = ActivityForm(request.POST or None, campaign=campaign, access=access)
    if request.method == "POST" and form.is_valid():
        data, audience, groups = _activity_form_data(form)
        try:
            activity = actions.create_activity(
                campaign=campaign,
                data=data,
                audience_units=audience,
                audience_groups=groups,
                access=access,
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The activity is recorded."))
            return redirect("study:activity_detail", slug=campaign.slug, pk=activity.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "study/activity_form.html", {"campaign": campaign, "form": form, "activity": None}, status=status
    )


def _activity(campaign, pk):
    return get_object_or_404(Activity.objects.select_related("kind", "unit", "key_task"), campaign=campaign, pk=pk)


@campaign_view
def activity_detail(request, campaign, access, pk):
    activity = _activity(campaign, pk)
    attendances = list(
        Attendance.objects.filter(activity=activity).select_related("member", "member__unit").order_by("member__name")
    )
    counts = dict.fromkeys(Attendance.Status.values, 0)
    for attendance in attendances:
        counts[attendance.status] += 1
    expected = actions.expected_members(activity).count()
    return render(
        request,
        "study/activity_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "activity": activity,
            "attendances": attendances[:500],
            "more": max(0, len(attendances) - 500),
            "counts": counts,
            "expected": expected,
            "can_organise": can_organise(access, activity.unit),
            "sign_in_url": request.build_absolute_uri(reverse("study:sign_in", args=[activity.sign_in_token])),
            "window": actions.sign_in_window(activity),
            "history": history_for(activity),
            "audience": list(activity.audience_units.all()),
            "audience_groups": list(activity.audience_groups.select_related("unit")),
            "show_phones": access.is_office or access.speaks_for(activity.unit),
            "photos": list(activity.photos.all()),
            "max_photos": actions.MAX_PHOTOS,
            "can_make_case": activity.state == Activity.State.HELD
            and (access.is_office or access.speaks_for(activity.unit)),
        },
    )


@campaign_view
@require_POST
def activity_photos(request, campaign, access, pk):
    """The organising unit adds photos of a held activity (real images only, all or none)."""
    activity = _activity(campaign, pk)
    if not can_organise(access, activity.unit):
        raise PermissionDenied(_("Only the organising unit adds photos to its activities."))
    try:
        added = actions.add_activity_photos(
            activity,
            uploads=request.FILES.getlist("photos")[: actions.MAX_PHOTOS + 1],
            caption=request.POST.get("caption", "")[:200],
            access=access,
            acting_user=request.user,
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Photos added: %(n)d.") % {"n": len(added)})
    return redirect(reverse("study:activity_detail", args=[campaign.slug, pk]) + "#photos")


def _photo(campaign, pk, photo):
    return get_object_or_404(
        ActivityPhoto.objects.select_related("activity__unit"),
        pk=photo,
        activity_id=pk,
        activity__campaign=campaign,
    )


@campaign_view
def activity_photo(request, campaign, access, pk, photo):
    """A photo goes to those who see the activity (a role in its campaign), never from a public URL."""
    stored = _photo(campaign, pk, photo)
    return file_response(stored.file, filename=stored.name, inline_images=True)


@campaign_view
@require_POST
def activity_photo_remove(request, campaign, access, pk, photo):
    stored = _photo(campaign, pk, photo)
    actions.remove_activity_photo(stored, access=access, acting_user=request.user)
    messages.success(request, _("The photo is removed."))
    return redirect(reverse("study:activity_detail", args=[campaign.slug, pk]) + "#photos")


@campaign_view
def activity_edit(request, campaign, access, pk):
    activity = _activity(campaign, pk)
    if not can_organise(access, activity.unit):
        raise PermissionDenied(_("You can change activities only of your own unit."))
    form = ActivityForm(request.POST or None, instance=activity, campaign=campaign, access=access)
    if request.method == "POST" and form.is_valid():
        data, audience, groups = _activity_form_data(form)
        version = int_param(request, "version", -1, data=request.POST)
        try:
            actions.update_activity(
                _activity(campaign, pk),
                data=data,
                audience_units=audience,
                audience_groups=groups,
                expected_version=version,
                access=access,
                acting_user=request.user,
            )
        except actions.StaleActivity as error:
            form.add_error(None, error)
            return render(
                request,
                "study/activity_form.html",
                {"campaign": campaign, "form": form, "activity": activity},
                status=409,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("study:activity_detail", slug=campaign.slug, pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "study/activity_form.html", {"campaign": campaign, "form": form, "activity": activity}, status=status
    )


@campaign_view
def activity_attendance(request, campaign, access, pk):
    """Tick the roster on a phone: present, on leave (with a reason) or absent, member by member."""
    activity = _activity(campaign, pk)
    if not can_organise(access, activity.unit):
        raise PermissionDenied(_("Only the organising unit records attendance."))
    members = actions.expected_members(activity).order_by("unit__path", "name")
    page = _page(request, members)
    current = {a.member_id: a for a in Attendance.objects.filter(activity=activity, member_id__in=[m.pk for m in page])}
    error = None
    if request.method == "POST":
        marks = {}
        for key, value in request.POST.items():
            if key.startswith("m-"):
                member_id = parse_id(key[2:], name=key)
                marks[member_id] = (value, request.POST.get(f"r-{key[2:]}", "").strip())
        try:
            changed = actions.record_attendance(activity, marks=marks, access=access, acting_user=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("Attendance saved for %(n)d members.") % {"n": changed})
            target = reverse("study:activity_attendance", args=[campaign.slug, pk])
            if request.GET.get("page"):
                target += f"?page={page.number}"
            return redirect(target)
    rows = [(member, current.get(member.pk)) for member in page]
    return render(
        request,
        "study/attendance.html",
        {
            "campaign": campaign,
            "activity": activity,
            "page": page,
            "rows": rows,
            "statuses": Attendance.Status.choices,
            "error": error,
        },
        status=400 if error else 200,
    )


@campaign_view
def activity_qr(request, campaign, access, pk):
    """The QR code members scan at the door (an unguessable sign-in link), as SVG for printing."""
    activity = _activity(campaign, pk)
    if not can_organise(access, activity.unit):
        raise PermissionDenied(_("Only the organising unit prints the sign-in code."))
    url = request.build_absolute_uri(reverse("study:sign_in", args=[activity.sign_in_token]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


def sign_in(request, token):
    """Public (no login): the member types name and phone; the roster decides. Once, in the window."""
    activity = Activity.objects.filter(sign_in_token=token).select_related("campaign", "kind", "unit").first()
    if activity is None or len(token) > 40:
        raise Http404(_("This sign-in code is not valid."))
    form = IdentifyForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        try:
            done = actions.sign_in(token, name=form.cleaned_data["name"], phone=form.cleaned_data["phone"])
        except ValidationError as error:
            form.add_error(None, error)
    status = 400 if request.method == "POST" and done is None else 200
    return render(request, "study/sign_in.html", {"activity": activity, "form": form, "done": done}, status=status)


# Rosters ---------------------------------------------------------------------------


@campaign_view
def roster(request, campaign, access):
    """A unit's roster (its subtree's members); the office sees any unit, a liaison their own."""
    unit = _unit_param(request)
    if unit is None:
        unit = access.liaison_units[0] if access.liaison_units else Unit.objects.filter(parent=None).first()
    if unit is None:
        raise Http404
    if not (access.is_office or access.speaks_for(unit) or access.is_leader):
        raise PermissionDenied(_("You can see only your own unit's roster."))
    members = Member.objects.filter(unit__path__startswith=unit.path).select_related("unit")
    query = request.GET.get("q", "").strip()[:50]
    if query:
        members = members.filter(name__contains=query)
    page = _page(request, members)
    show_phones = access.is_office or access.speaks_for(unit)
    return render(
        request,
        "study/roster.html",
        {
            "campaign": campaign,
            "access": access,
            "unit": unit,
            "page": page,
            "query": query,
            "show_phones": show_phones,
            "can_edit": can_manage_roster(access, unit),
            "upload": RosterUploadForm(),
            "subunits": Unit.objects.filter(parent=unit, is_active=True).order_by("sort_order", "name")[:100],
        },
    )


@campaign_view
def roster_import(request, campaign, access):
    """Upload a roster (姓名 | 单位 | 手机 | 是否党员 | 党支部): all rows or none, every problem listed."""
    if not (access.is_office or access.is_liaison):
        raise PermissionDenied(_("Only the office and units' liaisons keep rosters."))
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            workbook = read_workbook(upload.read(), upload.name)
            rows = workbook.sheets[0].rows if workbook.sheets else []
            plan = actions.import_roster(rows, access=access, acting_user=request.user)
        except SpreadsheetError as error:
            errors = [str(error)]
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("Roster imported: %(created)d members added, %(updated)d changed.")
                % {"created": len(plan.creates), "updated": len(plan.updates)},
            )
            return redirect("study:roster", slug=campaign.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "study/roster_import.html",
        {"campaign": campaign, "form": form, "errors": errors[:200], "more": max(0, len(errors) - 200)},
        status=status,
    )


@campaign_view
def member_edit(request, campaign, access, pk=None):
    member = get_object_or_404(Member.objects.select_related("unit"), pk=pk) if pk else Member()
    if pk and not can_see_personal_data(access, member):
        raise PermissionDenied(_("You can keep only your own unit's roster."))
    if not pk and not (access.is_office or access.is_liaison):
        raise PermissionDenied(_("Only the office and units' liaisons keep rosters."))
    form = MemberForm(request.POST or None, instance=member if pk else None, access=access)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = actions.save_member(
                get_object_or_404(Member, pk=pk) if pk else Member(),
                data=data,
                access=access,
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The member is saved."))
            return redirect(reverse("study:roster", args=[campaign.slug]) + f"?unit={saved.unit_id}")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "study/member_form.html", {"campaign": campaign, "form": form, "member": member}, status=status
    )


@campaign_view
def participation_page(request, campaign, access):
    """Members who attended a held activity, per unit and rolled up the tree; 50 units a page."""
    root = _unit_param(request)
    rows = participation(campaign, root=root)
    return render(
        request,
        "study/participation.html",
        {
            "campaign": campaign,
            "access": access,
            "page": Paginator(rows, PAGE).get_page(request.GET.get("page")),
            "root": root,
        },
    )


# Materials -------------------------------------------------------------------------


@campaign_view
def material_list(request, campaign, access):
    materials = (
        Material.objects.filter(campaign=campaign)
        .annotate(
            units=Count("assignments", distinct=True),
            confirmed=Count("readings", filter=Q(readings__confirmed_at__isnull=False), distinct=True),
        )
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "study/material_list.html",
        {"campaign": campaign, "access": access, "page": _page(request, materials)},
    )


@campaign_view
def material_new(request, campaign, access):
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office adds study materials."))
    form = MaterialForm(request.POST or None, request.FILES or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        upload = form.cleaned_data.get("files")
        try:
            material = actions.create_material(
                campaign=campaign, data=data, files=[upload] if upload else [], access=access, acting_user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("study:material_detail", slug=campaign.slug, pk=material.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "study/material_form.html", {"campaign": campaign, "form": form}, status=status)


@campaign_view
def material_detail(request, campaign, access, pk):
    material = get_object_or_404(Material, campaign=campaign, pk=pk)
    form = AssignForm(request.POST or None, campaign=campaign)
    if request.method == "POST":
        if not access.is_office:
            raise PermissionDenied(_("Only the campaign office assigns study materials."))
        if form.is_valid():
            try:
                actions.assign_material(
                    material,
                    unit=form.cleaned_data["unit"],
                    group=form.cleaned_data["group"],
                    read_by=form.cleaned_data["read_by"],
                    access=access,
                    acting_user=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The material is assigned."))
                return redirect("study:material_detail", slug=campaign.slug, pk=pk)
    confirmed, assigned = reading_rate(material)
    assignments = Paginator(reading_rates(material), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "study/material_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "material": material,
            "form": form,
            "assignments": assignments,
            "files": material.files.all(),
            "confirmed": confirmed,
            "assigned": assigned,
            "read_url": request.build_absolute_uri(reverse("study:read", args=[material.read_token])),
            "history": history_for(material),
        },
        status=400 if request.method == "POST" else 200,
    )


@campaign_view
def material_file(request, campaign, access, pk):
    """Files go only to people with a role in the campaign, never from a public URL."""
    stored = get_object_or_404(MaterialFile.objects.select_related("material"), pk=pk, material__campaign=campaign)
    return file_response(stored.file, filename=stored.name)


def read(request, token):
    """Public link of a material (in a notice): the member names themselves, then reads and confirms."""
    material = get_object_or_404(Material.objects.select_related("campaign"), read_token=token[:40])
    form = IdentifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reading = actions.open_material(material, name=form.cleaned_data["name"], phone=form.cleaned_data["phone"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("study:reading", token=reading.token)
    status = 400 if request.method == "POST" else 200
    return render(request, "study/read.html", {"material": material, "form": form}, status=status)


def reading(request, token):
    """One member's reading of a material: the files, and the confirmation (first one counts)."""
    entry = get_object_or_404(Reading.objects.select_related("material", "member"), token=token[:40])
    if request.method == "POST":
        actions.confirm_reading(entry)
        return redirect("study:reading", token=entry.token)
    return render(request, "study/reading.html", {"reading": entry, "files": entry.material.files.all()})


def reading_file(request, token, pk):
    """A file of the material, to the member whose reading link this is (not a public URL of the file)."""
    entry = get_object_or_404(Reading, token=token[:40])
    stored = get_object_or_404(MaterialFile, pk=pk, material_id=entry.material_id)
    return file_response(stored.file, filename=stored.name)


def _quarter_param(request) -> datetime.date:
    """``?quarter=2026Q2``; the current quarter otherwise (a bad value too)."""
    import re

    from django.utils import timezone

    from .queries import quarter_of

    value = request.GET.get("quarter", "")
    match = re.fullmatch(r"(20\d\d)Q([1-4])", value)
    if match:
        return datetime.date(int(match[1]), 3 * int(match[2]) - 2, 1)
    return quarter_of(timezone.localdate())[0]


@campaign_view
def activity_plan(request, campaign, access):
    """Each unit's plan of activities for a quarter against what it held, with a light for units behind."""
    from django.utils import timezone

    from .queries import plan_progress, quarter_label

    if not (access.is_office or access.is_leader or access.is_liaison):
        raise PermissionDenied(_("Only the office, leaders and units' liaisons see the plans of activities."))
    quarter = _quarter_param(request)
    kinds = actions.activity_kinds(campaign)
    root = None if access.is_office or access.is_leader else access.liaison_units[0]
    error = None
    unit_form = PlanUnitForm(request.POST or None, access=access)
    if request.method == "POST":
        if not (access.is_office or access.is_liaison):
            raise PermissionDenied(_("You can plan activities only for your own unit."))
        counts = {}
        for kind in kinds:
            raw = request.POST.get(f"k-{kind.pk}", "").strip() or "0"
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
                error = _("Plan between 0 and 999 activities of a kind.")
                break
            counts[kind] = int(raw)
        if not unit_form.is_valid():
            error = " ".join(unit_form.errors.get("unit", [])) or _("Choose the unit.")
        if error is None:
            try:
                actions.set_activity_plan(
                    campaign,
                    unit=unit_form.cleaned_data["unit"],
                    quarter=quarter,
                    counts=counts,
                    access=access,
                    acting_user=request.user,
                )
            except ValidationError as refused:
                error = " ".join(refused.messages)
            else:
                messages.success(request, _("The plan is saved."))
                return redirect(
                    f"{reverse('study:activity_plan', args=[campaign.slug])}?quarter={_quarter_code(quarter)}"
                )
    rows = plan_progress(campaign, quarter, timezone.localdate(), root=root)
    previous = quarter - datetime.timedelta(days=1)
    following = quarter + datetime.timedelta(days=100)
    return render(
        request,
        "study/activity_plan.html",
        {
            "campaign": campaign,
            "access": access,
            "quarter": quarter,
            "label": quarter_label(quarter),
            "code": _quarter_code(quarter),
            "previous": _quarter_code(previous),
            "following": _quarter_code(following),
            "kinds": kinds,
            "page": Paginator(rows, PAGE).get_page(request.GET.get("page")),
            "can_plan": access.is_office or access.is_liaison,
            "unit_form": unit_form,
            "error": error,
        },
        status=400 if error else 200,
    )


def _quarter_code(day: datetime.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@campaign_view
def member_record(request, campaign, access, pk):
    """A member's study record in the campaign: activities attended, hours credited, materials read."""
    from .queries import study_record

    member = get_object_or_404(Member.objects.select_related("unit"), pk=pk)
    if not (access.is_office or access.is_leader or access.speaks_for(member.unit)):
        raise PermissionDenied(_("You can see only your own unit's roster."))
    return render(
        request,
        "study/member_record.html",
        {
            "campaign": campaign,
            "member": member,
            "record": study_record(member, campaign),
            "show_phone": can_see_personal_data(access, member),
        },
    )


@campaign_view
@require_POST
def activity_model(request, campaign, access, pk):
    """The office marks a held activity a model project (特色样板), or takes the mark away."""
    activity = _activity(campaign, pk)
    try:
        actions.mark_model(
            activity,
            is_model=request.POST.get("is_model") == "1",
            reason=request.POST.get("model_reason", "")[:2000],
            access=access,
            acting_user=request.user,
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Saved."))
    return redirect("study:activity_detail", slug=campaign.slug, pk=activity.pk)


@campaign_view
def attendance_upload(request, campaign, access, pk):
    """Attendance from a sheet (姓名 | 手机 | 出席情况 | 请假原因): all rows or none, every problem listed."""
    activity = _activity(campaign, pk)
    if not can_organise(access, activity.unit):
        raise PermissionDenied(_("Only the organising unit records attendance."))
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    form.fields["file"].label = _("Attendance (xlsx or csv)")
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            workbook = read_workbook(upload.read(), upload.name)
            rows = workbook.sheets[0].rows if workbook.sheets else []
            changed = actions.import_attendance(rows, activity, access=access, acting_user=request.user)
        except SpreadsheetError as error:
            errors = [str(error)]
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Attendance recorded for %(n)d members.") % {"n": changed})
            return redirect("study:activity_detail", slug=campaign.slug, pk=activity.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "study/attendance_upload.html",
        {
            "campaign": campaign,
            "activity": activity,
            "form": form,
            "errors": errors[:200],
            "more": max(0, len(errors) - 200),
        },
        status=status,
    )


@campaign_view
def activity_kinds(request, campaign, access):
    """The campaign's kinds of activity (专题学习, 主题党日 …): the office renames, reorders and adds them."""
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office keeps the list of activity kinds."))
    kinds = actions.activity_kinds(campaign)
    error = None
    if request.method == "POST":
        changes = {}
        try:
            for kind in kinds:
                name = request.POST.get(f"name-{kind.pk}", kind.name)[:200]
                changes[kind.pk] = (
                    name,
                    int_param(request, f"order-{kind.pk}", kind.order, min_value=0, max_value=999, data=request.POST),
                )
            new_name = request.POST.get("name-new", "").strip()[:200]
            new = (
                (new_name, int_param(request, "order-new", len(kinds), min_value=0, max_value=999, data=request.POST))
                if new_name
                else None
            )
            actions.save_activity_kinds(campaign, changes=changes, new=new, access=access, acting_user=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The list of activity kinds is saved."))
            return redirect("study:activity_kinds", slug=campaign.slug)
    return render(
        request,
        "study/activity_kinds.html",
        {"campaign": campaign, "kinds": kinds, "error": error, "next_order": len(kinds)},
        status=400 if error else 200,
    )
