"""What a resident's phone downloads: the plan page of a resident with 30 goals, first visit (empty
cache) and repeat visit, through the deployed stack (nginx and gunicorn, bench/deploy_stack.py), in
Chromium, counting the bytes that crossed the network (headers and compressed bodies, as Chrome's
DevTools reports them) and the requests that were not answered from the browser's cache.

    .venv/bin/python bench/page_weight.py [PATH ...]      (default: /me/plan)

Targets (issue 11): first visit ≤ 60 KB in all; repeat visit 0 requests for assets.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright

from bench.deploy_stack import deploy_stack


def visit(page, cdp, url: str) -> dict:
    seen: dict[str, dict] = {}

    def sent(event):
        seen[event["requestId"]] = {"url": event["request"]["url"], "bytes": 0, "cache": False}

    def cached(event):
        seen.setdefault(event["requestId"], {"url": "?", "bytes": 0})["cache"] = True

    def received(event):
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            seen.setdefault(event["requestId"], {"url": event["response"]["url"], "bytes": 0})["cache"] = True

    def finished(event):
        seen.setdefault(event["requestId"], {"url": "?", "cache": False})["bytes"] = event["encodedDataLength"]

    handlers = {"Network.requestWillBeSent": sent, "Network.requestServedFromCache": cached,
                "Network.responseReceived": received, "Network.loadingFinished": finished}
    for name, handler in handlers.items():
        cdp.on(name, handler)
    page.goto(url, wait_until="networkidle")
    for name, handler in handlers.items():
        cdp.remove_listener(name, handler)
    return seen


def main() -> None:
    paths = sys.argv[1:] or ["/me/plan"]
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    with deploy_stack() as stack, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for path in paths:
            context = browser.new_context(ignore_https_errors=True, viewport={"width": 360, "height": 640})
            name, value = stack.sign_in("amira")
            context.add_cookies([{"name": name, "value": value, "url": stack.base}])
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            first = visit(page, cdp, stack.base + path)
            again = visit(page, cdp, stack.base + path)
            total = sum(r["bytes"] for r in first.values())
            print(f"{path} first visit: {len(first)} requests, {total / 1024:.1f} KB transferred")
            for r in sorted(first.values(), key=lambda r: -r["bytes"]):
                print(f"    {r['bytes'] / 1024:7.1f} KB  {r['url'].replace(stack.base, '')}")
            over_network = [r for r in again.values() if not r.get("cache")]
            assets = [r for r in over_network if "/static/" in r["url"]]
            print(f"{path} repeat visit: {len(over_network)} requests over the network "
                  f"({sum(r['bytes'] for r in over_network) / 1024:.1f} KB), {len(assets)} of them for assets")
            for r in over_network:
                print(f"    {r['bytes'] / 1024:7.1f} KB  {r['url'].replace(stack.base, '')}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
