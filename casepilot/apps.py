from django.apps import AppConfig


class CasepilotConfig(AppConfig):
    name = "casepilot"

    def ready(self) -> None:
        # Models load only once apps are ready: these modules import them.
        from accounts import privacy
        from codes import page_boxes, search_boxes

        from . import privacy as casepilot_privacy
        from .views import guides_box

        privacy.register("casepilot", export=casepilot_privacy.export, erase=casepilot_privacy.erase)
        search_boxes.register("guides", find=guides_box, template="casepilot/_search_guides.html")
        page_boxes.register("casepilot", template="casepilot/_ask_about_code.html")
