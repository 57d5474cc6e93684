"""E-mail to the contact (optional): plain-text messages through the SMTP server in settings."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage

# Well under the outbox lease, like the Slack client's timeout.
SMTP_TIMEOUT = 20


@dataclass(frozen=True)
class Mailer:
    """Sends one message per call; the password is revealed only to the SMTP login."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a log line
    starttls: bool = True

    def send(self, to: str, subject: str, body: str) -> None:
        """Send ``body`` to ``to``; SMTP and network errors propagate (the outbox retries)."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
