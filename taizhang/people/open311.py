"""Open311 GeoReport v2 over the demands, so existing civic clients work.

Services are a campaign's categories (``jurisdiction_id`` is the campaign's short code; without it,
the newest active campaign). A service request is a demand: ``service_request_id`` is its number,
never its tracking code, and no personal data ever leaves through this API.
"""

import datetime
import re
from xml.etree import ElementTree

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from taizhang.campaigns.models import Campaign, Category
from taizhang.ledger.models import Item, Status
from taizhang.lib.params import BadParameter, parse_id

from . import actions
from .forms import DemandForm
from .models import ApiKey, Channel, Demand, DemandStatus

MAX_SPAN = datetime.timedelta(days=90)
MAX_RESULTS = 1000


# What XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets): C0 controls but tab, newline and carriage
# return; lone surrogates; U+FFFE and U+FFFF. A problem typed or pasted with one of them is still shown, without it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Dates outside these years are typing errors, and near the ends of the calendar the 90-day span overflows.
_YEARS = range(1970, 3000)


def xml_text(value) -> str:
    """``value`` as text an XML 1.0 parser accepts (characters it cannot carry are dropped)."""
    return _NOT_XML.sub("", str(value))


class ApiError(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def _xml(root_tag: str, child_tag: str | None, rows) -> bytes:
    root = ElementTree.Element(root_tag)

    def fill(element, data: dict):
        for key, value in data.items():
            child = ElementTree.SubElement(element, key)
            if isinstance(value, list):
                for entry in value:
                    fill(ElementTree.SubElement(child, "attribute"), entry)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else xml_text(value)

    if child_tag is None:
        fill(root, rows)
    else:
        for row in rows:
            fill(ElementTree.SubElement(root, child_tag), row)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _respond(fmt: str, data, *, root: str, child: str | None, status: int = 200):
    if fmt == "xml":
        return HttpResponse(_xml(root, child, data), content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, status: int, description: str):
    return _respond(fmt, [{"code": status, "description": description}], root="errors", child="error", status=status)


def api_view(view):
    def wrapper(request, *args, fmt="json", **kwargs):
        if fmt not in ("json", "xml"):
            return _error("json", 404, _("Use .json or .xml."))
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except ApiError as error:
            return _error(fmt, error.status, error.description)
        except BadParameter as error:
            return _error(fmt, 400, error.message)

    wrapper.__name__ = view.__name__
    return csrf_exempt(wrapper)


def _campaign(request) -> Campaign:
    slug = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if slug:
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise ApiError(404, _("No such jurisdiction_id."))
        return campaign
    campaign = Campaign.objects.filter(is_active=True).order_by("-starts_on", "-id").first()
    if campaign is None:
        raise ApiError(404, _("No active campaign."))
    return campaign


def _service(category: Category) -> dict:
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": category.get_scope_display() if category.scope else "",
    }


@api_view
def services(request, *, fmt):
    campaign = _campaign(request)
    return _respond(fmt, [_service(c) for c in campaign.categories.all()], root="services", child="service")


@api_view
def service_definition(request, code, *, fmt):
    campaign = _campaign(request)
    category = campaign.categories.filter(pk=_code(code)).first()
    if category is None:
        raise ApiError(404, _("No such service_code."))
    return _respond(fmt, {"service_code": str(category.pk), "attributes": []}, root="service_definition", child=None)


def _code(value: str) -> int:
    """A service code or request id from the path: junk names nothing (0 matches no row)."""
    try:
        return parse_id(value, name="code")
    except BadParameter:
        return 0


def _w3c(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    start = datetime.datetime.combine(value, datetime.time(0, 0), tzinfo=timezone.get_current_timezone())
    return start.isoformat(timespec="seconds")


def _request_row(demand: Demand) -> dict:
    source = demand.duplicate_of or demand
    items = list(source.items.all())
    if source.status == DemandStatus.ANSWERED:
        status, notes = "closed", source.reply
    elif items and all(i.status in (Status.CLOSED, Status.WITHDRAWN) for i in items):
        status, notes = "closed", "；".join(f"{i.code} {i.get_status_display()}" for i in items)
    else:
        status = "open"
        notes = (
            "；".join(f"{i.code} {i.get_status_display()} {i.percent}%" for i in items)
            if items
            else str(DemandStatus(source.status).label)
        )
    owner = items[0].owner_unit.name if items else (demand.unit.name if demand.unit else "")
    due = min((i.due for i in items if i.due), default=None)
    updated = max([demand.replied_at or demand.created_at, *(i.updated_at for i in items)])
    return {
        "service_request_id": str(demand.pk),
        "status": status,
        "status_notes": notes,
        "service_name": demand.category.name if demand.category else "",
        "service_code": str(demand.category_id or ""),
        "description": demand.text,
        "agency_responsible": owner,
        "service_notice": "",
        "requested_datetime": _w3c(demand.created_at),
        "updated_datetime": _w3c(updated),
        "expected_datetime": _w3c(due),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": "",
        "long": "",
        "media_url": "",
    }


_ITEMS = Item.objects.select_related("owner_unit").only(
    "code", "status", "percent", "due", "updated_at", "owner_unit__name"
)


def _demands(campaign):
    return (
        Demand.objects.filter(campaign=campaign)
        .select_related("category", "unit", "duplicate_of")
        .only(
            "text",
            "status",
            "reply",
            "replied_at",
            "created_at",
            "category__name",
            "unit__name",
            "duplicate_of__status",
            "duplicate_of__reply",
        )
        .prefetch_related(Prefetch("items", queryset=_ITEMS), Prefetch("duplicate_of__items", queryset=_ITEMS))
        .order_by("-created_at", "-id")
    )


def _parse_when(name: str, value: str) -> datetime.datetime:
    try:  # parse_* answer None for a wrong shape and raise ValueError for an impossible day (2026-02-30)
        parsed = parse_datetime(value.replace(" ", "+")) if value else None
        if parsed is None and value:
            day = parse_date(value)
            if day:
                parsed = datetime.datetime.combine(day, datetime.time(0, 0))
    except ValueError:
        parsed = None
    if parsed is None or parsed.year not in _YEARS:
        raise ApiError(400, _("%(name)s is not a W3C date and time such as 2026-01-01T00:00:00Z.") % {"name": name})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@api_view
def requests_view(request, *, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    campaign = _campaign(request)
    demands = _demands(campaign)
    ids = request.GET.get("service_request_id")
    if ids:
        wanted = [parse_id(i, name="service_request_id") for i in ids.split(",") if i.strip()]
        rows = [_request_row(d) for d in demands.filter(pk__in=wanted)]
        return _respond(fmt, rows, root="service_requests", child="request")
    codes = [c.strip() for c in (request.GET.get("service_code") or "").split(",") if c.strip()]
    if codes:
        try:
            demands = demands.filter(category_id__in=[parse_id(c, name="service_code") for c in codes])
        except BadParameter:
            raise ApiError(400, _("service_code must be one or more service codes, comma separated.")) from None
    now = timezone.now()
    start_raw, end_raw = request.GET.get("start_date"), request.GET.get("end_date")
    end = _parse_when("end_date", end_raw) if end_raw else None
    start = _parse_when("start_date", start_raw) if start_raw else None
    if start and end and end - start > MAX_SPAN:
        raise ApiError(400, _("start_date and end_date may not span more than 90 days."))
    if start and end and end < start:
        raise ApiError(400, _("end_date is before start_date."))
    if start is None and end is None:
        start = now - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    demands = demands.filter(created_at__gte=start)
    if end is not None:
        demands = demands.filter(created_at__lte=end)
    statuses = {s.strip() for s in (request.GET.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise ApiError(400, _("status must be open or closed."))
    rows = []
    for demand in demands[: MAX_RESULTS * 2 if statuses else MAX_RESULTS]:
        row = _request_row(demand)
        if not statuses or row["status"] in statuses:
            rows.append(row)
        if len(rows) >= MAX_RESULTS:
            break
    return _respond(fmt, rows, root="service_requests", child="request")


@api_view
def request_detail(request, request_id, *, fmt):
    campaign = _campaign(request)
    demand = _demands(campaign).filter(pk=_code(request_id)).first()
    if demand is None:
        raise ApiError(404, _("No such service_request_id."))
    return _respond(fmt, [_request_row(demand)], root="service_requests", child="request")


def _post_request(request, fmt):
    """A request posted by a client holding the campaign's key, checked by the public form's own fields."""
    key = request.POST.get("api_key") or request.GET.get("api_key")
    campaign = _campaign(request)
    if not ApiKey.opens(campaign, key):
        raise ApiError(403, _("A valid api_key is required to post service requests."))
    category = campaign.categories.filter(pk=_code(request.POST.get("service_code", ""))).first()
    if category is None:
        raise ApiError(400, _("service_code is missing or not a service of this jurisdiction."))
    if not (request.POST.get("description") or "").strip():
        raise ApiError(400, _("description is required."))
    name = " ".join(p for p in (request.POST.get("last_name", ""), request.POST.get("first_name", "")) if p).strip()
    form = DemandForm(
        data={
            "category": category.pk,
            "text": request.POST.get("description", ""),
            "name": name,
            "phone": request.POST.get("phone", ""),
            "email": request.POST.get("email", ""),
        },
        campaign=campaign,
    )
    if not form.is_valid():
        raise ApiError(400, " ".join(f"{field}: {' '.join(errors)}" for field, errors in _api_errors(form).items()))
    data = {**form.demand_data(), "channel": Channel.ONLINE, "unit": None}
    try:
        demand = actions.submit_demand(campaign=campaign, data=data)
    except (ValidationError, PermissionDenied) as error:
        messages = getattr(error, "messages", [str(error)])
        raise ApiError(400, " ".join(messages)) from None
    body = [{"service_request_id": str(demand.pk), "service_notice": "", "account_id": ""}]
    return _respond(fmt, body, root="service_requests", child="request", status=201)


# The form's field names, as Open311 calls them.
_API_FIELDS = {"text": "description", "name": "last_name", "category": "service_code"}


def _api_errors(form) -> dict[str, list[str]]:
    return {_API_FIELDS.get(field, field): list(errors) for field, errors in form.errors.items()}
