"""Benchmark: time to make one certificate PDF (WeasyPrint, Japanese font subset and embedded).

    .venv/bin/python bench/certificates.py [--runs 20]

No database needed: the certificate is an unsaved model instance. Prints the first (cold)
render, then median and p95 of the warm renders, and the fonts embedded in the PDF (pdffonts).
Target: under 300 ms (needs libharfbuzz-subset0).
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from training.dates import JST
    from training.models import Certificate
    from training.pdf import certificate_pdf

    certificate = Certificate(
        code="ABCD-EFGH-JKMN-PQRS",
        person_name="小野寺 大輔",
        module_title="カスタマーセンターの行為規制：繁忙期と端末",
        cycle="FY2026",
        completed_at=dt.datetime(2026, 11, 20, 15, 30, tzinfo=JST),
    )
    start = time.perf_counter()
    pdf = certificate_pdf(certificate=certificate, base_url="https://portal.example.jp/")
    cold = time.perf_counter() - start
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        pdf = certificate_pdf(certificate=certificate, base_url="https://portal.example.jp/")
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"certificate PDF: cold {cold * 1000:.0f} ms; warm median {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms over {args.runs} runs; {len(pdf) / 1024:.0f} KiB")  # fmt: skip
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        print(subprocess.run(["pdffonts", handle.name], capture_output=True, text=True, check=True).stdout.rstrip())


if __name__ == "__main__":
    main()
