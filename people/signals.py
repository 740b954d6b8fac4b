"""Signals other apps listen to, so that `people` never imports them.

`people_synchronised` is sent once after an HR import commits, with the ids of people who
were created, transferred or deactivated; `person_transferred` once per transfer; `unit_moved`
once a unit has a new parent, with the unit as it is now (treebeard rewrites the paths of its
subtree in one UPDATE, which sends no `post_save` for the units below).
"""

from django.dispatch import Signal

people_synchronised = Signal()  # kwargs: created_ids, transferred_ids, deactivated_ids
person_transferred = Signal()  # kwargs: transfer
unit_moved = Signal()  # kwargs: unit
