"""Once a GIN index on Wagtail's `wagtailsearch_indexentry`; now nothing.

Site search has an index of the project's own (0007), and no SQL of the project touches another
package's tables. A database that applied the old version of this migration has the index dropped
by 0007.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_task_workers_sent_mail"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = []
