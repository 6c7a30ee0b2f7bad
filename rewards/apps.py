from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = "奖励结算"

    def ready(self) -> None:
        # The rule kinds register their parameters with the campaign document.
        from rewards import rules  # noqa: F401
