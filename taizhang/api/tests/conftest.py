import datetime

import pytest
from django.test import Client
from django.utils import timezone

from taizhang.api import actions
from taizhang.api.models import ApiToken


def _expiry() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30)


class ApiClient:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, secret: str | None, language: str = "zh-hans"):
        self.client = Client()
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if secret:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def get(self, url, data=None, **headers):
        return self.client.get(url, data, **self.headers, **headers)

    def post(self, url, body=None, **headers):
        return self.client.post(url, body or {}, content_type="application/json", **self.headers, **headers)

    def patch(self, url, body=None, **headers):
        return self.client.patch(url, body or {}, content_type="application/json", **self.headers, **headers)


@pytest.fixture
def token_for():
    """A personal token of ``user`` with ``scope``, as an ApiClient (and the token row)."""

    def make(user, scope=ApiToken.Scope.WRITE, language="zh-hans"):
        _token, secret = actions.create_personal_token(
            name="测试程序", scope=scope, expires_on=_expiry(), acting_user=user
        )
        return ApiClient(secret, language)

    return make


@pytest.fixture
def integration_for():
    def make(campaign, office, *, resources=("items", "progress"), scope=ApiToken.Scope.WRITE, rate_limit=120):
        token, secret = actions.create_integration_token(
            campaign,
            name="OA系统",
            scope=scope,
            resources=list(resources),
            expires_on=_expiry(),
            rate_limit=rate_limit,
            acting_user=office,
        )
        return ApiClient(secret), token

    return make
