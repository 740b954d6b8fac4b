"""One lock for the two bulk writers of people's data: the HR import and the assignment sync.

Each runs in one transaction over thousands of people. The assignment tally's triggers
(reports/0003) share-lock the people of every assignment statement, in id order within the
statement; the sync writes module by module, so it holds some people while it asks for more,
and the HR import updates people in the file's order. Run at once, each could end up waiting for
the other: PostgreSQL would break the deadlock by failing one of them. Holding this lock for the
whole transaction makes them take turns instead. Other writers touch one person at a time and
need not take it.
"""

import zlib

from django.db import connection

# A fixed key of our own for pg_advisory_xact_lock (any 64-bit number; this one names the lock).
PEOPLE_BULK_WRITES = zlib.crc32(b"conduct-portal:people-bulk-writes")


def people_bulk_writes() -> None:
    """Wait for, then hold until the transaction ends, the turn of a bulk writer of people's data.

    Call it inside the writer's transaction. SQLite needs nothing: it lets one writer in at a time.
    """
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("people_bulk_writes() holds the lock for a transaction: call it inside one.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PEOPLE_BULK_WRITES])
