from django.apps import AppConfig


class PresaleConfig(AppConfig):
    name = "presale"
    verbose_name = "预售"
