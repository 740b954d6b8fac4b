from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.import_errors import import_error_message
from monitoring.importing import log_import_process, log_import_receive
from monitoring.models import LogImport, LogSource


class Command(BaseCommand):
    help = (
        "Imports access-log files of one source (scheduled drops). A file imported before is skipped; "
        "bad lines are listed and the good rows kept; the rules run after each file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="The log source's code.")
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args, source: str, paths: list[Path], **options):
        try:
            log_source = LogSource.objects.get(code=source)
        except LogSource.DoesNotExist:
            known = ", ".join(LogSource.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No log source {source!r} (known: {known}).")
        if not log_source.is_active:
            raise CommandError(f"The log source {source!r} is switched off.")
        refused = 0
        for path in paths:
            try:
                handle = path.open("rb")
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}")
            with handle:
                log_import, is_new = log_import_receive(
                    source=log_source, filename=path.name, content=handle, via=LogImport.Via.COMMAND
                )
                if not is_new:
                    self.stdout.write(f"{path}: already imported on {log_import.created_at:%Y-%m-%d %H:%M}; skipped")
                    continue
                result = log_import_process(log_import=log_import, content=handle)
            if result.status == LogImport.Status.FAILED:
                refused += 1
                for error in result.errors:
                    self.stderr.write(f"{path}: line {error['line']}: {import_error_message(error)}")
                self.stderr.write(self.style.ERROR(f"{path}: refused; nothing was stored"))
                continue
            for error in result.errors:
                self.stderr.write(f"{path}: line {error['line']}: {import_error_message(error)}")
            bad = result.rows_total - result.rows_added - result.rows_duplicate
            self.stdout.write(
                self.style.SUCCESS(
                    f"{path}: rows {result.rows_total}, added {result.rows_added}, "
                    f"already imported {result.rows_duplicate}, bad lines {bad}, "
                    f"new findings {result.findings_created}"
                )
            )
        if refused:
            raise CommandError(f"{refused} file(s) refused.")
