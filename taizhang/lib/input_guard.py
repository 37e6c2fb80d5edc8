"""The gate in front of every view: parameters no view could store or look up answer 400/404 here.

- A NUL character (``\\x00``) in the path, a query or a form value (PostgreSQL refuses it in text, so the
  first query with it would be a 500): 400. Uploaded files are bytes and are not looked at; their names are.
- A ``<int:…>`` path part beyond the database's integer range (``/items/99999999999999999999999/``): 404,
  the same answer as any id that names no record. A middleware rather than a path converter: Django 5.1
  deprecates re-registering the built-in ``int`` converter, and a project converter would need every
  ``urls.py`` (and every new one) to remember it; here a new URL is covered without doing anything.

``bad_request`` is the project's ``handler400``: the 400 page in the reader's language, naming what was wrong
when a :class:`~taizhang.lib.params.BadParameter` says so.
"""

import json

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from .params import MAX_ID, BadParameter

NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


class InputGuardMiddleware:
    """Refuses NUL characters in path, query and form, and 404s path integers beyond the database's range."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or _has_nul(request.GET):
            raise BadParameter("", _("The address contains a character that is not allowed (NUL)."))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not 0 <= value <= MAX_ID:
                raise Http404
        if request.method == "POST" and request.content_type in _FORM_TYPES:
            if _has_nul(request.POST):
                raise BadParameter("", _("The form contains a character that is not allowed (NUL)."))
            if any(NUL in (upload.name or "") for upload in request.FILES.values()):
                raise BadParameter("", _("A file name contains a character that is not allowed (NUL)."))
        return None


def _speaks_problem_json(request) -> bool:
    """Addresses under ``settings.PROBLEM_JSON_PATHS`` (the API) answer errors as RFC 9457 problem+json."""
    return request.path.startswith(tuple(getattr(settings, "PROBLEM_JSON_PATHS", ())))


def _problem(status: int, title: str, detail: str) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "errors": []}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json")


def bad_request(request, exception, template_name="400.html"):
    """``handler400``: the reason when it is ours to give (a parameter), a general sentence otherwise."""
    reason = exception.message if isinstance(exception, BadParameter) else ""
    if _speaks_problem_json(request):
        return _problem(400, _("Bad request"), reason)
    try:
        body = loader.render_to_string(template_name, {"reason": reason}, request=request)
    except Exception:  # the error page itself must never fail
        body = _("Bad request")
    return HttpResponseBadRequest(body)


def not_found(request, exception, template_name="404.html"):
    """``handler404``: Django's page, or a problem+json under the API's addresses."""
    if _speaks_problem_json(request):
        return _problem(404, _("Not found"), _("There is nothing at this address, or it is not yours to see."))
    return page_not_found(request, exception, template_name)
