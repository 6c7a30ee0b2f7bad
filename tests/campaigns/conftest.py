import copy
import json
from pathlib import Path

import pytest

from campaigns.services import campaign_load
from stores.models import Role
from tests.factories import RegionFactory, StaffFactory, StoreFactory, region_lead_of

# The example document of formats.md ("Campaign document (JSON)"), copied as it is.
EXAMPLE = json.loads((Path(__file__).parent / "winona_2022.json").read_text(encoding="utf-8"))


@pytest.fixture
def example_document() -> dict:
    return copy.deepcopy(EXAMPLE)


@pytest.fixture
def chain():
    """The holders the example names (region 北门片, store 307) and a second region."""
    north, west = RegionFactory(name="北门片"), RegionFactory(name="西门一片")
    stores = {
        307: StoreFactory(store_id=307, region=north, name="驷马桥店"),
        308: StoreFactory(store_id=308, region=north, name="荷花池店"),
        512: StoreFactory(store_id=512, region=west, name="青羊宫店"),
    }
    manager = StaffFactory(store=stores[307], role=Role.STORE_MANAGER, staff_no="S30701")
    clerks = [StaffFactory(store=stores[307], staff_no=f"S3070{n}") for n in (2, 3)]
    return {
        "north": north,
        "west": west,
        "stores": stores,
        "manager": manager,
        "clerks": clerks,
        "north_lead": region_lead_of(north, staff_no="P01"),
        "west_lead": region_lead_of(west, staff_no="P02"),
        "operations": StaffFactory(role=Role.OPERATIONS, store=None, staff_no="YY001"),
    }


@pytest.fixture
def campaign(chain, example_document):
    """The example campaign with 北门片's target set to ¥1,000 and 西门一片's to ¥500."""
    example_document["targets"] = {"regions": {"北门片": "1000.00", "西门一片": "500.00"}}
    return campaign_load(example_document)
