"""A stand-in for GOV.UK Notify's HTTP API, for the real notifications-python-client to talk to:
``POST /v2/notifications/sms`` (and ``/letter``, ``/email``) and ``GET /v2/notifications/{id}``, with Notify's JWT checked
(HS256, issuer = the service id, issued within 30 seconds) as Notify checks it. What happens to a
number is set per test: delivered (the default), a permanent failure, refused (400), or a given
number of server errors (500) before it works."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
LETTER_TEMPLATE_ID = "0b9a4c5e-7f57-4d3a-9a39-6d1f1f2c1e01"
EMAIL_TEMPLATE_ID = "5c4f3b2a-1d0e-4f9a-8b7c-6d5e4f3a2b10"
TEMPLATES = {"sms": TEMPLATE_ID, "letter": LETTER_TEMPLATE_ID, "email": EMAIL_TEMPLATE_ID}


@dataclass
class FakeNotify:
    url: str = ""
    sent: list[dict] = field(default_factory=list)  # each accepted text: phone_number, template_id, personalisation, reference
    statuses: dict[str, str] = field(default_factory=dict)  # notification id -> status
    outcome: dict[str, str] = field(default_factory=dict)  # phone number -> "delivered" | "permanent-failure" | "refuse"
    errors_before: dict[str, int] = field(default_factory=dict)  # phone number -> server errors still to give
    refused_tokens: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies_to(self, number: str) -> list[str]:
        return [s["personalisation"]["message"] for s in self.sent if s.get("phone_number") == number]


def _handler(fake: FakeNotify):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args):
            pass

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": False})
            except jwt.PyJWTError:
                claims = {}
            if claims.get("iss") != SERVICE_ID or abs(time.time() - claims.get("iat", 0)) > 30:
                with fake.lock:
                    fake.refused_tokens += 1
                self._answer(403, {"status_code": 403, "errors": [{"error": "AuthError", "message": "Invalid token"}]})
                return False
            return True

        def do_POST(self):  # (http.server calls it by this name)
            if not self._authorised():
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            channel = self.path.rstrip("/").rsplit("/", 1)[-1]  # sms, letter or email
            body["channel"] = channel
            # What a test sets outcomes by: the number, a letter's postcode (its last line), the email address.
            lines = [v for k, v in sorted(body.get("personalisation", {}).items()) if k.startswith("address_line_")]
            number = {"letter": lines[-1] if lines else "", "email": body.get("email_address", "")}.get(channel, body.get("phone_number", ""))
            with fake.lock:
                if fake.errors_before.get(number, 0) > 0:
                    fake.errors_before[number] -= 1
                    return self._answer(500, {"status_code": 500, "errors": [{"error": "Exception", "message": "Internal server error"}]})
                if fake.outcome.get(number) == "refuse" or body.get("template_id") != TEMPLATES.get(channel):
                    return self._answer(400, {"status_code": 400, "errors": [{"error": "BadRequestError", "message": "Not a valid number"}]})
                notification_id = str(uuid.uuid4())
                fake.sent.append(body)
                fake.statuses[notification_id] = fake.outcome.get(number, "delivered")
            return self._answer(201, {"id": notification_id, "reference": body.get("reference"),
                                      "content": {"body": body["personalisation"]["message"], "from_number": "GOVUK"},
                                      "uri": f"{fake.url}/v2/notifications/{notification_id}",
                                      "template": {"id": TEMPLATE_ID, "version": 1, "uri": ""}})

        def do_GET(self):
            if not self._authorised():
                return
            notification_id = self.path.rsplit("/", 1)[-1]
            with fake.lock:
                status = fake.statuses.get(notification_id)
            if status is None:
                return self._answer(404, {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]})
            return self._answer(200, {"id": notification_id, "status": status, "type": "sms"})

    return Handler


def start() -> tuple[FakeNotify, ThreadingHTTPServer]:
    fake = FakeNotify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
