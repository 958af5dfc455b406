"""Channels: a signed webhook against a real local HTTP server, SMTP against a tiny local server."""

import email
import email.policy
import json
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dispatch.config import Settings
from dispatch.outreach import channels
from dispatch.outreach.channels import (
    DeliveryError,
    Envelope,
    LogChannel,
    SmtpChannel,
    WebhookChannel,
    build_channel,
)

SECRET = b"s3cret"


def _envelope(**overrides: Any) -> Envelope:
    data: dict[str, Any] = {
        "message_id": 7,
        "idempotency_key": "visit:3:survey",
        "kind": "survey",
        "audience": "customer",
        "language": "id",
        "recipient_name": "Siti Rahayu",
        "recipient_phone": "+62 812 3456 7890",
        "recipient_email": "siti@example.id",
        "subject": "Bagaimana kunjungan Budi?",
        "body": "Halo Siti, mohon beri penilaian Anda: https://purna.example/v1/surveys/abc",
        "created_at": datetime(2026, 3, 10, 3, 0, tzinfo=UTC),
        "data": {"visit_id": 3},
    }
    return Envelope(**(data | overrides))


@dataclass
class Received:
    """What the local webhook receiver saw."""

    status: int = 200
    calls: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[tuple[str, Received]]:
    """A real HTTP server on 127.0.0.1 that checks each call's signature like a client would."""
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = channels.verify(
                body,
                self.headers[channels.TIMESTAMP_HEADER],
                self.headers[channels.SIGNATURE_HEADER],
                SECRET,
            )
            received.calls.append(
                {"verified": ok, "body": body, "headers": dict(self.headers), "path": self.path}
            )
            self.send_response(received.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/purna", received
    server.shutdown()
    server.server_close()


def test_webhook_posts_json_with_a_valid_hmac_signature(receiver: tuple[str, Received]) -> None:
    """The receiver verifies the HMAC-SHA256 signature and gets the message as JSON."""
    url, received = receiver
    WebhookChannel(url, SECRET).send(_envelope())
    (call,) = received.calls
    assert call["verified"] is True
    assert call["path"] == "/hooks/purna"
    assert call["headers"]["Idempotency-Key"] == "visit:3:survey"
    payload = json.loads(call["body"])
    assert payload["kind"] == "survey"
    assert payload["recipient_phone"] == "+62 812 3456 7890"
    assert payload["created_at"] == "2026-03-10T03:00:00+00:00"
    assert payload["data"] == {"visit_id": 3}


def test_webhook_signature_fails_for_a_tampered_body_or_another_secret() -> None:
    """verify refuses a changed body, a wrong secret and a stale timestamp."""
    body = _envelope().to_json()
    stamp = str(int(datetime.now(UTC).timestamp()))
    signature = channels.sign(body, stamp, SECRET)
    assert channels.verify(body, stamp, signature, SECRET)
    assert not channels.verify(body + b" ", stamp, signature, SECRET)
    assert not channels.verify(body, stamp, signature, b"other")
    old = str(int(stamp) - 3600)
    assert not channels.verify(body, old, channels.sign(body, old, SECRET), SECRET)


def test_webhook_server_error_is_retryable(receiver: tuple[str, Received]) -> None:
    """A 503 is a transient failure: the outbox retries it."""
    url, received = receiver
    received.status = 503
    with pytest.raises(DeliveryError, match="webhook answered 503") as info:
        WebhookChannel(url, SECRET).send(_envelope())
    assert info.value.permanent is False


def test_webhook_client_error_is_permanent(receiver: tuple[str, Received]) -> None:
    """A 400 will not get better by retrying; a 429 will."""
    url, received = receiver
    received.status = 400
    with pytest.raises(DeliveryError) as info:
        WebhookChannel(url, SECRET).send(_envelope())
    assert info.value.permanent is True
    received.status = 429
    with pytest.raises(DeliveryError) as info:
        WebhookChannel(url, SECRET).send(_envelope())
    assert info.value.permanent is False


def test_webhook_unreachable_is_retryable() -> None:
    """Nobody listening is transient."""
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]
    with pytest.raises(DeliveryError, match="webhook unreachable") as info:
        WebhookChannel(f"http://127.0.0.1:{port}/", SECRET, timeout_s=2).send(_envelope())
    assert info.value.permanent is False


@dataclass
class Mailbox:
    """Mails the local SMTP server accepted: (envelope sender, recipients, raw message)."""

    mails: list[tuple[str, list[str], bytes]] = field(default_factory=list)


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    mailbox: Mailbox

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 localhost test SMTP")
        sender, recipients = "", []
        for raw in self.rfile:
            command = raw.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("HELO", "EHLO"):
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip(" <>")
                if address.startswith("refused"):
                    self.reply("550 no such user")
                    continue
                recipients.append(address)
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                for data in self.rfile:
                    if data == b".\r\n":
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self.mailbox.mails.append((sender, recipients, b"".join(lines)))
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    """A tiny SMTP server on 127.0.0.1 that keeps what it receives."""
    mailbox = Mailbox()
    handler = type("Handler", (SmtpHandler,), {"mailbox": mailbox})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], mailbox
    server.shutdown()
    server.server_close()


def _smtp_settings(port: int) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        notify_channel="email",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_sender="Purna <noreply@purna.example>",
        smtp_timeout_s=5,
    )


def test_smtp_sends_a_plain_text_mail(smtp_server: tuple[int, Mailbox]) -> None:
    """The mail reaches the server with sender, recipient, subject, body and a stable id."""
    port, mailbox = smtp_server
    channel = build_channel(_smtp_settings(port))
    assert isinstance(channel, SmtpChannel)
    channel.send(_envelope())
    ((sender, recipients, raw),) = mailbox.mails
    assert (sender, recipients) == ("noreply@purna.example", ["siti@example.id"])
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Subject"] == "Bagaimana kunjungan Budi?"
    assert mail["To"] == "Siti Rahayu <siti@example.id>"
    assert mail["X-Purna-Key"] == "visit:3:survey"
    assert mail["Message-ID"].endswith("@purna.example>")
    assert "purna-7" in mail["Message-ID"]
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert "https://purna.example/v1/surveys/abc" in body.get_content()


def test_smtp_refused_recipient_is_permanent(smtp_server: tuple[int, Mailbox]) -> None:
    """A recipient the server refuses is not retried."""
    port, mailbox = smtp_server
    with pytest.raises(DeliveryError, match="recipient refused") as info:
        SmtpChannel(_smtp_settings(port)).send(_envelope(recipient_email="refused@example.id"))
    assert info.value.permanent is True
    assert mailbox.mails == []


def test_smtp_without_an_address_is_permanent() -> None:
    """A customer without an e-mail address cannot be mailed, now or later."""
    with pytest.raises(DeliveryError, match="no e-mail address") as info:
        SmtpChannel(_smtp_settings(1)).send(_envelope(recipient_email=None))
    assert info.value.permanent is True


def test_smtp_server_down_is_retryable() -> None:
    """A refused connection is transient."""
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]
    with pytest.raises(DeliveryError, match="SMTP failed") as info:
        SmtpChannel(_smtp_settings(port)).send(_envelope())
    assert info.value.permanent is False


def test_build_channel_defaults_to_log_and_checks_webhook_settings() -> None:
    """Log is the default; a webhook needs a URL and a secret."""
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    assert isinstance(build_channel(base), LogChannel)
    with pytest.raises(ValueError, match="needs WEBHOOK_URL"):
        build_channel(base.model_copy(update={"notify_channel": "webhook"}))
    no_secret = base.model_copy(update={"notify_channel": "webhook", "webhook_url": "http://x"})
    with pytest.raises(ValueError, match="needs WEBHOOK_SECRET"):
        build_channel(no_secret)


def test_log_channel_logs_the_subject(caplog: pytest.LogCaptureFixture) -> None:
    """The offline channel writes one line per message."""
    with caplog.at_level("INFO", logger="purna.outbox"):
        LogChannel().send(_envelope())
    assert "visit:3:survey to siti@example.id: Bagaimana kunjungan Budi?" in caplog.text
