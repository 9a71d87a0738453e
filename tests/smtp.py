"""A real SMTP server for tests: aiosmtpd on a free port of 127.0.0.1, keeping what it receives."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

REFUSED = "refused@"  # recipients whose address starts so are refused, as by a real server


@dataclass
class Inbox:
    """The server's URL and each message received, parsed."""

    url: str
    messages: list[EmailMessage] = field(default_factory=list)

    def wait(self, count: int = 1, seconds: float = 10) -> list[EmailMessage]:
        """Wait until *count* messages have arrived (some are sent in the background); return them."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} messages arrived"
        return self.messages


class Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith(REFUSED):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.inbox.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """Run an SMTP server in this process for the block; yield its inbox."""
    port = free_port()
    inbox = Inbox(f"smtp://127.0.0.1:{port}")
    controller = Controller(Handler(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of a message."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None, "the message lacks a text or an HTML part"
    return text.get_content(), html.get_content()
