"""A real OpenLDAP server (Debian's ``slapd``) on a loopback port, with a small directory, for the sign-on tests.

The directory is loaded with ``slapadd`` into a temporary folder before the server starts, and the server is
stopped when the fixture ends. Without ``slapd`` the tests are skipped, except in CI (``CI`` set), where
that is a failure: CI installs it (scripts/debian-packages.txt).
"""

import base64
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SUFFIX = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "admin-secret"
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")


@dataclass
class Person:
    uid: str
    name: str
    password: str
    unit: str = ""
    mail: str = ""
    phone: str = ""

    @property
    def dn(self) -> str:
        return f"uid={self.uid},ou=people,{SUFFIX}"


@dataclass
class Slapd:
    uri: str
    people: dict
    groups: dict

    def env(self, **extra) -> dict:
        """The environment taizhang's settings read (taizhang/signon/conf.py) to use this server."""
        return {
            "LDAP_SERVER_URI": self.uri,
            "LDAP_BIND_DN": ADMIN_DN,
            "LDAP_BIND_PASSWORD": ADMIN_PASSWORD,
            "LDAP_USER_BASE": f"ou=people,{SUFFIX}",
            "LDAP_GROUP_BASE": f"ou=groups,{SUFFIX}",
            **extra,
        }


def _value(name: str, value: str) -> str:
    """An LDIF line; values that are not plain ASCII go base64-encoded (``name:: …``), as LDIF requires."""
    if value.isascii() and not value.startswith((" ", ":", "<")):
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


def directory_ldif(people: list[Person], groups: dict[str, list[str]]) -> str:
    blocks = [
        [f"dn: {SUFFIX}", "objectClass: dcObject", "objectClass: organization", "dc: example", "o: Example"],
        [f"dn: ou=people,{SUFFIX}", "objectClass: organizationalUnit", "ou: people"],
        [f"dn: ou=groups,{SUFFIX}", "objectClass: organizationalUnit", "ou: groups"],
    ]
    for person in people:
        block = [f"dn: {person.dn}", "objectClass: inetOrgPerson", f"uid: {person.uid}", _value("cn", person.name)]
        block.append(_value("sn", person.name[:1] or person.uid))
        block.append(_value("userPassword", person.password))
        for name, value in (("ou", person.unit), ("mail", person.mail), ("telephoneNumber", person.phone)):
            if value:
                block.append(_value(name, value))
        blocks.append(block)
    by_uid = {person.uid: person for person in people}
    for cn, members in groups.items():
        block = [f"dn: cn={cn},ou=groups,{SUFFIX}", "objectClass: groupOfNames", _value("cn", cn)]
        block += [f"member: {by_uid[uid].dn}" for uid in members]
        blocks.append(block)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(folder: Path) -> Path:
    schema = Path("/etc/ldap/schema")
    lines = [f"include {schema / name}.schema" for name in SCHEMAS]
    lines += [
        f"pidfile {folder / 'slapd.pid'}",
        "modulepath /usr/lib/ldap",
        "moduleload back_mdb",
        "database mdb",
        "maxsize 10485760",
        f'suffix "{SUFFIX}"',
        f'rootdn "{ADMIN_DN}"',
        f"rootpw {ADMIN_PASSWORD}",
        f"directory {folder / 'data'}",
        # People read their own entry; binding checks their password; nobody else reads passwords.
        "access to attrs=userPassword by self read by anonymous auth by * none",
        "access to * by * read",
    ]
    (folder / "data").mkdir()
    path = folder / "slapd.conf"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_slapd(folder: Path, people: list[Person], groups: dict[str, list[str]]):
    """Load the directory and start the server; returns (Slapd, process)."""
    slapd = shutil.which("slapd") or ("/usr/sbin/slapd" if os.path.exists("/usr/sbin/slapd") else None)
    slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
    if slapd is None:
        if os.environ.get("CI"):
            pytest.fail("slapd is not installed; CI must install it (scripts/debian-packages.txt)")
        pytest.skip("slapd (Debian package slapd) is not installed: the LDAP tests need a real server")
    config = _config(folder)
    ldif = folder / "directory.ldif"
    ldif.write_text(directory_ldif(people, groups), encoding="utf-8")
    subprocess.run([slapadd, "-f", str(config), "-l", str(ldif)], check=True, capture_output=True)
    port = _free_port()
    uri = f"ldap://127.0.0.1:{port}"
    # -d 0: stay in the foreground (no fork), so the fixture owns the process and stops it.
    process = subprocess.Popen(
        [slapd, "-d", "0", "-h", f"{uri}/", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"slapd did not start: {process.stderr.read().decode(errors='replace')}") from None
            time.sleep(0.05)
    return Slapd(uri=uri, people={p.uid: p for p in people}, groups=groups), process


def stop_slapd(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
