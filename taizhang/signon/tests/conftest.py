"""A real slapd and a real OpenID provider for the sign-on tests, and settings that point taizhang at them."""

import pytest

from taizhang.signon.conf import signon_settings

from . import oidc_provider
from .slapd import Person, start_slapd, stop_slapd

PEOPLE = [
    Person("zhangsan", "张三", "zhangsan-pw-1", unit="办公室", mail="zhangsan@example.org", phone="13800000001"),
    Person("lisi", "李四", "lisi-pw-1", unit="人力资源部"),
    Person("wangwu", "王五", "wangwu-pw-1", unit="不存在的部门"),
    Person("olivia", "冒名者", "olivia-directory-pw"),  # the name of a local account (the office's)
    Person("zhaoliu", "赵六", "zhaoliu-pw-1", unit="八一骨科医院"),  # in the directory, never signs in
]
GROUPS = {
    "taizhang-office": ["zhangsan"],
    "taizhang-liaisons": ["zhangsan", "lisi", "wangwu", "zhaoliu"],
    "leaders": ["lisi"],
}


@pytest.fixture(scope="session")
def slapd_server(tmp_path_factory):
    server, process = start_slapd(tmp_path_factory.mktemp("slapd"), PEOPLE, GROUPS)
    yield server
    stop_slapd(process)


def _apply(settings, env: dict) -> None:
    values = signon_settings(lambda name, default="": env.get(name, default))
    backends = values.pop("SIGNON_BACKENDS")
    for name, value in values.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, *backends]


@pytest.fixture
def ldap_on(settings, slapd_server):
    _apply(settings, slapd_server.env())
    return slapd_server


@pytest.fixture(scope="session")
def provider():
    provider, server = oidc_provider.start_provider()
    yield provider
    oidc_provider.stop_provider(server)


@pytest.fixture
def oidc_on(settings, provider):
    _apply(settings, provider.env(OIDC_BUTTON_LABEL="企业微信"))
    provider.people.clear()
    provider.signing_in = ""
    return provider
