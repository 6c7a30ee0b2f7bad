from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = "奖励结算"

    def ready(self) -> None:
        from reports.assessment import cost_source_register

        # The rule kinds register their parameters with the campaign document.
        from rewards import rules  # noqa: F401
        from rewards.selectors import rewards_paid

        # The campaign assessment counts the rewards paid in its input.
        cost_source_register("rewards", "奖励", rewards_paid)
