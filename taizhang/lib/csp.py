"""Content-Security-Policy for every response, from ``settings.CSP`` (a few lines of our own, not django-csp).

Pages get the page policy: scripts and styles from our own origin only (the vendored files in
``static/vendor`` and the apps' static files), no inline script, no eval, no plugins, no framing, forms
and ``<base>`` to ourselves. Anything that is not an HTML page (a download, JSON, XML, an SVG, a file from
MEDIA) gets the sandboxing policy :data:`taizhang.lib.media.FILE_CSP`: opened on its own, it can run
nothing and load nothing. A view that sets its own header keeps it.
"""

from django.conf import settings

from taizhang.lib.media import FILE_CSP


def policy_header(policy: dict[str, list[str] | tuple[str, ...]]) -> str:
    """``{"default-src": ["'self'"], "upgrade-insecure-requests": []}`` → the header's text."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds Content-Security-Policy to each response that has none."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.page_policy = policy_header(settings.CSP)

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response
        if settings.DEBUG and response.status_code >= 500:
            return response  # Django's debug page is made of inline script and style; production never shows it
        is_page = response.get("Content-Type", "").startswith("text/html") and not response.get(
            "Content-Disposition", ""
        ).startswith("attachment")
        response["Content-Security-Policy"] = self.page_policy if is_page else FILE_CSP
        return response
