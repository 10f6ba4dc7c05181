"""Outgoing email. Without SMTP settings nothing is sent and the log says only that an email
(its subject, to whom) could not go out — never its body: reset and invite links carry live
tokens, and logs are copied, shipped and read by more people than an account's owner. Those
links reach people through the dashboard instead (invite dialog, Team → reset link)."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage

from app.settings import Settings

log = logging.getLogger("aimywhatsapp.mail")


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self._s = settings
        self.outbox: list[EmailMessage] = []  # what was sent, newest last (bounded)

    @property
    def configured(self) -> bool:
        """True when emails really go out (SMTP is set)."""
        return bool(self._s.smtp_host)

    async def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"] = self._s.email_from
        msg["To"] = to
        msg["Subject"] = subject
        msg.set_content(body)
        self.outbox = [*self.outbox[-49:], msg]
        if not self._s.smtp_host:
            log.warning("SMTP is not configured: the email %r to %s was not sent", subject, to)
            return
        await asyncio.to_thread(self._send_smtp, msg)

    def _send_smtp(self, msg: EmailMessage) -> None:
        smtp_class = smtplib.SMTP_SSL if self._s.smtp_port == 465 else smtplib.SMTP
        with smtp_class(self._s.smtp_host or "", self._s.smtp_port, timeout=20) as smtp:
            if self._s.smtp_starttls and smtp_class is smtplib.SMTP:
                smtp.starttls()
            if self._s.smtp_user:
                smtp.login(self._s.smtp_user, self._s.smtp_pass or "")
            smtp.send_message(msg)
