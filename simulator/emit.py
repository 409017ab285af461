"""Where the simulator's events go: the public ingestion entry points, as Python calls or over the HTTP API.

`ServiceEmitter` calls the same service functions the HTTP API is built on
(billing.ingestion.call_record_ingest, recordings.ingestion.recording_ingest,
pbx.voicemail.voicemail_ingest); `HttpEmitter` posts to /api/v1/calls/,
/api/v1/recordings/ and /api/v1/voicemail/ with a customer's API key, as a
real PBX would. Both answer each event with one of the `Outcome` words.
"""

from __future__ import annotations

import importlib
import io
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib import error, parse, request

from panel.models import Customer
from panel.refusal import Refused
from simulator.traffic import RecordingUpload, SimulatedCall, VoicemailEvent


class Outcome:
    CREATED = "created"  # stored now
    EXISTING = "existing"  # stored before (same id): nothing new
    DIFFERENT = "different"  # stored before with another outcome (the routing changed since): kept as stored
    SERVICE_OFF = "service_off"  # a recording while the recording service was off
    REFUSED = "refused"  # the entry point said no (the message says why)
    UNAVAILABLE = "unavailable"  # this kind of event has no entry point in this installation
    QUEUED = "queued"  # handed to a background job


@dataclass(frozen=True)
class Emitted:
    outcome: str
    message: str = ""


def _compared(call: SimulatedCall, disposition: str, ended_at: str) -> Emitted:
    """A call stored before: the same story again (EXISTING), or one the routing of that time told otherwise."""
    same = disposition == call.disposition and datetime.fromisoformat(ended_at) == call.end
    return Emitted(Outcome.EXISTING if same else Outcome.DIFFERENT)


def _entry_point(module: str, name: str):
    """The ingestion function `module.name`, or None while that part of the panel does not exist."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


class ServiceEmitter:
    """Events through the Python entry points, inside this process and its database connection."""

    transactional = True  # call records of a day may share one transaction
    parallel_safe = True  # audio events may be sent from several threads (each with its own connection)

    def __init__(self, customer: Customer) -> None:
        self.customer = customer
        self.call_record_ingest = _entry_point("billing.ingestion", "call_record_ingest")
        self.recording_ingest = _entry_point("recordings.ingestion", "recording_ingest")
        self.voicemail_ingest = _entry_point("pbx.voicemail", "voicemail_ingest")

    def available(self) -> dict[str, bool]:
        return {
            "call records (billing.ingestion.call_record_ingest)": self.call_record_ingest is not None,
            "recordings (recordings.ingestion.recording_ingest)": self.recording_ingest is not None,
            "voicemail messages (pbx.voicemail.voicemail_ingest)": self.voicemail_ingest is not None,
        }

    def call_record(self, call: SimulatedCall) -> Emitted:
        if self.call_record_ingest is None:
            return Emitted(Outcome.UNAVAILABLE)
        from rest_framework.exceptions import ValidationError

        try:
            stored, created = self.call_record_ingest(customer=self.customer, payload=call.record)
        except ValidationError as refused:
            return Emitted(Outcome.REFUSED, json.dumps(refused.detail, default=str, ensure_ascii=False))
        if created:
            return Emitted(Outcome.CREATED)
        return _compared(call, stored.disposition, stored.ended_at.isoformat())

    def recording(self, upload: RecordingUpload, content: bytes) -> Emitted:
        if self.recording_ingest is None:
            return Emitted(Outcome.UNAVAILABLE)
        try:
            result = self.recording_ingest(
                customer=self.customer,
                call_id=upload.call_id,
                fileobj=io.BytesIO(content),
                filename=f"{upload.call_id}.mp3",
                started_at=upload.start,
                direction=upload.direction,
                caller=upload.caller,
                callee=upload.callee,
            )
        except Refused as refused:
            outcome = Outcome.SERVICE_OFF if refused.code == Refused.SERVICE_OFF else Outcome.REFUSED
            return Emitted(outcome, refused.message)
        return Emitted(Outcome.CREATED if result.created else Outcome.EXISTING)

    def voicemail(self, event: VoicemailEvent, content: bytes) -> Emitted:
        if self.voicemail_ingest is None:
            return Emitted(Outcome.UNAVAILABLE)
        try:
            result = self.voicemail_ingest(
                customer=self.customer,
                extension=event.extension,
                caller=event.caller,
                received_at=event.received_at,
                fileobj=io.BytesIO(content),
                message_id=event.message_id,
                notify=event.notify,
            )
        except Refused as refused:
            return Emitted(Outcome.REFUSED, refused.message)
        return Emitted(Outcome.CREATED if result.created else Outcome.EXISTING)


class HttpEmitter:
    """Events posted to a running Centrala's ingestion API with the customer's API key."""

    transactional = False  # the server writes; this process must not hold the database meanwhile

    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("The API's URL must start with http:// or https://.")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def available(self) -> dict[str, bool]:
        return {"call records, recordings and voicemail messages over HTTP": True}

    def _post(self, path: str, body: bytes, content_type: str) -> tuple[int, dict]:
        http_request = request.Request(  # noqa: S310 (http or https only, checked above)
            f"{self.base_url}/api/v1/{path}",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Token {self.token}",
                "Content-Type": content_type,
                "Accept": "application/json",
            },
        )
        try:
            with request.urlopen(http_request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except error.HTTPError as failure:
            try:
                answer = json.loads(failure.read() or b"{}")
            except ValueError:
                answer = {"detail": failure.reason}
            return failure.code, answer

    def _multipart(self, path: str, fields: dict[str, str], content: bytes, filename: str) -> tuple[int, dict]:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: audio/mpeg\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self._post(path, b"".join(parts), f"multipart/form-data; boundary={boundary}")

    @staticmethod
    def _emitted(status: int, answer: dict, *, service_off: int | None = None) -> Emitted:
        if status == 201:
            return Emitted(Outcome.CREATED)
        if status == 200:
            return Emitted(Outcome.EXISTING)
        message = f"HTTP {status}: {answer.get('detail', '')} {answer.get('errors', '')}".strip()
        if service_off is not None and status == service_off:
            return Emitted(Outcome.SERVICE_OFF, message)
        if status == 404 and not answer:
            return Emitted(Outcome.UNAVAILABLE, message)
        return Emitted(Outcome.REFUSED, message)

    def _get(self, path: str) -> tuple[int, dict]:
        http_request = request.Request(  # noqa: S310 (http or https only, checked in __init__)
            f"{self.base_url}/api/v1/{path}",
            headers={"Authorization": f"Token {self.token}", "Accept": "application/json"},
        )
        try:
            with request.urlopen(http_request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except error.HTTPError as failure:
            return failure.code, {}

    def call_record(self, call: SimulatedCall) -> Emitted:
        status, answer = self._post("calls/", json.dumps(call.record).encode(), "application/json")
        emitted = self._emitted(status, answer)
        if emitted.outcome != Outcome.EXISTING:
            return emitted
        status, stored = self._get(f"calls/{parse.quote(call.call_id)}/")
        if status != 200 or not {"disposition", "end"} <= stored.keys():
            return Emitted(Outcome.DIFFERENT, f"HTTP {status} reading the stored call back")
        return _compared(call, stored["disposition"], stored["end"])

    def recording(self, upload: RecordingUpload, content: bytes) -> Emitted:
        fields = {
            "call_id": upload.call_id,
            "started_at": upload.start.isoformat(),
            "direction": upload.direction,
            "caller": upload.caller,
            "callee": upload.callee,
        }
        status, answer = self._multipart("recordings/", fields, content, f"{upload.call_id}.mp3")
        return self._emitted(status, answer, service_off=403)

    def voicemail(self, event: VoicemailEvent, content: bytes) -> Emitted:
        fields = {
            "message_id": event.message_id,
            "extension": event.extension,
            "caller": event.caller,
            "received_at": event.received_at.isoformat(),
            "notify": "true" if event.notify else "false",
        }
        status, answer = self._multipart("voicemail/", fields, content, f"{event.message_id}.mp3")
        return self._emitted(status, answer)
