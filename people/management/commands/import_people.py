from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from people.hr_import import HRImportError, hr_import_run


class Command(BaseCommand):
    help = "Imports the HR snapshot CSV (UTF-8, UTF-8 with BOM or Shift_JIS/cp932). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--allow-mass-deactivation",
            action="store_true",
            help="Accept a file that deactivates more than a fifth of the active people.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, path: Path, allow_mass_deactivation: bool, no_progress: bool, **options):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}")
        bars: dict[str, tqdm] = {}
        # tqdm redraws its line with "\r"; Django's stderr would end every write with a newline.
        bar_output = SimpleNamespace(
            write=lambda text: self.stderr.write(text, style_func=str, ending=""), flush=self.stderr.flush
        )

        def progress(phase: str, done: int, total: int) -> None:
            if no_progress:
                return
            bar = bars.get(phase)
            if bar is None:
                bar = bars[phase] = tqdm(total=total, desc=phase, unit="rows", file=bar_output, leave=True)
            bar.update(done - bar.n)

        try:
            result = hr_import_run(raw=raw, allow_mass_deactivation=allow_mass_deactivation, progress=progress)
        except HRImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Import rejected: {len(exc.errors)} problem(s); nothing was changed.")
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"created {result.created}, updated {result.updated}, transferred {result.transferred}, "
                f"deactivated {result.deactivated}, reactivated {result.reactivated}, unchanged {result.unchanged}"
            )
        )
