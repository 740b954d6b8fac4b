"""Access-log sources, register entries and log files for the monitoring tests."""

import csv
import io

from monitoring.models import LogSource, System

HEADER = ["ユーザID", "アクセス日時", "端末番号", "画面種別", "お客さま番号", "新電力区分"]
COLUMNS = {
    "account": "ユーザID",
    "at": "アクセス日時",
    "terminal": "端末番号",
    "record_type": "画面種別",
    "record": "お客さま番号",
    "new_entrant": "新電力区分",
}


def source(
    code: str = "takuso",
    *,
    system: str = System.CUSTOMER_INFO,
    encoding: str = LogSource.Encoding.CP932,
    non_public: tuple[str, ...] = (),
    **extra,
) -> LogSource:
    found = LogSource.objects.filter(code=code).first()
    if found:
        return found
    return LogSource.objects.create(
        code=code,
        name=extra.pop("name", f"{code} log"),
        system=system,
        encoding=encoding,
        columns=extra.pop("columns", dict(COLUMNS)),
        new_entrant_values=extra.pop("new_entrant_values", ["1"]),
        non_public_record_types=list(non_public),
        **extra,
    )


def log_file(rows: list[tuple], *, encoding: str = "cp932", header: list[str] | None = None) -> bytes:
    """A log export: rows of (account, "YYYY-MM-DD HH:MM:SS", terminal, record type, record number, new entrant)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header or HEADER)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)
