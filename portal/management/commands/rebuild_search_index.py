from django.core.management.base import BaseCommand

from portal.search.indexing import rebuild_index


class Command(BaseCommand):
    help = (
        "Write the site search index (portal.SearchEntry) afresh from the live pages. Publishing keeps it "
        "up to date; run this after a change to the segmentation or a restore from before one."
    )

    def handle(self, *args, **options):
        written = rebuild_index()
        self.stdout.write(f"{written} pages indexed")
