"""Signals other apps listen to, so that `people` never imports them.

`people_synchronised` is sent once after an HR import commits, with the ids of people who
were created, transferred or deactivated; `person_transferred` once per transfer.
"""

from django.dispatch import Signal

people_synchronised = Signal()  # kwargs: created_ids, transferred_ids, deactivated_ids
person_transferred = Signal()  # kwargs: transfer
