"""Background jobs (django-tasks): a large upload is imported by the task worker, and the rules check
again the views that a change of a terminal, a contract purpose, a log source or the register gives
a new meaning."""

from django_tasks import task


@task()
def import_access_log(log_import_id: int) -> str:
    from .importing import log_import_process
    from .models import LogImport

    log_import = LogImport.objects.get(pk=log_import_id)
    return log_import_process(log_import=log_import).status


@task()
def purge_access_events() -> int:
    """Daily: raw log rows older than the retention period go; findings stay."""
    from .retention import events_purge

    return events_purge()


@task()
def recheck_events(
    *,
    terminal: str = "",
    company_id: int | None = None,
    source_id: int | None = None,
    system: str = "",
    account_id: str = "",
) -> int:
    """Run the rules again over the days that hold views from `terminal`, by staff of `company_id`,
    in the log of `source_id`, or under `account_id` of `system`.

    Returns the number of new findings. Rerunning is safe: the rules find the same findings again.
    """
    from .models import AccessEvent
    from .rules import rules_run

    events = AccessEvent.objects.all()
    if terminal:
        events = events.filter(terminal=terminal)
    if company_id is not None:
        events = events.filter(person__company_id=company_id)
    if source_id is not None:
        events = events.filter(source_id=source_id)
    if account_id:
        events = events.filter(source__system=system, account_id=account_id)
    return rules_run(events=events)
