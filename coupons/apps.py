from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "coupons"
    verbose_name = "抵扣券与赠品"

    def ready(self) -> None:
        from coupons.selectors import gifts_handed_out
        from reports.assessment import cost_source_register

        # The campaign assessment counts the gifts handed out in its input.
        cost_source_register("gifts", "赠品", gifts_handed_out)
