"""The CSRF token never appears twice the same in a page, so compressing pages cannot leak it (BREACH).

BREACH: when a page is compressed and also reflects something an attacker chose, the compressed
size tells whether a guess matches a secret elsewhere in the page; many guesses recover it. Pages
are compressed (nginx gzips them: the plan page goes from 54 KB to 11 KB, which is what makes it
cheap on a pay-as-you-go phone), and every signed-in page carries the CSRF token. So the token is
masked: each occurrence is written as a fresh random pad followed by the token XOR that pad
(what Django and Rails do). Guessing then has nothing fixed to match.

Masking happens once per HTML response, after it is rendered, on every occurrence of this
request's token (form fields, ``csrf_token()``, the htmx header, the keep-alive data); unmasking
happens before Flask-WTF checks a form or the X-CSRFToken header. Unmasked tokens are accepted too
(a page rendered just before an upgrade)."""

from __future__ import annotations

import base64
import binascii
import secrets

from flask import Flask, g, request
from werkzeug.datastructures import ImmutableMultiDict

PREFIX = "m."
FIELD = "csrf_token"
HEADER = "HTTP_X_CSRFTOKEN"


def mask(token: str) -> str:
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    return PREFIX + base64.urlsafe_b64encode(pad + _xor(raw, pad)).decode()


def _xor(data: bytes, pad: bytes) -> bytes:
    # As whole numbers: a page masks its token about six times, and byte by byte took 20 µs each.
    return (int.from_bytes(data, "big") ^ int.from_bytes(pad, "big")).to_bytes(len(data), "big")


def unmask(value: str) -> str:
    """The token inside a masked value; anything else (a plain or broken value) as it came, for
    Flask-WTF to accept or refuse."""
    if not value.startswith(PREFIX) or len(value) > 1024:
        return value
    try:
        data = base64.urlsafe_b64decode(value[len(PREFIX):])
    except (binascii.Error, ValueError):
        return value
    half = len(data) // 2
    if len(data) % 2:
        return value
    try:
        return _xor(data[half:], data[:half]).decode()
    except UnicodeDecodeError:
        return value


def _unmask_request() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    header = request.environ.get(HEADER)
    if header:
        request.environ[HEADER] = unmask(header)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") and FIELD in request.form:
        form = request.form.copy()
        form.setlist(FIELD, [unmask(v) for v in form.getlist(FIELD)])
        request.form = ImmutableMultiDict(form)


def _mask_response(response):
    token = g.get(FIELD)  # Flask-WTF keeps the token it made for this request here
    if not token or response.direct_passthrough or response.is_streamed or response.mimetype != "text/html":
        return response
    body = response.get_data(as_text=True)
    if token in body:
        # Split on the token rather than a regular expression of it: each sign-in has its own
        # token, and re compiled (and cached, up to 512) a pattern for every one.
        first, *rest = body.split(token)
        response.set_data(first + "".join(mask(token) + part for part in rest))
    return response


def init_app(app: Flask) -> None:
    # Before every other before_request, so Flask-WTF's check (CSRFProtect) already sees the token.
    app.before_request_funcs.setdefault(None, []).insert(0, _unmask_request)
    app.after_request(_mask_response)
