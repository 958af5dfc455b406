"""Delivery channels behind one interface: log (the offline default), webhook, SMTP e-mail.

A channel sends one Envelope or raises DeliveryError; permanent=True means trying again cannot
help (a 4xx answer, no address), so the outbox gives up at once instead of backing off.
"""

import hashlib
import hmac
import json
import logging
import smtplib
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from typing import Any, Protocol

import httpx

from dispatch.config import Settings

log = logging.getLogger("purna.outbox")

SIGNATURE_HEADER = "X-Purna-Signature"
TIMESTAMP_HEADER = "X-Purna-Timestamp"
RETRYABLE_STATUS = frozenset({408, 425, 429})


class DeliveryError(Exception):
    """A message could not be delivered; permanent when retrying cannot help."""

    def __init__(self, msg: str, *, permanent: bool = False) -> None:
        super().__init__(msg)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Envelope:
    """What a channel sends: one rendered message and where it goes."""

    message_id: int
    idempotency_key: str
    kind: str
    audience: str
    language: str
    recipient_name: str
    recipient_phone: str | None
    recipient_email: str | None
    subject: str
    body: str
    created_at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        """The webhook body: every field, datetimes in ISO 8601, keys sorted."""
        payload = asdict(self) | {"created_at": self.created_at.isoformat()}
        return json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()


class Channel(Protocol):
    """Sends one message; raises DeliveryError when it did not go out."""

    name: str

    def send(self, envelope: Envelope) -> None: ...


class LogChannel:
    """Writes each message to the log: the embedded setup works offline."""

    name = "log"

    def send(self, envelope: Envelope) -> None:
        to = envelope.recipient_email or envelope.recipient_phone or envelope.audience
        log.info("message %s to %s: %s", envelope.idempotency_key, to, envelope.subject)


def sign(body: bytes, timestamp: str, secret: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of `timestamp.body`; a captured call cannot be replayed later."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    body: bytes, timestamp: str, signature: str, secret: bytes, *, tolerance_s: int = 300
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(body, timestamp, secret), signature)


class WebhookChannel:
    """POSTs each message as JSON, signed with HMAC-SHA256 (see sign), to one URL."""

    name = "webhook"

    def __init__(self, url: str, secret: bytes, *, timeout_s: float = 10.0) -> None:
        if not secret:
            raise ValueError("the webhook channel needs WEBHOOK_SECRET to sign its calls.")
        self.url, self.secret, self.timeout_s = url, secret, timeout_s

    def send(self, envelope: Envelope) -> None:
        body = envelope.to_json()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": envelope.idempotency_key,  # receivers drop a redelivery
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(body, timestamp, self.secret),
        }
        try:
            response = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook unreachable: {exc}") from exc
        if response.is_success:
            return
        permanent = response.is_client_error and response.status_code not in RETRYABLE_STATUS
        raise DeliveryError(f"webhook answered {response.status_code}", permanent=permanent)


class SmtpChannel:
    """Sends each message as a plain-text e-mail through one SMTP server."""

    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, envelope: Envelope) -> None:
        if not envelope.recipient_email:
            raise DeliveryError("the recipient has no e-mail address.", permanent=True)
        mail = self._compose(envelope)
        s = self.settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_username and s.smtp_password:
                    smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP failed: {exc}") from exc

    def _compose(self, envelope: Envelope) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_sender
        mail["To"] = f"{envelope.recipient_name} <{envelope.recipient_email}>"
        mail["Subject"] = envelope.subject
        # One Message-ID per outbox message: mail systems drop a redelivered duplicate.
        # The sender's domain, not the host name: make_msgid would look that up in DNS.
        domain = parseaddr(self.settings.smtp_sender)[1].partition("@")[2] or "purna.local"
        mail["Message-ID"] = make_msgid(idstring=f"purna-{envelope.message_id}", domain=domain)
        mail["X-Purna-Key"] = envelope.idempotency_key
        mail.set_content(envelope.body)
        return mail


def build_channel(settings: Settings) -> Channel:
    """The channel the settings name (NOTIFY_CHANNEL); raises ValueError when misconfigured."""
    if settings.notify_channel == "webhook":
        if not settings.webhook_url:
            raise ValueError("NOTIFY_CHANNEL=webhook needs WEBHOOK_URL.")
        secret = settings.webhook_secret.get_secret_value().encode()
        return WebhookChannel(settings.webhook_url, secret, timeout_s=settings.webhook_timeout_s)
    if settings.notify_channel == "email":
        return SmtpChannel(settings)
    return LogChannel()
