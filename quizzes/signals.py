"""Signals other apps listen to (training completes an assignment when its quiz is passed)."""

from django.dispatch import Signal

# Sent with sender=Attempt and attempt=<Attempt> after the grading transaction commits,
# exactly once per attempt.
attempt_graded = Signal()
