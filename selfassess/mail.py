"""E-mail through an SMTP server named by one URL (``SELFASSESS_SMTP_URL``), with the standard library."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

SETTING = "SELFASSESS_SMTP_URL"
TIMEOUT_SECONDS = 30
EXAMPLES = "smtp://user:password@mail.example.org:587?starttls=1, smtps://user:password@mail.example.org or smtp://127.0.0.1:25"


class MailSettingError(ValueError):
    """The SMTP URL cannot be used; the message names the setting and how to write it."""


@dataclass(frozen=True)
class Server:
    """Where and how to hand mail over."""

    host: str
    port: int
    tls: bool = False  # smtps: TLS from the first byte
    starttls: bool = False
    user: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class Mail:
    """One message to one recipient: plain text, with an HTML alternative."""

    to: str
    subject: str
    text: str
    html: str


def parse_url(url: str) -> Server:
    """Read an ``smtp://`` or ``smtps://`` URL; raise :class:`MailSettingError` saying what is wrong."""

    def wrong(why: str) -> MailSettingError:
        # The password stays out of the message: it may end up in a log.
        shown = url.split("@")[-1] if "@" in url else url
        return MailSettingError(f"{SETTING} is '…{shown}', which {why}; write it like {EXAMPLES}")

    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise wrong("does not start with smtp:// or smtps://")
    if not parts.hostname:
        raise wrong("names no mail server")
    try:
        port = parts.port
    except ValueError:
        raise wrong("has a port that is not a number from 1 to 65535") from None
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls"}
    if unknown:
        raise wrong(f"has options this app does not know ({', '.join(sorted(unknown))}; it knows starttls)")
    starttls = query.get("starttls", "0") in ("1", "true", "yes", "on")
    if starttls and parts.scheme == "smtps":
        raise wrong("asks for both smtps and starttls; choose one")
    tls = parts.scheme == "smtps"
    return Server(
        host=parts.hostname,
        port=port or (465 if tls else 587 if starttls else 25),
        tls=tls,
        starttls=starttls,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def message(mail: Mail, sender: str) -> EmailMessage:
    """Build the message: plain text first, the HTML alternative after it."""
    built = EmailMessage()
    built["From"] = sender
    built["To"] = mail.to
    built["Subject"] = mail.subject
    built["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    built.set_content(mail.text)
    built.add_alternative(mail.html, subtype="html")
    return built


def _connect(server: Server) -> smtplib.SMTP:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.tls:
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
        if server.starttls:
            smtp.starttls(context=context)
    if server.user:
        smtp.login(server.user, server.password or "")
    return smtp


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


@dataclass
class Delivery:
    """What became of a batch: sent, refused by the server (with its reply), and why the rest were not sent."""

    sent: list[Mail] = field(default_factory=list)
    refused: list[tuple[Mail, str]] = field(default_factory=list)
    unsent: list[Mail] = field(default_factory=list)
    error: str | None = None


def send(server: Server, sender: str, mails: Sequence[Mail]) -> Delivery:
    """Send each mail, to its one recipient, over one connection; never raise for the server's sake."""
    done = Delivery()
    try:
        with _connect(server) as smtp:
            for mail in mails:
                try:
                    smtp.send_message(message(mail, sender))
                    done.sent.append(mail)
                except smtplib.SMTPRecipientsRefused as exc:
                    code, reply = next(iter(exc.recipients.values()))
                    done.refused.append((mail, f"{code} {_text(reply)}"))
                except smtplib.SMTPDataError as exc:
                    done.refused.append((mail, f"{exc.smtp_code} {_text(exc.smtp_error)}"))
    except (OSError, smtplib.SMTPException) as exc:
        done.error = f"the mail server {server.host}:{server.port} could not be used: {exc}"
        handled = {id(m) for m in done.sent} | {id(m) for m, _ in done.refused}
        done.unsent = [m for m in mails if id(m) not in handled]
    return done
