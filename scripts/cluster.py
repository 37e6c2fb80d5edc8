"""The production topology on one machine, on 127.0.0.1: ``make cluster`` / ``make cluster-stop``.

    python scripts/cluster.py up [--no-demo]   start everything (idempotent: what runs is left running)
    python scripts/cluster.py status           what runs, and each node's readiness
    python scripts/cluster.py smoke            a short proof: login, write, read-your-writes, a file through
                                               nginx, one app node killed, the replica stopped
    python scripts/cluster.py down             stop exactly what ``up`` started (by its pid files)
    python scripts/cluster.py wipe             ``down``, then remove var/cluster/

What runs (ports in PORTS below; docs/deploy.md says why each piece is there):
- PostgreSQL primary and a streaming read replica made with ``pg_basebackup``, each a cluster of its own in
  var/cluster/ (the machine's own PostgreSQL on 5432 is not touched);
- PgBouncer in transaction mode in front of both (database aliases ``taizhang`` and ``taizhang_replica``);
- Redis with an append-only file, for Huey and the cache;
- two app nodes (gunicorn, several workers each) and two Huey consumers (only the first runs periodic tasks);
- nginx with TLS (a self-signed certificate made here) in front: static files, uploads' downloads through
  ``X-Accel-Redirect`` after the app's permission check, and the app nodes as one upstream that routes around
  a node that fails.
Everything is started from the project's own files; the Debian packages it needs are installed when missing.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "cluster"
RUN = VAR / "run"
LOG = VAR / "log"
PY = str(ROOT / ".venv" / "bin" / "python")
PORTS = {"primary": 5433, "replica": 5434, "pgbouncer": 6432, "redis": 6380, "nginx": 8443, "apps": [8001, 8002]}
HUEY_CONSUMERS = 2
APP_WORKERS = int(os.environ.get("CLUSTER_APP_WORKERS", "2"))
APP_THREADS = int(os.environ.get("CLUSTER_APP_THREADS", "4"))
DEBIAN = {"nginx": "nginx-light", "pgbouncer": "pgbouncer", "openssl": "openssl", "redis-server": "redis-server"}
URL = f"https://127.0.0.1:{PORTS['nginx']}"


def say(message: str) -> None:
    print(f">> {message}", flush=True)


def pg_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        sys.exit("PostgreSQL server binaries not found under /usr/lib/postgresql (Debian package postgresql)")
    return str(versions[-1] / name)


def as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL and PgBouncer refuse to run as root: run them as the postgres account when we are root."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, **kwargs)


def ensure_packages() -> None:
    missing = [package for command, package in DEBIAN.items() if not shutil.which(command)]
    if missing:
        say(f"installing {' '.join(missing)}")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "install", "-y", "--no-install-recommends", *missing], check=True)


def environment() -> dict[str, str]:
    """The app nodes' and consumers' settings: what docs/deploy.md documents, for this loopback topology."""
    secret_file = VAR / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(50))
        secret_file.chmod(0o600)
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secret_file.read_text().strip(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": URL,
        "SITE_URL": URL,
        "TRUSTED_PROXIES": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PORTS['pgbouncer']}/taizhang",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{PORTS['pgbouncer']}/taizhang_replica",
        "DB_PGBOUNCER": "1",
        "REDIS_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
        "MEDIA_ROOT": str(VAR / "media"),
        "MEDIA_X_ACCEL_PREFIX": "/protected-media/",
        "STATIC_ROOT": str(VAR / "static"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        # A person who wrote reads the primary this long (longer than the replica's lag ever is here).
        "DB_READ_YOUR_WRITES_SECONDS": os.environ.get("DB_READ_YOUR_WRITES_SECONDS", "20"),
    }


def direct_environment() -> dict[str, str]:
    """Migrations and the demo talk to the primary itself (no pooler, no replica)."""
    env = environment()
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{PORTS['primary']}/taizhang"
    env.pop("DATABASE_REPLICA_URL")
    env.pop("DB_PGBOUNCER")
    return env


def pid_alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError, IndexError):
        return None


def pg_running(data: Path) -> bool:
    return pid_alive(data / "postmaster.pid") is not None


def psql_value(port: int, sql: str, *, database: str) -> str:
    """One query's answer as text, through psql on one of the cluster's servers."""
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-tAc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def start_primary() -> None:
    data = VAR / "pg-primary"
    if not (data / "PG_VERSION").exists():
        say("initdb the primary")
        data.mkdir(parents=True, exist_ok=True)
        shutil.chown(data, "postgres", "postgres") if os.geteuid() == 0 else None
        as_postgres(
            [pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"],
            stdout=subprocess.DEVNULL,
        )
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\n# taizhang cluster\nlisten_addresses = '127.0.0.1'\nport = {PORTS['primary']}\n"
                f"unix_socket_directories = '{RUN}'\nwal_level = replica\nmax_wal_senders = 5\n"
                "max_replication_slots = 5\nhot_standby = on\nmax_connections = 200\nshared_buffers = 256MB\n"
                # The server's default zone is UTC, so Django never needs a session-level SET TIME ZONE,
                # which transaction pooling would leak to other clients' transactions.
                "timezone = 'UTC'\nlog_min_duration_statement = 1000\n"
            )
    if not pg_running(data):
        say(f"start the primary on {PORTS['primary']}")
        as_postgres(
            [pg_bin("pg_ctl"), "-D", str(data), "-l", str(LOG / "pg-primary.log"), "-w", "start"],
            stdout=subprocess.DEVNULL,
        )
    exists = psql_value(PORTS["primary"], "SELECT 1 FROM pg_database WHERE datname = 'taizhang'", database="postgres")
    if not exists:
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(PORTS["primary"]), "-U", "postgres", "taizhang"], check=True
        )


def start_replica() -> None:
    data = VAR / "pg-replica"
    if not (data / "PG_VERSION").exists():
        say("pg_basebackup the replica from the primary")
        data.mkdir(parents=True, exist_ok=True)
        data.chmod(0o700)
        shutil.chown(data, "postgres", "postgres") if os.geteuid() == 0 else None
        as_postgres(
            [
                pg_bin("pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(PORTS["primary"]),
                "-U",
                "postgres",
                "-D",
                str(data),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        )
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(f"\n# the replica\nport = {PORTS['replica']}\nhot_standby_feedback = on\n")
    if not pg_running(data):
        say(f"start the replica on {PORTS['replica']}")
        as_postgres(
            [pg_bin("pg_ctl"), "-D", str(data), "-l", str(LOG / "pg-replica.log"), "-w", "start"],
            stdout=subprocess.DEVNULL,
        )


def start_pgbouncer() -> None:
    ini = VAR / "pgbouncer.ini"
    (VAR / "pgbouncer-users.txt").write_text('"postgres" ""\n')
    ini.write_text(
        "[databases]\n"
        f"taizhang = host=127.0.0.1 port={PORTS['primary']} dbname=taizhang\n"
        f"taizhang_replica = host=127.0.0.1 port={PORTS['replica']} dbname=taizhang\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {PORTS['pgbouncer']}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {VAR / 'pgbouncer-users.txt'}\n"
        "pool_mode = transaction\nmax_client_conn = 2000\ndefault_pool_size = 40\nreserve_pool_size = 10\n"
        "server_reset_query =\nignore_startup_parameters = extra_float_digits,options\n"
        # A server that is gone (the replica stopped) must fail its clients fast, not hold them for the
        # default 120 s: the app then reads from the primary (lib/dbrouter.py).
        "server_connect_timeout = 2\nserver_login_retry = 2\nquery_wait_timeout = 10\n"
        f"pidfile = {RUN / 'pgbouncer.pid'}\nlogfile = {LOG / 'pgbouncer.log'}\n"
    )
    for path in (ini, VAR / "pgbouncer-users.txt"):
        shutil.chown(path, "postgres", "postgres") if os.geteuid() == 0 else None
    if not pid_alive(RUN / "pgbouncer.pid"):
        say(f"start PgBouncer (transaction pooling) on {PORTS['pgbouncer']}")
        as_postgres(["pgbouncer", "-d", str(ini)])


def start_redis() -> None:
    if pid_alive(RUN / "redis.pid"):
        return
    say(f"start Redis (append-only file) on {PORTS['redis']}")
    subprocess.run(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(PORTS["redis"]),
            "--daemonize",
            "yes",
            "--pidfile",
            str(RUN / "redis.pid"),
            "--dir",
            str(VAR),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--logfile",
            str(LOG / "redis.log"),
        ],
        check=True,
    )
    for _ in range(50):
        if pid_alive(RUN / "redis.pid"):
            return
        time.sleep(0.1)


def prepare_app(demo: bool) -> None:
    env = direct_environment()
    say("migrate, collectstatic")
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "scripts/compile_messages.py"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    marker = VAR / "demo-built"
    if demo and not marker.exists():
        say("build the demo campaign on the primary")
        subprocess.run([PY, "manage.py", "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        marker.touch()


def start_apps() -> None:
    env = environment()
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    for number, port in enumerate(PORTS["apps"], 1):
        pid_file = RUN / f"app-{number}.pid"
        if pid_alive(pid_file):
            continue
        say(f"start app node {number} on {port} ({APP_WORKERS} workers × {APP_THREADS} threads)")
        subprocess.run(
            [
                gunicorn,
                "taizhang.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(APP_WORKERS),
                "--threads",
                str(APP_THREADS),
                "--pid",
                str(pid_file),
                "--daemon",
                "--graceful-timeout",
                "10",
                "--timeout",
                "60",
                "--control-socket",
                str(RUN / f"app-{number}.ctl"),
                "--error-logfile",
                str(LOG / f"app-{number}.log"),
                "--name",
                f"taizhang-app-{number}",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
    for number in range(1, HUEY_CONSUMERS + 1):
        pid_file = RUN / f"huey-{number}.pid"
        if pid_alive(pid_file):
            continue
        say(f"start Huey consumer {number}" + (" (periodic tasks)" if number == 1 else ""))
        args = [PY, "manage.py", "run_huey", "--workers", "2", "--worker-type", "thread"]
        if number > 1:
            args.append("--no-periodic")  # one scheduler: periodic tasks enqueued once, not once per consumer
        with open(LOG / f"huey-{number}.log", "ab") as out:
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
        pid_file.write_text(str(process.pid))


def start_nginx() -> None:
    tls = VAR / "tls"
    if not (tls / "cert.pem").exists():
        tls.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "365",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                str(tls / "key.pem"),
                "-out",
                str(tls / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
    (VAR / "nginx").mkdir(exist_ok=True)
    upstreams = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in PORTS["apps"])
    media, static = VAR / "media", VAR / "static"
    media.mkdir(exist_ok=True)
    conf = VAR / "nginx.conf"
    conf.write_text(f"""# made by scripts/cluster.py
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 2;
pid {RUN / "nginx.pid"};
error_log {LOG / "nginx-error.log"} warn;
events {{ worker_connections 2048; }}
http {{
  include /etc/nginx/mime.types;
  access_log {LOG / "nginx-access.log"};
  client_body_temp_path {VAR / "nginx"}/body;
  proxy_temp_path {VAR / "nginx"}/proxy;
  fastcgi_temp_path {VAR / "nginx"}/fastcgi;
  uwsgi_temp_path {VAR / "nginx"}/uwsgi;
  scgi_temp_path {VAR / "nginx"}/scgi;
  server_tokens off;
  upstream taizhang {{
{upstreams}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{PORTS["nginx"]} ssl http2;
    ssl_certificate {tls / "cert.pem"};
    ssl_certificate_key {tls / "key.pem"};
    client_max_body_size 60m;
    location /static/ {{
      alias {static}/;
      expires 30d;
      add_header X-Content-Type-Options nosniff;
    }}
    # Files leave through here only after the app checked the person may see them (lib/media.file_response).
    location /protected-media/ {{
      internal;
      alias {media}/;
      add_header X-Content-Type-Options nosniff always;
      add_header Content-Security-Policy "sandbox; default-src 'none'" always;
      add_header Cross-Origin-Resource-Policy same-origin always;
      add_header Cache-Control "private, no-store" always;
    }}
    location /media/ {{ return 404; }}
    location / {{
      proxy_pass http://taizhang;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host:$server_port;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      # A node that refuses the connection or answers 502/503 is skipped; a request already sent is never
      # sent twice (nginx does not repeat a POST), so a write is done once or fails cleanly.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_read_timeout 70s;
    }}
  }}
}}
""")
    if pid_alive(RUN / "nginx.pid"):
        subprocess.run(["nginx", "-c", str(conf), "-s", "reload"], check=True)
    else:
        say(f"start nginx on {URL}")
        subprocess.run(["nginx", "-c", str(conf)], check=True)


def get_json(url: str, timeout: float = 5) -> tuple[int, dict]:
    context = ssl.create_default_context(cafile=str(VAR / "tls" / "cert.pem"))
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return 0, {"error": str(error)}


def wait_ready(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    for port in PORTS["apps"]:
        while True:
            status, body = get_json(f"http://127.0.0.1:{port}/healthz/ready")
            if status == 200:
                break
            if time.monotonic() > deadline:
                sys.exit(f"app node on {port} not ready: {status} {body}")
            time.sleep(0.5)


def up(args) -> None:
    for path in (VAR, RUN, LOG):
        path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        for path in (RUN, LOG):
            shutil.chown(path, "postgres", "postgres")
            path.chmod(0o777)  # postgres writes its logs and sockets here, the app its own files
    ensure_packages()
    start_primary()
    start_replica()
    start_pgbouncer()
    start_redis()
    prepare_app(demo=not args.no_demo)
    start_apps()
    start_nginx()
    wait_ready()
    say(
        f"up: {URL}/ (the certificate is {VAR / 'tls' / 'cert.pem'}); app nodes "
        + ", ".join(f"http://127.0.0.1:{port}" for port in PORTS["apps"])
        + f"; primary :{PORTS['primary']}, replica :{PORTS['replica']}, PgBouncer :{PORTS['pgbouncer']},"
        f" Redis :{PORTS['redis']}; `make cluster-stop` stops it"
    )


def status(_args=None) -> int:
    rows = {
        "primary": pg_running(VAR / "pg-primary"),
        "replica": pg_running(VAR / "pg-replica"),
        "pgbouncer": bool(pid_alive(RUN / "pgbouncer.pid")),
        "redis": bool(pid_alive(RUN / "redis.pid")),
        "nginx": bool(pid_alive(RUN / "nginx.pid")),
    }
    for number in range(1, len(PORTS["apps"]) + 1):
        rows[f"app-{number}"] = bool(pid_alive(RUN / f"app-{number}.pid"))
    for number in range(1, HUEY_CONSUMERS + 1):
        rows[f"huey-{number}"] = bool(pid_alive(RUN / f"huey-{number}.pid"))
    for name, running in rows.items():
        print(f"{name:10} {'running' if running else 'stopped'}")
    for port in PORTS["apps"]:
        code, body = get_json(f"http://127.0.0.1:{port}/healthz/ready")
        print(f"ready :{port} {code} {json.dumps(body.get('checks', body), ensure_ascii=False)}")
    return 0 if all(rows.values()) else 1


def stop_pid(pid_file: Path, name: str, sig=signal.SIGTERM, wait: float = 15) -> None:
    pid = pid_alive(pid_file)
    if not pid:
        pid_file.unlink(missing_ok=True)
        return
    say(f"stop {name} (pid {pid})")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig) if name.startswith("huey") else os.kill(pid, sig)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def stop_pg(data: Path, name: str) -> None:
    if pg_running(data):
        say(f"stop {name}")
        as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL)


def down(_args=None) -> None:
    if not VAR.exists():
        return
    nginx_pid = pid_alive(RUN / "nginx.pid")
    if nginx_pid:
        say("stop nginx")
        subprocess.run(["nginx", "-c", str(VAR / "nginx.conf"), "-s", "quit"], check=False)
        stop_pid(RUN / "nginx.pid", "nginx (rest)")
    for number in range(1, len(PORTS["apps"]) + 1):
        stop_pid(RUN / f"app-{number}.pid", f"app node {number}")
    for number in range(1, HUEY_CONSUMERS + 1):
        stop_pid(RUN / f"huey-{number}.pid", f"huey-{number}", sig=signal.SIGINT)
    stop_pid(RUN / "pgbouncer.pid", "PgBouncer")
    stop_pid(RUN / "redis.pid", "Redis")
    stop_pg(VAR / "pg-replica", "the replica")
    stop_pg(VAR / "pg-primary", "the primary")


def wipe(_args=None) -> None:
    down()
    if VAR.exists():
        shutil.rmtree(VAR)
        say(f"removed {VAR}")


class Browser:
    """A person at the site through nginx: cookies, CSRF token, TLS checked against the cluster's own cert."""

    def __init__(self):
        self.jar = CookieJar()
        context = ssl.create_default_context(cafile=str(VAR / "tls" / "cert.pem"))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), urllib.request.HTTPSHandler(context=context)
        )

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def get(self, path: str) -> tuple[int, bytes, dict]:
        try:
            with self.opener.open(URL + path, timeout=30) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def post(self, path: str, data: dict) -> tuple[int, bytes, dict]:
        from urllib.parse import urlencode

        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(URL + path, data=body, headers={"Referer": URL + path})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)


def replica_reads() -> int:
    """Transactions the replica has served (read-only ones count there; it cannot write)."""
    out = psql_value(
        PORTS["replica"], "SELECT xact_commit FROM pg_stat_database WHERE datname = 'taizhang'", database="postgres"
    )
    return int(out or 0)


def smoke(_args=None) -> int:
    """A short proof of the topology; exits non-zero at the first thing that does not hold."""
    failures = []

    def check(what: str, ok: bool, detail: str = "") -> None:
        print(f"{'ok ' if ok else 'FAIL'} {what}{(': ' + detail) if detail and not ok else ''}", flush=True)
        if not ok:
            failures.append(what)

    slug = psql_value(PORTS["primary"], "SELECT slug FROM campaigns_campaign ORDER BY id LIMIT 1", database="taizhang")
    items = f"/c/{slug}/items/"
    person = Browser()
    code, _, _ = person.get("/accounts/login/")
    check("login page through nginx", code == 200, str(code))
    password = os.environ.get("DEMO_PASSWORD", "taizhang-demo")
    code, _, _ = person.post("/accounts/login/", {"username": "office", "password": password})
    check("office logs in", code == 200 and any(c.name == "sessionid" for c in person.jar), str(code))
    # Right after a write (the login), the person reads the primary: their next page shows what they did.
    code, _, headers = person.get(items)
    check("the item list", code == 200, str(code))
    reads = headers.get("X-Taizhang-Reads")
    check("the read right after a write comes from the primary", reads == "primary", str(reads))
    time.sleep(int(environment()["DB_READ_YOUR_WRITES_SECONDS"]) + 1)
    before = replica_reads()
    served = [person.get(items) for _ in range(3)]
    reads = [headers.get("X-Taizhang-Reads") for _, _, headers in served]
    check("later reads come from the replica", reads == ["replica"] * 3, str(reads))
    time.sleep(11)  # an idle backend reports its statistics within 10 s
    check("the replica served them", replica_reads() > before, f"{before} → {replica_reads()}")
    code, _, headers = person.get("/static/css/app.css")
    check("static files from nginx", code == 200 and "Server" in headers and "nginx" in headers["Server"], str(code))
    material_file = psql_value(
        PORTS["primary"], "SELECT id, file FROM study_materialfile ORDER BY id LIMIT 1", database="taizhang"
    )
    if material_file:
        pk, name = material_file.split("|")
        code, body, headers = person.get(f"/c/{slug}/study/files/{pk}/")
        on_disk = (VAR / "media" / name).read_bytes()
        check(
            "a file sent by nginx after the app's check (X-Accel-Redirect), with the sandbox headers",
            code == 200
            and body == on_disk
            and headers.get("Content-Security-Policy", "").startswith("sandbox")
            and "attachment" in headers.get("Content-Disposition", "")
            and "X-Accel-Redirect" not in headers,
            f"{code} {len(body)} of {len(on_disk)} bytes {headers}",
        )
        anonymous = Browser()
        code, body, _ = anonymous.get(f"/c/{slug}/study/files/{pk}/")  # redirected to the login page
        check("the same file not sent to someone not logged in", body != on_disk and b"login" in body, str(code))
    code, _, _ = person.get("/media/")
    check("no direct media URL", code == 404, str(code))

    # One app node killed: nginx routes around it and pages keep answering.
    victim = RUN / "app-1.pid"
    pid = pid_alive(victim)
    os.kill(pid, signal.SIGKILL)
    codes = [person.get(items)[0] for _ in range(10)]
    check("pages answer with one app node killed", all(c == 200 for c in codes), str(codes))
    # Its workers notice the lost master and leave; the node starts again once its port is free.
    for _ in range(100):
        if subprocess.run(["ss", "-ltnH", f"sport = :{PORTS['apps'][0]}"], capture_output=True, text=True).stdout == "":
            break
        time.sleep(0.2)
    start_apps()
    wait_ready()

    # The replica stopped: reads fall back to the primary.
    stop_pg(VAR / "pg-replica", "the replica")
    time.sleep(1.2)
    codes = [person.get(items)[0] for _ in range(6)]
    check("pages answer with the replica stopped", all(c == 200 for c in codes), str(codes))
    code, body = get_json(f"http://127.0.0.1:{PORTS['apps'][1]}/healthz/ready")
    check("readiness says the replica is down", code == 503 and not body["checks"]["replica"]["ok"], str(body))
    start_replica()
    wait_ready()
    print("smoke: " + ("passed" if not failures else f"{len(failures)} failed"), flush=True)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up_parser = commands.add_parser("up")
    up_parser.add_argument("--no-demo", action="store_true", help="leave the database empty")
    for name in ("status", "smoke", "down", "wipe"):
        commands.add_parser(name)
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.command == "up":
        up(args)
        return 0
    return {"status": status, "smoke": smoke, "down": down, "wipe": wipe}[args.command](args) or 0


if __name__ == "__main__":
    sys.exit(main())
