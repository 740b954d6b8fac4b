"""`make bench` / `python -m bench [name ...]`: run the benchmarks and print their figures.

Each benchmark is a module in this package with a `main(argv)` function. They create their own
database (a temporary SQLite file, or `<DATABASE_URL>_bench` on PostgreSQL) so they never
touch real data.
"""

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names = argv or sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_")
    )
    failed = []
    for name in names:
        print(f"== bench.{name}", flush=True)
        bench_main = importlib.import_module(f"bench.{name}").main
        # Some benchmarks parse their own sys.argv; the others take an argument list.
        status = bench_main([]) if inspect.signature(bench_main).parameters else bench_main()
        if status:  # a benchmark that saw failures returns non-zero
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
