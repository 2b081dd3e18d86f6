"""Headers on every response: a strict Content-Security-Policy (no inline script or style), no
framing, no sniffing, a careful referrer, and no caching of anything personal."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from flask import g, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def assign_request_id() -> None:
    """An id for this request, written into access-log entries to match them with server logs."""
    g.request_id = uuid.uuid4().hex


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    if request.endpoint != "static" and not g.get("public_data"):
        # Pages may show a resident's data: never keep them in a shared PC's cache or history.
        # (Only answers that can hold nothing personal, the directory's feed, say how they are kept.)
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (open redirects help phishing)."""
    if not target or len(target) > 2000 or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None  # a newline here would otherwise end up in the Location header
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
