"""The handbook's coupon types (rules.md §8) as starting data; marketing edits them in the
admin. The handbook gives issue tiers (30 → 10, 50 → 20, 100 → 50) and redeem rules
(38 → 5, 68 → 10) without pairing them, so each conditional type is issued from the
lowest tier that covers its face value."""

from decimal import Decimal

from django.db import migrations

CONDITIONAL = [("conditional-38-5", "满38抵5", "5", "30", "38"), ("conditional-68-10", "满68抵10", "10", "50", "68")]
FULL_VALUE_FACES = ["2", "3", "5", "10"]


def create_types(apps, schema_editor):
    CouponType = apps.get_model("coupons", "CouponType")
    for code, name, face, issue, redeem in CONDITIONAL:
        CouponType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": "conditional",
                "face_value": Decimal(face),
                "issue_threshold": Decimal(issue),
                "redeem_threshold": Decimal(redeem),
            },
        )
    for face in FULL_VALUE_FACES:
        CouponType.objects.get_or_create(
            code=f"full-value-{face}",
            defaults={
                "name": f"全额抵扣券{face}元",
                "kind": "full_value",
                "face_value": Decimal(face),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("coupons", "0001_initial")]

    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
