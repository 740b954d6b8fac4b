"""An export left "running" by a worker that died is written again by the task's next attempt."""

from unittest import mock

import pytest

from reports import services
from reports.models import ExportJob

pytestmark = pytest.mark.django_db


def test_an_export_left_running_is_run_again_only_when_the_task_resumes(world, settings, tmp_path):
    settings.PORTAL_PRIVATE_MEDIA_ROOT = str(tmp_path)
    job = services.export_job_create(
        actor=world["admin"], table="assignments", fmt="csv", cycle="FY2026", unit_ids=None, scope={}
    )
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)  # its worker was killed

    assert services.export_job_run(job_id=job.pk).status == ExportJob.Status.RUNNING  # a duplicate leaves it
    done = services.export_job_run(job_id=job.pk, resume=True)
    assert done.status == ExportJob.Status.DONE and done.processed == done.total > 0


def test_of_two_runs_that_read_a_job_at_once_only_one_writes_it(world, settings, tmp_path):
    settings.PORTAL_PRIVATE_MEDIA_ROOT = str(tmp_path)
    job = services.export_job_create(
        actor=world["admin"], table="assignments", fmt="csv", cycle="FY2026", unit_ids=None, scope={}
    )
    stale = ExportJob.objects.get(pk=job.pk)  # what the second run read, before the first claimed it
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)

    with (
        mock.patch.object(ExportJob.objects, "get", return_value=stale),
        mock.patch.object(services.exports, "row_level_table", side_effect=AssertionError("the job was written twice")),
    ):
        second = services.export_job_run(job_id=job.pk)

    assert second.status == ExportJob.Status.RUNNING and not second.file
