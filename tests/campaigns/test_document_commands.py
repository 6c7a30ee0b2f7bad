import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.models import Campaign, Target

pytestmark = pytest.mark.django_db


def _write(path, data) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _load_json(path) -> dict:
    output = StringIO()
    call_command("load_campaign", path, "--json", stdout=output)
    return json.loads(output.getvalue())


def test_example_loads_exports_and_loads_back_as_the_same_document(
    chain, example_document, tmp_path
):
    result = _load_json(_write(tmp_path / "example.json", example_document))
    assert result == {
        "code": "WINONA-2022-D11",
        "name": "薇诺娜双十一预售",
        "targets": {"regions": 2, "stores": 3, "staff": 3},
        "total_region_target": "219200.00",
    }
    assert Target.objects.get(store__store_id=307).amount == Decimal("20000.00")

    first = tmp_path / "first.json"
    call_command("export_campaign", "WINONA-2022-D11", "--out", str(first))
    exported = json.loads(first.read_text(encoding="utf-8"))
    assert exported == example_document

    _load_json(str(first))
    second = tmp_path / "second.json"
    call_command("export_campaign", "WINONA-2022-D11", "--out", str(second))
    assert json.loads(second.read_text(encoding="utf-8")) == exported
    assert Campaign.objects.count() == 1


def test_export_writes_script_and_hand_split_targets_but_not_computed_ones(
    campaign, chain, tmp_path
):
    from campaigns.services import target_split_evenly

    campaign.script = {"greeting": "您好"}
    campaign.save()
    store_target = Target.objects.get(campaign=campaign, store__store_id=307)
    target_split_evenly(parent=store_target)
    out = tmp_path / "out.json"
    call_command("export_campaign", campaign.code, "--out", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["script"] == {"greeting": "您好"}
    assert exported["targets"] == {
        "regions": {"北门片": "1000.00", "西门一片": "500.00"},
        "staff": {"S30701": "0.00", "S30702": "0.00", "S30703": "0.00"},
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda doc: doc["rules"].append({"kind": "lottery", "rate": "0.1"}),
            "规则 #9 (lottery): 未知的规则类型",
        ),
        (
            lambda doc: doc["rules"][1].pop("threshold"),
            "规则 #2 (shortfall_fund) 字段 threshold: 缺少该字段",
        ),
        (
            lambda doc: doc["rules"][3]["tiers"][1].__setitem__(1, "三十"),
            "规则 #4 (receipt_tier) 字段 tiers[1][1]: '三十' 不是有效的数字",
        ),
        (
            lambda doc: doc.__setitem__("per_member_target", "200,00"),
            "per_member_target: '200,00' 不是有效的数字",
        ),
        (
            lambda doc: doc["targets"]["regions"].__setitem__("南门片", "1000.00"),
            "targets.regions.南门片: 系统中没有这个片区",
        ),
    ],
    ids=["unknown-rule-kind", "missing-parameter", "malformed-amount", "malformed-money", "region"],
)
def test_invalid_documents_are_refused_naming_rule_and_field(
    chain, example_document, tmp_path, capsys, change, message
):
    change(example_document)
    path = _write(tmp_path / "bad.json", example_document)
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_campaign", path, "--json")
    assert exit_info.value.code == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error.startswith(message), error
    with pytest.raises(CommandError) as refusal:
        call_command("load_campaign", path)
    assert str(refusal.value).startswith(message)
    assert not Campaign.objects.exists()
    assert not Target.objects.exists()


def test_refused_document_leaves_the_existing_campaign_as_it_was(
    campaign, example_document, tmp_path
):
    example_document["name"] = "改过的名字"
    example_document["rules"].append({"kind": "lottery"})
    with pytest.raises(CommandError):
        call_command("load_campaign", _write(tmp_path / "bad.json", example_document))
    campaign.refresh_from_db()
    assert campaign.name == "薇诺娜双十一预售"
    assert campaign.targets.count() == 8


def test_unreadable_file_is_refused(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("load_campaign", str(path), "--json")
    assert "无法读取活动文件" in json.loads(capsys.readouterr().out)["error"]
