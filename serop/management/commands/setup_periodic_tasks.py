import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask


class Command(BaseCommand):
    help = (
        "Install the scheduled jobs of settings.SEROP_PERIODIC_TASKS into django-celery-beat's "
        "database scheduler. Creates missing jobs; leaves jobs whose schedule staff edited in "
        "the admin as they are, unless --reset. Deletes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put every job's schedule back to the default from settings.",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        for name, spec in settings.SEROP_PERIODIC_TASKS.items():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                timezone=settings.TIME_ZONE,
                **{
                    "minute": "0",
                    "hour": "*",
                    "day_of_week": "*",
                    "day_of_month": "*",
                    "month_of_year": "*",
                    **spec["crontab"],
                },
            )
            task = PeriodicTask.objects.filter(name=name).first()
            if task is None:
                PeriodicTask.objects.create(
                    name=name,
                    task=spec["task"],
                    crontab=crontab,
                    kwargs=json.dumps(spec.get("kwargs", {})),
                    description=spec.get("description", ""),
                )
                self.stdout.write(f"created {name}")
            elif options["reset"]:
                task.task, task.crontab = spec["task"], crontab
                task.interval = task.solar = task.clocked = None
                task.kwargs = json.dumps(spec.get("kwargs", {}))
                task.save()
                self.stdout.write(f"reset {name}")
            elif task.task != spec["task"]:
                task.task = spec["task"]
                task.save(update_fields=["task"])
                self.stdout.write(f"updated the task of {name}")
            else:
                self.stdout.write(f"kept {name}")
