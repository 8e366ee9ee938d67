"""Run a real OpenID Connect provider (npm oidc-provider, tests/people/oidc_provider.mjs) on loopback."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "socialbiz"
CLIENT_SECRET = "socialbiz-test-client-secret-0123456789"
OTHER_CLIENT_ID = "other-app"
OTHER_CLIENT_SECRET = "other-app-test-client-secret-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OIDCProvider:
    """A node process serving oidc-provider with two clients: ours and another application."""

    def __init__(self, *, redirect_uris: list[str], accounts_file: Path):
        if not (ROOT / "node_modules" / "oidc-provider").is_dir():
            # scripts/test.sh runs `npm ci` only when axe-core is missing; a checkout from before this
            # package was added needs it too.
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=ROOT, check=True, timeout=300)
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.accounts_file = accounts_file
        self.redirect_uris = redirect_uris
        self.set_accounts({})
        clients = [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "token_endpoint_auth_method": "client_secret_post",
            },
            {
                "client_id": OTHER_CLIENT_ID,
                "client_secret": OTHER_CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "token_endpoint_auth_method": "client_secret_post",
            },
        ]
        env = {
            **os.environ,
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENTS": json.dumps(clients),
            "OIDC_ACCOUNTS_FILE": str(accounts_file),
        }
        self.log = accounts_file.with_suffix(".log").open("w")
        self.process = subprocess.Popen(
            [shutil.which("node") or "node", str(SCRIPT)], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oidc-provider exited: {accounts_file.with_suffix('.log').read_text()}")
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oidc-provider did not start within 20 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def set_accounts(self, accounts: dict[str, dict]) -> None:
        """Subjects and their claims; the provider reads the file again at every sign-in."""
        self.accounts_file.write_text(json.dumps(accounts))

    def app_settings(self, provider_id: str = "acme", *, label: str = "Acme ID", **extra) -> dict:
        """An entry of SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"], as people.oidc_settings builds it."""
        from people.oidc_settings import oidc_apps_from_env

        prefix = f"OIDC_{provider_id.upper()}_"
        (app,) = oidc_apps_from_env(
            {
                "OIDC_PROVIDERS": provider_id,
                prefix + "ISSUER": self.issuer,
                prefix + "CLIENT_ID": CLIENT_ID,
                prefix + "SECRET": CLIENT_SECRET,
                prefix + "LABEL": label,
            }
        )
        app["settings"].update(extra)
        return app

    def sign_in(self, authorize_url: str, login: str) -> str:
        """Sign in at the provider like a person would (login form), return the URL it sends the browser back to."""
        session = requests.Session()
        url = authorize_url
        for _ in range(15):
            response = session.get(url, allow_redirects=False, timeout=10)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if urlsplit(url).netloc != urlsplit(self.issuer).netloc:
                    return url
                continue
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert form, f"no form at the provider: {response.status_code} {response.text[:500]}"
            posted = session.post(
                urljoin(url, unescape(form.group(1))),
                data={"prompt": "login", "login": login, "password": "any"},
                allow_redirects=False,
                timeout=10,
            )
            assert posted.is_redirect, posted.text[:500]
            url = urljoin(url, posted.headers["Location"])
            if urlsplit(url).netloc != urlsplit(self.issuer).netloc:
                return url
        raise AssertionError("the provider never sent the browser back")
