"""Helpers for Playwright tests: an axe-core audit and a screenshot of every page reached."""

from __future__ import annotations

import json
import re
from pathlib import Path

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


class Auditor:
    """Audits each page with axe-core (WCAG 2.2 A and AA) and saves a full-page screenshot."""

    def __init__(self, page, folder: Path):
        self.page = page
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.pages: list[str] = []

    def check(self, name: str) -> None:
        self.count += 1
        self.page.wait_for_load_state("load")
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{slug}.png"), full_page=True)
        if not self.page.evaluate("typeof axe !== 'undefined'"):
            self.page.evaluate(AXE)
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["html"][:160] for n in v["nodes"][:3]]}
            for v in result["violations"]
        ]
        assert not violations, f"axe found WCAG problems on {name} ({self.page.url}):\n" + json.dumps(violations, indent=2)
        self.pages.append(name)


def sign_in(page, base_url: str, username: str, password: str, landing: str) -> None:
    """Sign in through the real form and wait for the home page (``landing``, a URL glob)."""
    page.goto(base_url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(landing)
