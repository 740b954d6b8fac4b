"""An export left "running" by a worker that died is written again by the task's next attempt."""

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
