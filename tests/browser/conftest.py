"""Browser tests: a real `spin up` of the built app (sandbox carrier, temporary state) and
Debian's headless Chromium driven by Playwright. Screenshots of the pages the tests visit go
to target/screenshots/ (written by each run, never committed)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "browser-admin-token"
JOBS_TOKEN = "browser-jobs-token"
PASSWORD = "Correct horse 1"
SCREENSHOTS = ROOT / "target" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def spin_binary():
    if os.environ.get("SPIN"):
        return os.environ["SPIN"]
    found = shutil.which("spin")
    return found or str(ROOT.parent / "shared" / "bin" / "spin")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Reply:
    def __init__(self, status, body):
        self.status = status
        self.text = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None


class App:
    """The running app, and the operator's and job runner's calls tests set up with."""

    def __init__(self, base, state):
        self.base = base
        self.state = state

    def call(self, method, path, body=None, token=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("content-type", "application/json")
        if token:
            request.add_header("authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    def admin(self, method, path, body=None):
        return self.call(method, path, body, token=ADMIN_TOKEN)

    def run_jobs(self):
        return self.call("POST", "/v1/jobs/run", {}, token=JOBS_TOKEN)

    def account(self, name="Butik AB", currency="SEK", balance_minor=10_000):
        reply = self.admin("POST", "/v1/admin/accounts", {"name": name, "currency": currency, "initial_balance_minor": balance_minor})
        assert reply.status == 201, reply.text
        return reply.json["id"]

    def last_email(self, to):
        reply = self.admin("GET", "/v1/admin/emails?to=" + urllib.parse.quote(to))
        assert reply.status == 200, reply.text
        return reply.json["emails"][0] if reply.json["emails"] else None

    def emailed_token(self, to):
        body = self.last_email(to)["body"]
        start = body.index("token=") + len("token=")
        token = ""
        for c in body[start:]:
            if not (c.isalnum() or c in "-_"):
                break
            token += c
        return token

    def user(self, account, email, level="admin", name="Anna Andersson"):
        """A user with `level` on `account` who has set PASSWORD from their invitation."""
        made = self.admin("POST", "/v1/admin/users", {"account_id": account, "email": email, "name": name, "level": level, "language": "en"})
        assert made.status == 201, made.text
        accepted = self.call("POST", "/v1/invitations/accept", {"token": self.emailed_token(email), "password": PASSWORD})
        assert accepted.status == 204, accepted.text
        return email


@pytest.fixture(scope="session")
def app():
    state = Path(tempfile.mkdtemp(prefix="smsedge-browser."))
    port = free_port()
    log = open(state / "spin.log", "w")
    process = subprocess.Popen(
        [spin_binary(), "up", "--listen", f"127.0.0.1:{port}", "--state-dir", str(state / ".spin")],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={
            **os.environ,
            "SPIN_VARIABLE_ADMIN_TOKEN": ADMIN_TOKEN,
            "SPIN_VARIABLE_JOBS_TOKEN": JOBS_TOKEN,
            "SPIN_VARIABLE_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "SPIN_VARIABLE_UNSUBSCRIBE_SECRET": "browser-tests-unsubscribe-secret-0123456789",
            # As run.sh: secrets are sealed at rest (the console's Stripe keys need it).
            "SPIN_VARIABLE_SECRETS_KEY": "YnJvd3Nlci10ZXN0cy1zZWNyZXRzLWtleS0zMmJ5dGU=",
        },
        start_new_session=True,
    )
    app = App(f"http://127.0.0.1:{port}", state)
    deadline = time.time() + 60
    while True:
        try:
            if app.call("GET", "/v1/health").status == 200:
                break
        except OSError:
            pass
        if time.time() > deadline or process.poll() is not None:
            os.killpg(process.pid, signal.SIGTERM)
            raise RuntimeError("spin up did not start:\n" + (state / "spin.log").read_text())
        time.sleep(0.2)
    yield app
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, app, request):
    """A fresh browser context (no cookies, no storage) on the app; API errors that a
    page shows stay on the page, so console errors are collected and must be none."""
    # The browser's clock reads Stockholm time (the seeds' users'), not the test accounts'
    # UTC, so the pages' local-day handling is exercised as those users would meet it.
    context = chromium.new_context(base_url=app.base, viewport={"width": 1280, "height": 900}, timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-final.png"), full_page=True)
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def shot(page, name):
    """Keeps a screenshot of the page as it is now (target/screenshots/<name>.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def totp(secret_base32, at=None):
    """RFC 6238 code (SHA-1, 6 digits, 30 s), written from the RFC for the tests."""
    import base64
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"
