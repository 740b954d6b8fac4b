"""Started by its django-tasks-db name, a worker is still the infrastructure app's task_worker (with a heartbeat)."""

from django.core.management import get_commands, load_command_class

from infrastructure.management.commands.task_worker import Command as TaskWorker


def test_db_worker_is_the_task_worker():
    assert get_commands()["db_worker"] == "infrastructure"
    command = load_command_class(get_commands()["db_worker"], "db_worker")
    assert isinstance(command, TaskWorker)
    assert "--heartbeat" in command.create_parser("manage.py", "db_worker").format_help()
