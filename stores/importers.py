"""The org roster (门店与员工): regions, stores, staff and their logins, one row per person.

A roster has thousands of rows, not millions, so its rows are held in memory and written
through the ORM in bulk, with the same counts and checks as every other kind.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from common.importing import Counts, Field, ImportKind, Issue, RowError, import_kind
from common.sheets import CellError, read_int, read_phone, read_text
from stores.models import CHAIN_ROLES, STORE_ROLES, Region, Role, Staff, Store
from stores.services import NewStaff, staff_create_many

ROLE_BY_LABEL = {role.label: role for role in Role if role != Role.ADMIN}


def read_role(value) -> str | None:
    label = read_text(value)
    if label is None:
        return None
    if label not in ROLE_BY_LABEL:
        raise CellError(f"'{label}' 不是有效的岗位（可选：{'、'.join(ROLE_BY_LABEL)}）")
    return ROLE_BY_LABEL[label]


@dataclass(frozen=True)
class RosterRow:
    staff_no: str
    name: str
    role: str
    phone: str
    region: str
    store_id: int | None
    store_name: str
    public_phone: str
    mailbox: str

    @property
    def store_facts(self) -> tuple:
        return (self.region, self.store_name, self.public_phone, self.mailbox)


class RosterWriter:
    """Holds the roster's rows and writes regions, stores, users and staff in bulk."""

    columns = ("staff_no", "row")
    key = ("staff_no",)

    def __init__(self):
        self.rows: dict[int, RosterRow] = {}

    @property
    def staged(self) -> int:
        return len(self.rows)

    def open(self) -> None:
        self.rows.clear()

    close = open

    def add(self, row_number: int, values) -> None:
        self.rows[row_number] = values[1]

    def flush(self) -> None:
        """Rows are already where they are written from."""

    def drop_rows(self, row_numbers) -> None:
        for number in set(row_numbers):
            self.rows.pop(number, None)

    def _existing_staff(self) -> dict[str, Staff]:
        numbers = [row.staff_no for row in self.rows.values()]
        return {
            staff.staff_no: staff
            for staff in Staff.objects.select_related("store__region")
            .prefetch_related("led_regions")
            .filter(staff_no__in=numbers)
        }

    def _existing_stores(self) -> dict[int, Store]:
        ids = {row.store_id for row in self.rows.values() if row.store_id}
        return {
            s.store_id: s for s in Store.objects.select_related("region").filter(store_id__in=ids)
        }

    @staticmethod
    def _store_changed(store: Store | None, row: RosterRow) -> bool:
        if row.store_id is None:
            return False
        if store is None:
            return True
        return (store.region.name, store.name, store.public_phone, store.mailbox) != row.store_facts

    @staticmethod
    def _staff_changed(staff: Staff, row: RosterRow) -> bool:
        led = {region.name for region in staff.led_regions.all()}
        return (
            (staff.name, staff.role, staff.phone, staff.store.store_id if staff.store else None)
            != (row.name, row.role, row.phone, row.store_id)
            or not staff.active
            or (row.role == Role.REGION_LEAD and row.region not in led)
        )

    def count(self) -> Counts:
        staff_by_no, stores = self._existing_staff(), self._existing_stores()
        counts = Counts()
        for row in self.rows.values():
            staff = staff_by_no.get(row.staff_no)
            if staff is None:
                counts.created += 1
            elif self._staff_changed(staff, row) or self._store_changed(
                stores.get(row.store_id), row
            ):
                counts.updated += 1
            else:
                counts.unchanged += 1
        return counts

    def write(self) -> None:
        rows = list(self.rows.values())
        regions = self._write_regions(rows)
        stores = self._write_stores(rows, regions)
        self._write_staff(rows, stores, regions)

    def _write_regions(self, rows: list[RosterRow]) -> dict[str, Region]:
        names = {row.region for row in rows if row.region}
        existing = set(Region.objects.filter(name__in=names).values_list("name", flat=True))
        Region.objects.bulk_create([Region(name=name) for name in sorted(names - existing)])
        return {region.name: region for region in Region.objects.filter(name__in=names)}

    def _write_stores(self, rows: list[RosterRow], regions: dict[str, Region]) -> dict[int, Store]:
        existing = self._existing_stores()
        facts = {row.store_id: row for row in rows if row.store_id}
        new, changed = [], []
        for store_id, row in facts.items():
            store = existing.get(store_id)
            if store is None:
                new.append(
                    Store(
                        store_id=store_id,
                        name=row.store_name,
                        region=regions[row.region],
                        public_phone=row.public_phone,
                        mailbox=row.mailbox,
                    )
                )
            elif self._store_changed(store, row):
                store.name, store.region = row.store_name, regions[row.region]
                store.updated_at = timezone.now()
                store.public_phone, store.mailbox, store.active = (
                    row.public_phone,
                    row.mailbox,
                    True,
                )
                changed.append(store)
        # A store that gives its public phone to another first frees it, so the unique
        # constraint holds at every step of the update.
        Store.objects.filter(pk__in=[s.pk for s in changed]).update(public_phone="")
        Store.objects.bulk_update(
            changed, ["name", "region", "public_phone", "mailbox", "active", "updated_at"]
        )
        Store.objects.bulk_create(new)
        return {s.store_id: s for s in Store.objects.filter(store_id__in=facts)}

    def _write_staff(
        self, rows: list[RosterRow], stores: dict[int, Store], regions: dict[str, Region]
    ) -> None:
        existing = self._existing_staff()
        # New logins get no usable password: operations set one in the admin.
        staff_create_many(
            people=[
                NewStaff(row.staff_no, row.name, row.role, row.phone, stores.get(row.store_id))
                for row in rows
                if row.staff_no not in existing
            ],
            password_hash=make_password(None),
        )
        changed = []
        for row in rows:
            staff = existing.get(row.staff_no)
            if staff is not None and self._staff_changed(staff, row):
                staff.name, staff.role, staff.phone = row.name, row.role, row.phone
                staff.store, staff.active = stores.get(row.store_id), True
                staff.updated_at = timezone.now()
                changed.append(staff)
        Staff.objects.bulk_update(
            changed, ["name", "role", "phone", "store", "active", "updated_at"]
        )
        leads = {row.region: row.staff_no for row in rows if row.role == Role.REGION_LEAD}
        lead_staff = {s.staff_no: s for s in Staff.objects.filter(staff_no__in=leads.values())}
        for region_name, staff_no in leads.items():
            Region.objects.filter(pk=regions[region_name].pk).update(lead=lead_staff[staff_no])


@import_kind
class OrgRosterKind(ImportKind):
    code = "org"
    label = "门店与员工名单"
    fields = (
        Field("region", ("片区",), blank=True),
        Field("store_id", ("门店ID",), read_int, blank=True),
        Field("store_name", ("门店名称",), blank=True),
        Field("public_phone", ("公共手机号", "公共手机"), read_phone, required=False, blank=True),
        Field("mailbox", ("门店邮箱", "邮箱"), required=False, blank=True),
        Field("staff_no", ("员工销售ID",)),
        Field("name", ("员工姓名",)),
        Field("role", ("岗位",), read_role),
        Field("phone", ("员工手机号",), read_phone, required=False, blank=True),
    )

    def make_writer(self) -> RosterWriter:
        return RosterWriter()

    def stage_values(self, values, row_number):
        role = values["role"]
        if role in STORE_ROLES:
            for name, label in (
                ("region", "片区"),
                ("store_id", "门店ID"),
                ("store_name", "门店名称"),
            ):
                if values[name] in (None, ""):
                    raise RowError(name, f"{Role(role).label}必须填写{label}")
        if role == Role.REGION_LEAD and not values["region"]:
            raise RowError("region", "片长必须填写片区")
        at_store = role in STORE_ROLES
        row = RosterRow(
            staff_no=values["staff_no"],
            name=values["name"],
            role=role,
            phone=values["phone"] or "",
            region="" if role in CHAIN_ROLES else values["region"],
            store_id=values["store_id"] if at_store else None,
            store_name=values["store_name"] if at_store else "",
            public_phone=(values["public_phone"] or "") if at_store else "",
            mailbox=(values["mailbox"] or "") if at_store else "",
        )
        return (row.staff_no, row)

    def staged_issues(self, writer: RosterWriter) -> list[Issue]:
        """A store must be described the same way on every row, its public phone must not
        belong to another store, and a region has one lead."""
        issues = []
        first_row_of_store: dict[int, tuple[int, RosterRow]] = {}
        store_by_phone: dict[str, int] = {}
        lead_of_region: dict[str, int] = {}
        for number, row in sorted(writer.rows.items()):
            if row.role == Role.REGION_LEAD:
                first = lead_of_region.setdefault(row.region, number)
                if first != number:
                    issues.append(Issue(number, "片区", f"{row.region} 已在第 {first} 行指定片长"))
            if row.store_id is None:
                continue
            first_number, first = first_row_of_store.setdefault(row.store_id, (number, row))
            if first.store_facts != row.store_facts:
                issues.append(
                    Issue(
                        number,
                        "门店ID",
                        f"门店 {row.store_id} 的片区、名称、公共手机或邮箱"
                        f"与第 {first_number} 行不一致",
                    )
                )
            if row.public_phone:
                owner = store_by_phone.setdefault(row.public_phone, row.store_id)
                if owner != row.store_id:
                    issues.append(
                        Issue(
                            number,
                            "公共手机号",
                            f"公共手机 {row.public_phone} 同时填给了门店 {owner}",
                        )
                    )
        in_file = {row.store_id for row in writer.rows.values() if row.store_id}
        taken = dict(
            Store.objects.filter(public_phone__in=store_by_phone)
            .exclude(store_id__in=in_file)
            .values_list("public_phone", "store_id")
        )
        for number, row in sorted(writer.rows.items()):
            if row.public_phone in taken:
                issues.append(
                    Issue(
                        number,
                        "公共手机号",
                        f"公共手机 {row.public_phone} 已绑定门店 {taken[row.public_phone]}",
                    )
                )
        return issues
