"""A small but real OpenID provider on a loopback port, run in a thread of the test process, for the OIDC tests.

It speaks the authorization-code flow over HTTP as an organisation's IdP does: ``/authorize`` (signs in the
person the test names, as if they had typed their password there, and sends the browser back with a code),
``/token`` (checks the client's secret, the code, the redirect URI and the PKCE verifier, and answers an RS256
ID token signed with its key), ``/userinfo`` (bearer token) and ``/jwks``. Tokens and keys are made with
joserfc, Authlib's JOSE library (the ``authlib`` package on PyPI depends on it).
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "taizhang"
CLIENT_SECRET = "client-secret-for-tests"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class Provider:
    """The provider's state: its key, the people it knows, the codes and tokens it handed out."""

    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-key"}))
    people: dict = field(default_factory=dict)  # subject → claims
    signing_in: str = ""  # the subject /authorize signs in
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    base: str = ""

    def env(self, **extra) -> dict:
        """The environment taizhang's settings read (taizhang/signon/conf.py) to use this provider."""
        return {
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_AUTHORIZATION_ENDPOINT": f"{self.base}/authorize",
            "OIDC_TOKEN_ENDPOINT": f"{self.base}/token",
            "OIDC_USERINFO_ENDPOINT": f"{self.base}/userinfo",
            "OIDC_JWKS_ENDPOINT": f"{self.base}/jwks",
            **extra,
        }

    # --- the endpoints
    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        else:
            form = {}
        handler = {
            "/authorize": self.authorize,
            "/token": self.token,
            "/userinfo": self.userinfo,
            "/jwks": self.jwks,
        }.get(path)
        if handler is None:
            return self._json(start_response, "404 Not Found", {"error": "not_found"})
        return handler(environ, start_response, query, form)

    def _json(self, start_response, status, body):
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def authorize(self, environ, start_response, query, form):
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code" or not self.signing_in:
            return self._json(start_response, "400 Bad Request", {"error": "invalid_request"})
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "sub": self.signing_in,
            "nonce": query.get("nonce"),
            "redirect_uri": query["redirect_uri"],
            "challenge": query.get("code_challenge"),
        }
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        start_response("302 Found", [("Location", target)])
        return [b""]

    def token(self, environ, start_response, query, form):
        client_id, secret = form.get("client_id"), form.get("client_secret")
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Basic "):
            client_id, _sep, secret = base64.b64decode(header[6:]).decode().partition(":")
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return self._json(start_response, "401 Unauthorized", {"error": "invalid_client"})
        grant = self.codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return self._json(start_response, "400 Bad Request", {"error": "invalid_grant"})
        if grant["challenge"]:
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if digest != grant["challenge"]:
                return self._json(start_response, "400 Bad Request", {"error": "invalid_grant"})
        now = int(time.time())
        claims = {"iss": self.base, "sub": grant["sub"], "aud": CLIENT_ID, "iat": now, "exp": now + 300}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = grant["sub"]
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        return self._json(start_response, "200 OK", body)

    def userinfo(self, environ, start_response, query, form):
        header = environ.get("HTTP_AUTHORIZATION", "")
        subject = self.tokens.get(header.removeprefix("Bearer ").strip())
        if subject is None:
            return self._json(start_response, "401 Unauthorized", {"error": "invalid_token"})
        return self._json(start_response, "200 OK", {"sub": subject, **self.people[subject]})

    def jwks(self, environ, start_response, query, form):
        public = self.key.as_dict(private=False)
        return self._json(start_response, "200 OK", {"keys": [{**public, "alg": "RS256", "use": "sig"}]})


class _Server(WSGIServer):
    daemon_threads = True


def start_provider() -> tuple[Provider, object]:
    provider = Provider()
    server = make_server("127.0.0.1", 0, provider, server_class=_Server, handler_class=_QuietHandler)
    provider.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return provider, server


def stop_provider(server) -> None:
    server.shutdown()
    server.server_close()
