from collections.abc import Iterator
from pathlib import Path

from common.jobs import Progress
from common.phones import mask_phone
from common.spreadsheets import Column, Sheet, write_xlsx
from stores.access import staff_visible
from stores.models import Role, Staff

ROSTER_COLUMNS = [
    Column("片区", width=12),
    Column("门店ID", kind="int", width=8),
    Column("门店名称", width=18),
    Column("公共手机号", width=14),
    Column("门店邮箱", width=26),
    Column("员工销售ID", width=12),
    Column("员工姓名", width=10),
    Column("岗位", width=8),
    Column("员工手机号", width=14),
]


def _roster_row(member: Staff) -> tuple:
    store = member.store
    if store is None:
        led = member.led_regions.all()
        region = led[0].name if led else ""
        store_columns = (None, "", "", "")
    else:
        region = store.region.name
        store_columns = (store.store_id, store.name, store.public_phone, store.mailbox)
    return (
        region,
        *store_columns,
        member.staff_no,
        member.name,
        Role(member.role).label,
        mask_phone(member.phone),
    )


def roster_rows(user, progress: Progress) -> Iterator[tuple]:
    """The org roster as operations import it, one row per active staff member. Staff
    phones are masked, since the file leaves the system."""
    staff = (
        staff_visible(user)
        .filter(active=True)
        .select_related("store__region")
        .prefetch_related("led_regions")
        .order_by("store__store_id", "staff_no")
    )
    total = staff.count()
    for done, member in enumerate(staff.iterator(chunk_size=2000), start=1):
        yield _roster_row(member)
        progress(done, total)


def roster_write(user, path: Path, progress: Progress) -> None:
    write_xlsx(path, [Sheet("门店与员工", ROSTER_COLUMNS, roster_rows(user, progress))])
