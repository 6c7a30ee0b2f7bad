from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission

from stores.models import Role, Staff, Store, User


@dataclass(frozen=True)
class NewStaff:
    staff_no: str
    name: str
    role: str
    phone: str
    store: Store | None


def operations_group() -> Group:
    """营运部 manage the organisation in the admin site."""
    group, created = Group.objects.get_or_create(name=Role.OPERATIONS.label)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="stores"))
    return group


def staff_create_many(*, people: Sequence[NewStaff], password_hash: str) -> list[Staff]:
    """Logins (username = 员工销售ID) and staff records for people new to the system, in
    bulk; operations staff also get the admin site."""
    numbers = [person.staff_no for person in people]
    taken = set(User.objects.filter(username__in=numbers).values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(
                username=person.staff_no,
                password=password_hash,
                is_staff=person.role == Role.OPERATIONS,
            )
            for person in people
            if person.staff_no not in taken
        ]
    )
    users = {user.username: user for user in User.objects.filter(username__in=numbers)}
    staff = Staff.objects.bulk_create(
        [
            Staff(
                user=users[person.staff_no],
                staff_no=person.staff_no,
                name=person.name,
                role=person.role,
                phone=person.phone,
                store=person.store,
            )
            for person in people
        ]
    )
    operations = [users[p.staff_no] for p in people if p.role == Role.OPERATIONS]
    if operations:
        operations_group().user_set.add(*operations)
    return staff
