"""An email backend standing in for an SMTP server that fails once per listed address (the
only thing outside the system these tests replace)."""

from django.core.mail.backends.locmem import EmailBackend


class FailOnceBackend(EmailBackend):
    fail_for: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if address in self.fail_for:
                    self.fail_for.discard(address)
                    raise ConnectionResetError(f"SMTP connection lost sending to {address}")
        return super().send_messages(messages)
