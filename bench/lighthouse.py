"""Lighthouse (12.x, its default mobile settings: a mid-range phone on a slow 4G connection) on the
pages people use most, signed in, against the deployed stack (nginx and gunicorn,
bench/deploy_stack.py) with the system Chromium. Prints performance and accessibility per page,
the metrics behind performance, and any audit that did not pass.

    .venv/bin/python bench/lighthouse.py [--runs N]

Lighthouse comes from npm into bench/lighthouse/ (`npm ci --prefix bench/lighthouse`, done here
when missing), apart from the root package.json so that CI does not fetch it.
Targets (issue 11): performance ≥ 98 and accessibility 100 on each page.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.deploy_stack import deploy_stack

HERE = Path(__file__).resolve().parent / "lighthouse"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
PAGES = [("amira", "/me/"), ("amira", "/me/plan"), ("amira", "/me/sharing"), ("amira", "/me/progress"),
         ("tutor.learning", "/tutor/"), ("staff.jobs", "/provider/")]
METRICS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"]


def _lighthouse() -> Path:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", str(HERE)], check=True)
    return LIGHTHOUSE


def run(url: str, cookie: tuple[str, str], chromium: str) -> dict:
    out = subprocess.run(
        [str(_lighthouse()), url, "--only-categories=performance,accessibility", "--output=json", "--output-path=stdout",
         "--quiet", f"--chrome-path={chromium}",
         "--chrome-flags=--headless=new --no-sandbox --ignore-certificate-errors",
         "--extra-headers", json.dumps({"Cookie": f"{cookie[0]}={cookie[1]}"})],
        check=True, capture_output=True, text=True, timeout=300,
    ).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median performance is reported")
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    with deploy_stack() as stack:
        print(f"Lighthouse {run_version()} (mobile), {args.runs} runs per page, median shown")
        print(f"{'page':24} {'perf':>5} {'a11y':>5}   " + "  ".join(m.split('-')[0][:5] + m.split('-')[-1][:4] for m in METRICS))
        for username, path in PAGES:
            cookie = stack.sign_in(username)
            reports = [run(stack.base + path, cookie, chromium) for _ in range(args.runs)]
            perf = statistics.median(r["categories"]["performance"]["score"] * 100 for r in reports)
            a11y = min(r["categories"]["accessibility"]["score"] * 100 for r in reports)
            middle = sorted(reports, key=lambda r: r["categories"]["performance"]["score"])[len(reports) // 2]
            metrics = "  ".join(f"{middle['audits'][m]['displayValue']:>9}" for m in METRICS)
            final = middle.get("finalDisplayedUrl", middle.get("finalUrl", "")).replace(stack.base, "")
            print(f"{username + ' ' + path:24} {perf:5.0f} {a11y:5.0f}   {metrics}" + ("" if final == path else f"   (ended at {final})"))
            for report in reports[:1]:
                for ref in report["categories"]["accessibility"]["auditRefs"]:
                    audit = report["audits"][ref["id"]]
                    if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                        print(f"    accessibility: {audit['title']}")
                # The metrics that make up the score (the other audits are advice, with no weight).
                failing = [report["audits"][ref["id"]] for ref in report["categories"]["performance"]["auditRefs"]
                           if ref["weight"] and (report["audits"][ref["id"]].get("score") or 0) < 0.9]
                for audit in failing:
                    print(f"    performance: {audit['title']} ({audit.get('displayValue', '')})")


def run_version() -> str:
    return json.loads((HERE / "node_modules" / "lighthouse" / "package.json").read_text())["version"] if LIGHTHOUSE.exists() else "?"


if __name__ == "__main__":
    main()
