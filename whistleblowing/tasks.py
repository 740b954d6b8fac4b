"""Background work: content-free e-mails to handlers, deadline reminders and the retention purge.

Services enqueue with `notify_handlers_on_commit`; the periodic jobs' bodies live in `periodic`,
which the tasks call. Nothing here imports the services, so they can import the tasks.
"""

from django.db import transaction
from django_tasks import TaskContext, task

from infrastructure.mail import send_once
from people.models import Person

from . import periodic
from .handler_mail import send_handler_mail


@task(takes_context=True)
def notify_handlers(context: TaskContext, *, handler_ids: list[int], kind: str) -> int:
    handlers = Person.objects.filter(pk__in=handler_ids, is_active=True)
    for handler in handlers:
        # Keyed by this task's id: run again after a worker died, it skips whoever already has it.
        send_once(
            key=f"hotline:{context.task_result.id}:{handler.pk}",
            send=lambda handler=handler: send_handler_mail(handler=handler, kind=kind),
        )
    return len(handlers)


def notify_handlers_on_commit(handler_ids: list[int], kind: str) -> None:
    """Queue the content-free e-mail to these handlers once the current transaction commits."""
    if handler_ids:
        transaction.on_commit(lambda: notify_handlers.enqueue(handler_ids=handler_ids, kind=kind))


@task()
def send_pending_notifications() -> int:
    return periodic.send_pending_notifications()


@task()
def send_deadline_reminders() -> int:
    return periodic.send_deadline_reminders()


@task()
def purge_expired_cases() -> int:
    return periodic.purge_expired_cases()
