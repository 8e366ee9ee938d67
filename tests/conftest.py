import os
from pathlib import Path

import pytest
from django.core.cache import cache

from .factories import DEFAULT_PASSWORD, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Modules whose tests take seconds each: real worker restarts, soaks, large seeds, fuzzing.
SLOW_MODULES = {
    "tests/hardening/test_soak.py",
    "tests/hardening/test_fuzz.py",
    "tests/hardening/test_database_outage.py",
    "tests/feedback/test_fuzz.py",
    "tests/nudges/test_delivery.py",
    "tests/project/test_seed_large.py",
    "tests/project/test_query_budgets.py",
    "tests/dashboards/test_sqlite_demo.py",
    "tests/api/test_schema.py",
    "tests/integrations/test_faults.py",
}


def pytest_collection_modifyitems(config, items):
    """Mark browser and slow tests, so `make quick` can leave them out (make test runs everything)."""
    for item in items:
        path = Path(item.fspath).relative_to(ROOT).as_posix()
        if path.startswith("tests/browser/") or "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if path in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use the system Chromium (CHROMIUM_EXECUTABLE or /usr/bin/chromium); else Playwright's own download."""
    executable = os.environ.get("CHROMIUM_EXECUTABLE") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if executable:
        args["executable_path"] = executable
    return args


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def person(db):
    return UserFactory()


@pytest.fixture
def axe():
    """Run axe-core in a Playwright page and return the violations (id and offending nodes)."""

    def run(page) -> list[dict]:
        # Evaluated through the devtools protocol: an injected <script> would be refused by our own CSP.
        page.evaluate(AXE_PATH.read_text() + "\n;0")
        violations = page.evaluate("async () => (await axe.run()).violations")
        return [{"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"]][:3]} for v in violations]

    return run


@pytest.fixture
def login_in_browser(live_server, page):
    """Sign a person in through the real login form."""

    def login(person, password: str = DEFAULT_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(person.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return login


@pytest.fixture(autouse=True)
def fresh_cache():
    """The cache (Redis) holds rate-limit counters and finished dashboard figures: every test starts empty."""
    cache.clear()
    yield
    cache.clear()
