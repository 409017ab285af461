from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class KamailioConfig(AppConfig):
    name = "pbx.kamailio"
    label = "kamailio"
    verbose_name = _("SIP registrar (Kamailio)")

    def ready(self) -> None:
        from pbx.kamailio import schema

        # The subscriber view pins the columns it reads (PostgreSQL refuses to alter them, SQLite cannot rebuild the
        # table under it), so it is dropped before every migrate run and created again afterwards.
        pre_migrate.connect(schema.drop_views, sender=self, dispatch_uid="kamailio-drop-views")
        post_migrate.connect(schema.create_views, sender=self, dispatch_uid="kamailio-create-views")
