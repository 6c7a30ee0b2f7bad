import threading

import pytest
from django.db import connection

from callbacks.models import CallbackAttempt, CallbackTask, Channel, Outcome
from callbacks.services import attempt_log, phone_reveal
from common.errors import Conflict
from common.models import AuditEntry
from tests.callbacks.factories import CallbackTaskFactory
from tests.factories import StaffFactory


@pytest.fixture
def task_and_clerk(db):
    task = CallbackTaskFactory()
    return task, StaffFactory(store=task.store)


def test_a_member_contacted_only_by_messages_is_not_done(task_and_clerk):
    task, clerk = task_and_clerk
    attempt_log(task=task, staff=clerk, channel=Channel.SMS, outcome=Outcome.SENT)
    attempt_log(task=task, staff=clerk, channel=Channel.WECHAT, outcome=Outcome.SENT)

    task.refresh_from_db()
    assert task.status == CallbackTask.Status.OPEN
    assert task.phone_attempts == 0
    assert task.done_at is None


def test_the_fourth_no_answer_is_refused_at_the_limit_of_three(task_and_clerk):
    task, clerk = task_and_clerk
    assert task.campaign.max_phone_attempts == 3
    for _ in range(3):
        attempt_log(task=task, staff=clerk, channel=Channel.PHONE, outcome=Outcome.NO_ANSWER)

    with pytest.raises(Conflict, match="已电话回访 3 次"):
        attempt_log(task=task, staff=clerk, channel=Channel.PHONE, outcome=Outcome.NO_ANSWER)
    task.refresh_from_db()
    assert task.status == CallbackTask.Status.GIVEN_UP
    assert task.phone_attempts == 3
    assert task.attempts.count() == 3


def test_every_reveal_is_in_the_audit_log_with_user_and_time(task_and_clerk):
    task, clerk = task_and_clerk
    assert phone_reveal(task=task, user=clerk.user) == task.phone
    phone_reveal(task=task, user=clerk.user)

    entries = AuditEntry.objects.filter(action="phone.reveal", target_id=str(task.pk))
    assert entries.count() == 2
    assert all(entry.user == clerk.user and entry.at is not None for entry in entries)


@pytest.mark.postgres
def test_two_staff_logging_the_same_task_at_once_leave_one_attempt_each(transactional_db):
    task = CallbackTaskFactory()
    colleagues = [StaffFactory(store=task.store), StaffFactory(store=task.store)]
    barrier = threading.Barrier(len(colleagues))
    errors: list[BaseException] = []

    outcomes = {colleagues[0]: Outcome.REACHED, colleagues[1]: Outcome.NO_ANSWER}

    def call(staff):
        try:
            barrier.wait(timeout=10)
            attempt_log(task=task, staff=staff, channel=Channel.PHONE, outcome=outcomes[staff])
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(staff,)) for staff in colleagues]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    attempts = CallbackAttempt.objects.filter(task=task)
    assert sorted(attempts.values_list("staff_id", flat=True)) == sorted(s.pk for s in colleagues)
    task.refresh_from_db()
    assert task.phone_attempts == attempts.filter(channel=Channel.PHONE).count() == 2
    # Whichever came first, the connected call closes the task and names its caller.
    assert task.status == CallbackTask.Status.DONE
    assert task.done_by == colleagues[0]
