import pytest
from django.urls import reverse

from common.errors import ServiceError
from common.jobs import JobOutcome, job_handler, job_run
from common.models import Job
from stores.models import Role
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@job_handler("tests.refuses")
def refuses(job, progress):
    raise ServiceError("第 3 行 手机号: '1380013800' 不是有效的手机号")


@job_handler("tests.crashes")
def crashes(job, progress):
    raise RuntimeError("boom")


@job_handler("tests.counts")
def counts(job, progress):
    for done in range(1, 101):
        progress(done, 100)
    return JobOutcome(result={"rows": 100})


def test_a_refused_job_fails_with_the_message_a_person_can_act_on():
    job = job_run(Job.objects.create(kind="tests.refuses").pk)
    assert job.status == Job.Status.FAILED
    assert job.message == "第 3 行 手机号: '1380013800' 不是有效的手机号"


def test_a_crashed_job_fails_without_leaking_internals():
    job = job_run(Job.objects.create(kind="tests.crashes").pk)
    assert job.status == Job.Status.FAILED
    assert "boom" not in job.message
    assert "联系管理员" in job.message


def test_a_job_runs_once_even_if_delivered_twice():
    job = job_run(Job.objects.create(kind="tests.counts").pk)
    finished_at = job.finished_at
    again = job_run(job.pk)
    assert again.status == Job.Status.SUCCEEDED
    assert again.finished_at == finished_at
    assert again.result == {"rows": 100}
    assert again.percent == 100


def test_only_the_starter_sees_a_job(client):
    owner = StaffFactory(role=Role.OPERATIONS, store=None)
    job = Job.objects.create(kind="tests.counts", created_by=owner.user)
    client.force_login(UserFactory())
    assert client.get(reverse("job-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("job-download", args=[job.pk])).status_code == 404
    client.force_login(owner.user)
    page = client.get(reverse("job-detail", args=[job.pk]))
    assert "排队中" in page.content.decode()
    assert 'hx-trigger="every 1s"' in page.content.decode()


def test_roster_export_needs_a_role(client):
    client.force_login(UserFactory())
    assert client.post(reverse("roster-export")).status_code == 403
    assert not Job.objects.exists()
