"""The assignment tally (reports/tallies.py): the dashboard's main GROUP BY kept ready on PostgreSQL.

- The table, one row per key with the number of assignments that share it.
- On PostgreSQL, statement-level triggers with transition tables on `training_assignment` and
  `people_person` that subtract the old rows' keys and add the new rows' keys in one grouped
  upsert per statement (a COPY of a million rows costs one), and the tally of the rows already
  there. SQLite has no tally: the dashboard counts the assignments themselves there.

Why it stays right:
- An assignment counts under its person's unit, company, employment type and activity *as the
  trigger reads them*. A trigger on assignments reads the person (and share-locks the row, so a
  concurrent change of that person waits, or is waited for, and then sees this row); a trigger
  on people moves the person's assignments that exist at that moment. Each assignment is thus
  counted under its person's current values, whatever order a transaction writes them in
  (foreign keys are checked at commit, so either may come first).
- Upserts run in the key's order (no deadlock between two transactions); rows reaching 0 go.
- TRUNCATE of the assignments empties the tally.
"""

from django.db import migrations, models

TALLY = "reports_assignmenttally"
KEY = (
    "cycle, module_id, unit_id, company_id, employment_type_id, status, archived, cycle_ended, person_active, "
    "due_at, completed_month"
)


def key_of(a: str, p: str) -> str:
    """The key of assignment `a` of person `p`, in the order of KEY."""
    return f"""{a}.cycle, {a}.module_id, {p}.unit_id, {p}.company_id, {p}.employment_type_id, {a}.status,
        {a}.archived_at IS NOT NULL, COALESCE({a}.archive_reason = 'cycle_ended', false), {p}.is_active,
        CASE WHEN {a}.status = 'assigned' THEN {a}.due_at END,
        CASE WHEN {a}.status = 'completed'
             THEN date_trunc('month', {a}.completed_at AT TIME ZONE 'Asia/Tokyo')::date END"""


def apply_delta(delta: str) -> str:
    """PL/pgSQL: add the signed rows of `delta` (KEY columns and n) to the tally.

    EXECUTE plans the statement for each call: a plan cached by the session for a one-row
    statement (nested loops) would take hours over a million-row one."""
    return f"""
    EXECUTE $sql$
    WITH delta ({KEY}, n) AS ({delta}),
    summed AS MATERIALIZED (SELECT {KEY}, sum(n) AS n FROM delta GROUP BY {KEY} HAVING sum(n) <> 0),
    upserted AS (
        INSERT INTO {TALLY} AS t ({KEY}, n)
        SELECT {KEY}, n FROM summed ORDER BY {KEY}
        ON CONFLICT ({KEY}) DO UPDATE SET n = t.n + EXCLUDED.n
        RETURNING t.id, t.n
    )
    SELECT array_agg(id) FROM upserted WHERE n = 0
    $sql$ INTO zeroed;
    IF zeroed IS NOT NULL THEN
        DELETE FROM {TALLY} WHERE id = ANY (zeroed) AND n = 0;
    END IF;"""


def function(name: str, body: str) -> str:
    # work_mem: a statement of a million rows groups them in memory rather than sorting on disk.
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET work_mem = '64MB' AS $$
    DECLARE zeroed bigint[];
    BEGIN
    {body}
    RETURN NULL;
    END $$"""


# The people of some assignments, share-locked in id order: a concurrent change of one of them
# waits for this transaction (and its own trigger then moves these rows too), or this waits for
# it and reads the person as changed.
def people_of(rows: str) -> str:
    return f"""SELECT p.id, p.unit_id, p.company_id, p.employment_type_id, p.is_active FROM people_person p
        WHERE p.id IN (SELECT person_id FROM {rows}) ORDER BY p.id FOR SHARE"""


def assignments_with_people(rows: str, sign: int) -> str:
    return f"""SELECT {key_of("a", "p")}, {sign}::bigint FROM {rows} a
        JOIN ({people_of(rows)}) p ON p.id = a.person_id"""


def people_with_assignments(rows: str, sign: int, unchanged_in: str | None = None) -> str:
    where = ""
    if unchanged_in:
        where = f"""WHERE NOT EXISTS (SELECT 1 FROM {unchanged_in} u WHERE u.id = p.id
            AND u.unit_id IS NOT DISTINCT FROM p.unit_id AND u.company_id IS NOT DISTINCT FROM p.company_id
            AND u.employment_type_id IS NOT DISTINCT FROM p.employment_type_id AND u.is_active = p.is_active)"""
    return f"""SELECT {key_of("a", "p")}, {sign}::bigint FROM {rows} p
        JOIN training_assignment a ON a.person_id = p.id {where}"""


CREATE = [
    function("reports_tally_assignments_inserted", apply_delta(assignments_with_people("new_rows", 1))),
    function("reports_tally_assignments_deleted", apply_delta(assignments_with_people("old_rows", -1))),
    function(
        "reports_tally_assignments_updated",
        apply_delta(f"{assignments_with_people('old_rows', -1)} UNION ALL {assignments_with_people('new_rows', 1)}"),
    ),
    function("reports_tally_people_inserted", apply_delta(people_with_assignments("new_rows", 1))),
    function("reports_tally_people_deleted", apply_delta(people_with_assignments("old_rows", -1))),
    function(
        "reports_tally_people_updated",
        apply_delta(
            f"{people_with_assignments('old_rows', -1, unchanged_in='new_rows')} UNION ALL "
            f"{people_with_assignments('new_rows', 1, unchanged_in='old_rows')}"
        ),
    ),
    f"""CREATE OR REPLACE FUNCTION reports_tally_assignments_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN DELETE FROM {TALLY}; RETURN NULL; END $$""",
]
TRIGGERS = [
    ("reports_tally_inserted", "training_assignment", "INSERT", "NEW TABLE AS new_rows", "assignments_inserted"),
    ("reports_tally_deleted", "training_assignment", "DELETE", "OLD TABLE AS old_rows", "assignments_deleted"),
    (
        "reports_tally_updated",
        "training_assignment",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "assignments_updated",
    ),
    ("reports_tally_truncated", "training_assignment", "TRUNCATE", "", "assignments_truncated"),
    ("reports_tally_inserted", "people_person", "INSERT", "NEW TABLE AS new_rows", "people_inserted"),
    ("reports_tally_deleted", "people_person", "DELETE", "OLD TABLE AS old_rows", "people_deleted"),
    # No `UPDATE OF columns` (not allowed with transition tables): the function compares.
    (
        "reports_tally_updated",
        "people_person",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "people_updated",
    ),
]
for name, table, event, referencing, fn in TRIGGERS:
    CREATE.append(
        f"CREATE TRIGGER {name} AFTER {event} ON {table} {'REFERENCING ' + referencing if referencing else ''} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION reports_tally_{fn}()"
    )

BACKFILL = f"""INSERT INTO {TALLY} ({KEY}, n)
    SELECT {KEY}, count(*)
    FROM (SELECT {key_of("a", "p")} FROM training_assignment a JOIN people_person p ON p.id = a.person_id) k ({KEY})
    GROUP BY {KEY}"""

DROP = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table, *_ in TRIGGERS] + [
    f"DROP FUNCTION IF EXISTS reports_tally_{fn}()" for *_, fn in TRIGGERS
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The triggers and the tally of the rows already there in one go: no write lands between
    # them (the locks keep writers out until the migration commits).
    schema_editor.execute("LOCK TABLE training_assignment, people_person IN SHARE ROW EXCLUSIVE MODE")
    schema_editor.execute("SET LOCAL work_mem = '128MB'")  # the backfill's GROUP BY in memory (1 s, not 5)
    for statement in CREATE:
        schema_editor.execute(statement)
    schema_editor.execute(BACKFILL)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_export_files_sha256"),
        ("training", "0002_failed_out_lesson_visits_validity_text_hash"),
        ("people", "0005_mfa_secrets_encrypted_totp_steps_used"),
    ]

    operations = [
        migrations.CreateModel(
            name="AssignmentTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("cycle", models.CharField(max_length=16)),
                ("archived", models.BooleanField()),
                ("cycle_ended", models.BooleanField()),
                ("person_active", models.BooleanField()),
                ("unit_id", models.BigIntegerField(null=True)),
                ("company_id", models.BigIntegerField(null=True)),
                ("employment_type_id", models.BigIntegerField(null=True)),
                ("module_id", models.BigIntegerField()),
                ("status", models.CharField(max_length=16)),
                ("due_at", models.DateTimeField(null=True)),
                ("completed_month", models.DateField(null=True)),
                ("n", models.BigIntegerField()),
            ],
            options={
                "required_db_vendor": "postgresql",
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "cycle",
                            "module_id",
                            "unit_id",
                            "company_id",
                            "employment_type_id",
                            "status",
                            "archived",
                            "cycle_ended",
                            "person_active",
                            "due_at",
                            "completed_month",
                        ),
                        name="assignment_tally_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
