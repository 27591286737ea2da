"""Run every benchmark module's `main()`, or those named: `python -m bench audit`.

The load test (`bench/load.py`, ten minutes) runs on its own: `make load`.
"""

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    here = str(Path(__file__).parent)
    names = sorted(m.name for m in pkgutil.iter_modules([here])
                   if not m.name.startswith("_") and m.name != "load")
    for name in argv or names:
        print(f"== bench.{name}", flush=True)
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
