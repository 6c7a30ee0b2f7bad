from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs", "importers")
