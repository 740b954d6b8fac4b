"""`db_worker` is `task_worker` in this project, so a worker started by django-tasks-db's own
name keeps a heartbeat too: no process can claim tasks that nobody would recover if it died.

Django runs the command of the first installed app that has one by a name, and `portal` comes
before `django_tasks_db` in INSTALLED_APPS (a test holds this).
"""

from .task_worker import Command  # noqa: F401 - the command Django loads from this module
