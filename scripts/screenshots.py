"""`make screenshots`: the main pages of the demo at phone and desktop width (and the phone in the dark theme),
written to docs/screenshots/ as PNG files.

Seeds the demo into a throwaway SQLite file (or SCREENSHOTS_DATABASE_URL), serves it with runserver on a free
loopback port, signs in as the demo champion and takes each page's first screen with Chromium
(CHROMIUM_EXECUTABLE, /usr/bin/chromium, or Playwright's own download).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHAMPION, PASSWORD = "champion@example.com", "socialbiz-demo"  # the demo login (people/demo.py)
SIZES = {"phone": (390, 844, "light"), "desktop": (1280, 900, "light"), "phone-dark": (390, 844, "dark")}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    sys.exit(f"the demo server did not start on port {port}")


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def shoot(base: str) -> list[Path]:
    executable = os.environ.get("CHROMIUM_EXECUTABLE") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for size, (width, height, scheme) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("Email").fill(CHAMPION)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign In").click()
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/movements/")
            movement = page.locator(".movement-card h3 a").first.get_attribute("href")
            page.goto(f"{base}/feedback/")
            post = page.locator(".feedback-card h4 a").first.get_attribute("href")
            pages = {
                "home": "/",
                "movements": "/movements/",
                "movement": movement,
                "feedback": "/feedback/",
                "feedback-post": post,
                "feedback-new": "/feedback/new/",
                "notifications": "/notifications/",
            }
            for name, path in pages.items():
                page.goto(f"{base}{path}")
                target = OUT / f"{name}-{size}.png"
                page.screenshot(path=str(target))
                written.append(target)
            context.close()
        browser.close()
    return written


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_DEBUG": "true",  # runserver serves the static files
            "DATABASE_URL": os.environ.get("SCREENSHOTS_DATABASE_URL", f"sqlite:///{tmp}/screenshots.sqlite3"),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)  # background tasks inline: nothing else to start
        print("==> seeding the demo")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port)
            print(f"==> taking screenshots from http://127.0.0.1:{port}")
            for path in shoot(f"http://127.0.0.1:{port}"):
                print(f"    {path.relative_to(ROOT)}")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
