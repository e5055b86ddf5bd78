from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "codes"
    verbose_name = "Code sets"

    def ready(self) -> None:
        # Editors' changes in the admin show at once on cached pages (imports bump in register_release).
        from django.db.models.signals import post_delete, post_save

        from accounts import privacy

        from . import pagecache, personal
        from .claims import saved
        from .models import Code, PlainDescription

        # favourites, notes, code views; saved claims
        privacy.register("codes", export=lambda user: {**personal.export(user), **saved.export(user)})

        for model in (Code, PlainDescription):
            post_save.connect(pagecache.changed, sender=model, dispatch_uid=f"pagecache-{model.__name__}-save")
            post_delete.connect(pagecache.changed, sender=model, dispatch_uid=f"pagecache-{model.__name__}-delete")
