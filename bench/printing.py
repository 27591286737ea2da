"""SOP document PDF: render time for a 15-step and a 200-step SOP.

Target (issue 6): 15 steps under 150 ms, 200 steps within 15x of that.
Runs on a scratch SQLite database; only the PDF rendering is timed.
"""

import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from sop_admin import create_app
from sop_admin.extensions import db
from sop_admin.models import Office
from sop_admin.printing import sop_pdf
from tests.printing_builders import LANES, long_sop

ROUNDS = 7


def _median_ms(version, rounds: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds (CPU time shows less of a busy machine)."""
    sop_pdf(version)  # warm-up: fonts, imports
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        sop_pdf(version)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        uri = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "TESTING": True}
        )
        with app.app_context():
            upgrade()
            office = Office(
                code="BENCH",
                government="Pemerintah Kota Depok",
                name="Dinas Komunikasi dan Informatika",
            )
            db.session.add(office)
            small = long_sop(db, office, 15, LANES, number="B-15")
            big = long_sop(db, office, 200, LANES, number="B-200")
            ms15 = _median_ms(small, ROUNDS)
            ms200 = _median_ms(big, max(3, ROUNDS // 2))
            db.session.rollback()
            db.engine.dispose()
    for label, (wall, cpu) in (("15 steps ", ms15), ("200 steps", ms200)):
        print(f"printing: SOP PDF {label} {wall:8.1f} ms wall, {cpu:8.1f} ms CPU")
    print(
        f"printing: ratio 200/15 = {ms200[0] / ms15[0]:.1f} wall, "
        f"{ms200[1] / ms15[1]:.1f} CPU (targets: 15 steps < 150 ms, ratio <= 15)"
    )


if __name__ == "__main__":
    main()
