from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents")

    def ready(self) -> None:
        from .models import ConsentText
        from .texts import invalidate_after_migrate, invalidate_on_change

        # The cached texts (consents/texts.py) go stale when a text changes or a migration ran.
        post_save.connect(invalidate_on_change, sender=ConsentText, dispatch_uid="texts-save")
        post_delete.connect(invalidate_on_change, sender=ConsentText, dispatch_uid="texts-del")
        post_migrate.connect(invalidate_after_migrate, sender=self, dispatch_uid="texts-migr")
