from django.apps import AppConfig


class CasepilotConfig(AppConfig):
    name = "casepilot"
