from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from privacy.roles import Role


class Command(BaseCommand):
    help = "Print the address of the running system and the demo logins (make run). Reads only."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--password", default="serop-demo-2026")

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        broker = "Redis" if settings.REDIS_URL else "filesystem (no server)"
        lines = [
            "",
            "SEROP is starting",
            f"  Admin:     http://{options['addr']}/admin/",
            f"  Database:  {db}    Broker: {broker}",
            "  Demo logins (password for all: " + options["password"] + "):",
            *[f"    {role.value:<16} {role.label}" for role in Role],
            "  Stop with Ctrl-C (stops the web app, the worker and beat).",
            "",
        ]
        self.stdout.write("\n".join(lines))
