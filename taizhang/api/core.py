"""The API's plumbing: bearer tokens, scopes, problem+json errors, ETags, cursors.

Every operation is declared with :func:`operation`, which names the resource it touches and whether
it writes; the wrapper checks the token's scope and campaign before the view runs, and the same two
facts are written into the OpenAPI document (``x-taizhang-resource``, ``x-taizhang-write``), where
the authorization matrix reads them.
"""

import base64
import functools
import hashlib
import json
import logging
from typing import Any

from django.core import signing
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from taizhang.campaigns.models import Campaign
from taizhang.ledger.actions import StaleEdit
from taizhang.lib.client import hit
from taizhang.orgs.access import Access

from .actions import note_use
from .models import PREFIX, ApiToken, hash_secret

logger = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429)


class Problem(Schema):
    """RFC 9457 problem details, with ``errors`` naming each field (and row, in bulk) that was wrong."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, Any]] = []


class TokenAuth(HttpBearer):
    """``Authorization: Bearer tz_…``: the token's person becomes ``request.user``; its use is counted."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token.startswith(PREFIX) or len(token) > 100:
            return None
        found = ApiToken.objects.select_related("user", "campaign").filter(key_hash=hash_secret(token)).first()
        now = timezone.now()
        if found is None or not found.is_usable(now) or not found.user.is_active:
            return None
        if hit(f"api-token:{found.pk}", limit=found.rate_limit, window=60):
            raise Throttled(wait=60)
        note_use(found, now=now, request=request)
        request.user = found.user
        request.api_token = found
        return found


class Api(NinjaAPI):
    """NinjaAPI with problem+json errors, ETags on reads and problem media types in the document."""

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        if request.method == "GET" and response.status_code == 200:
            tag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            response["ETag"] = tag
            response["Cache-Control"] = "private, no-cache"
            asked = [t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")]
            if tag in asked or "*" in asked:
                not_modified = HttpResponse(status=304)
                not_modified["ETag"] = tag
                return not_modified
        return response

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM] = content.pop("application/json")
        return schema


def problem(request, status: int, title: str, detail: str = "", errors=None, headers=None) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "errors": errors or []}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def django_errors(error: DjangoValidationError) -> list[dict]:
    """A Django ValidationError as ``[{"field": …, "message": …}]`` (field "" for the whole object)."""
    if hasattr(error, "error_dict"):
        return [
            {"field": "" if name == "__all__" else name, "message": message}
            for name, errors in error.message_dict.items()
            for message in errors
        ]
    return [{"field": "", "message": message} for message in error.messages]


class RowErrors(Exception):
    """Rows of a bulk request that cannot be written: nothing is written, each row's errors are returned."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(errors)


api = Api(
    title="taizhang API",
    version="1",
    urls_namespace="api-v1",
    description=(
        "The campaign ledger for programs: items, progress, unit reports, problems, findings, scores, bulletins. "
        "Authenticate with `Authorization: Bearer <token>` (a personal token from your token page, or an "
        "integration token from the campaign office). Errors are RFC 9457 problem details in the language "
        "of `Accept-Language`."
    ),
    auth=TokenAuth(),
)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return problem(
        request,
        401,
        _("Authentication required"),
        _("Send a valid, unexpired token as “Authorization: Bearer <token>”."),
        headers={"WWW-Authenticate": 'Bearer realm="taizhang"'},
    )


@api.exception_handler(Throttled)
def _throttled(request, exc):
    return problem(
        request,
        429,
        _("Too many requests"),
        _("This token has used its requests for this minute; try again later."),
        headers={"Retry-After": str(exc.wait or 60)},
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    titles = {
        400: _("Bad request"),
        403: _("Forbidden"),
        404: _("Not found"),
        409: _("Conflict"),
        422: _("The data is not valid"),
    }
    return problem(request, exc.status_code, titles.get(exc.status_code, _("Error")), str(exc))


@api.exception_handler(NinjaValidationError)
def _invalid_request(request, exc):
    errors = [
        {"field": ".".join(str(part) for part in error.get("loc", ())), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    places = {str(error.get("loc", ("",))[0]) for error in exc.errors}
    if places == {"path"}:  # an id no record could have
        return _not_found(request, exc)
    if places <= {"query", "header"}:
        return problem(request, 400, _("Bad request"), _("Correct the parameters named below."), errors)
    return problem(request, 422, _("The request is not valid"), _("Correct the fields named below."), errors)


@api.exception_handler(DjangoValidationError)
def _invalid_data(request, exc):
    return problem(request, 422, _("The data is not valid"), " ".join(exc.messages)[:500], django_errors(exc))


@api.exception_handler(RowErrors)
def _invalid_rows(request, exc):
    return problem(
        request,
        422,
        _("Some rows are not valid"),
        _("Nothing was written. Correct the rows named below and send them all again."),
        exc.errors,
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem(request, 403, _("Forbidden"), str(exc) or _("You do not have permission to do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(request, 404, _("Not found"), _("There is nothing at this address, or it is not yours to see."))


@api.exception_handler(StaleEdit)
def _stale(request, exc):
    return problem(
        request,
        409,
        _("Conflict"),
        str(exc),
        headers={"ETag": f'"v{exc.item.version}"'},
    )


@api.exception_handler(BadRequest)
def _bad_request(request, exc):
    return problem(request, 400, _("Bad request"), getattr(exc, "message", "") or str(exc))


def responses(ok: dict, *statuses: int) -> dict:
    """The operation's answers: its successes, and a problem for each error it can give (always 400 for a
    body or header that cannot be read, 401, 429)."""
    return {**ok, **dict.fromkeys(sorted({400, 401, 429, *statuses}), Problem)}


def operation(router: Router, method: str, path: str, *, resource: str, write: bool = False, **options):
    """Declare an operation of ``router`` touching ``resource``; the wrapper checks the token before the view.

    A path with ``{slug}`` is a campaign's: the campaign is loaded (404), the person must have a role in it
    (403), and an integration token must be for it. The view gets ``request.campaign`` and ``request.access``.
    """
    extra = {"x-taizhang-resource": resource, "x-taizhang-write": write}

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            token = request.auth
            if write and token.scope != ApiToken.Scope.WRITE:
                raise PermissionDenied(_("This token may only read."))
            if not token.reaches(resource):
                raise PermissionDenied(_("This token is not allowed to use %(resource)s.") % {"resource": resource})
            if "slug" in kwargs:
                campaign = get_object_or_404(Campaign, slug=kwargs["slug"])
                if token.campaign_id is not None and token.campaign_id != campaign.pk:
                    raise PermissionDenied(_("This token is for another campaign."))
                access = Access.for_user(request.user, campaign)
                if not access.can_view:
                    raise PermissionDenied(_("You have no role in this campaign."))
                request.campaign, request.access = campaign, access
            return view(request, *args, **kwargs)

        return router.api_operation([method], path, openapi_extra=extra, **options)(checked)

    return decorate


# Cursors ------------------------------------------------------------------------
#
# A cursor is the sort key of the last row a page showed, signed (so a client cannot forge a query
# out of it) and opaque. The next page starts strictly after it: rows added or removed meanwhile shift
# nothing, unlike an offset, and the database reads an index from the key instead of skipping rows.

_SALT = "taizhang.api.cursor"


def encode_cursor(values: list) -> str:
    packed = signing.dumps(values, salt=_SALT, compress=True)
    return base64.urlsafe_b64encode(packed.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list:
    try:
        packed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = signing.loads(packed, salt=_SALT)
    except (ValueError, signing.BadSignature, UnicodeDecodeError) as error:
        raise HttpError(400, _("The cursor cannot be read: use the next_cursor of the page before.")) from error
    if not isinstance(values, list):
        raise HttpError(400, _("The cursor cannot be read: use the next_cursor of the page before."))
    return values
