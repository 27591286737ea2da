"""What the journeys share: logging in through the real page, and screenshots.

Screenshots go to test-artifacts/journeys/<journey>-<step>.png at the repository
root (ignored by git, kept by CI as artifacts).
"""

from pathlib import Path

from playwright.sync_api import expect

from ..factories import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journeys"
TIMEOUT = 30_000  # ms: the machine is shared, a slow page is not a failure
expect.set_options(timeout=TIMEOUT)


def login(page, live_server: str, username: str) -> None:
    """Log in through /login as a user would, landing on the dashboard."""
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")


def shot(page, journey: str, step: str) -> None:
    """Save the whole page as test-artifacts/journeys/<journey>-<step>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{journey}-{step}.png"), full_page=True)
