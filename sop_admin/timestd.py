"""Mutu Baku "Waktu": parse the time standard of an SOP step.

The SOPs print the time as free text ("5 menit", "1 x 24 jam", "1 hari kerja",
"1 Jam sekali"). Deadlines need a number and a unit, printing needs the text
as written, so both are kept. The accepted forms are the ones the SOP file
contract lists (docs/sop-file-format.md); anything else is refused rather than
guessed, because a wrong guess would silently move every deadline.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from .errors import InvalidTimeStandard
from .models.sop import TimeUnit

# Up to 6 integer and 3 decimal digits: what Numeric(10, 3) stores exactly.
_NUMBER = r"(\d{1,6}(?:[.,]\d{1,3})?)"
_UNITS = {
    "menit": TimeUnit.MINUTE,
    "jam": TimeUnit.HOUR,
    "hari": TimeUnit.DAY,
    "hari kerja": TimeUnit.WORKING_DAY,
}
_SIMPLE = re.compile(rf"{_NUMBER} (menit|jam|hari kerja|hari)")
_TIMES = re.compile(rf"(\d{{1,3}}) ?[x×] ?{_NUMBER} jam")
_INTERVAL = re.compile(rf"{_NUMBER} jam sekali")

EXAMPLES = "5 menit, 2 jam, 1 hari, 1 hari kerja, 1 x 24 jam, 1 jam sekali"


@dataclass(frozen=True)
class TimeStandard:
    """A parsed Waktu: `text` as printed, and the duration it stands for.

    `is_interval` marks "N jam sekali" (monitoring every N hours): it repeats,
    so it gives no deadline. An empty text has no amount and no unit.
    """

    text: str
    amount: Decimal | None = None
    unit: TimeUnit | None = None
    is_interval: bool = False


def _decimal(number: str) -> Decimal:
    return Decimal(number.replace(",", "."))


def _refuse(text: str) -> InvalidTimeStandard:
    return InvalidTimeStandard(
        f'Waktu tidak dikenali: "{text}" (bentuk yang diterima: {EXAMPLES}) / '
        f'unrecognised time standard: "{text}"'
    )


def parse_time_standard(text: str | None) -> TimeStandard:
    """Parse a Waktu text; raise InvalidTimeStandard quoting it if unknown.

    Spaces are collapsed and the case kept, so the printed text stays as the
    office wrote it ("15 Menit"); matching ignores case.
    """
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return TimeStandard(text="")
    key = cleaned.casefold()
    if match := _SIMPLE.fullmatch(key):
        amount, unit = _decimal(match[1]), _UNITS[match[2]]
        interval = False
    elif match := _TIMES.fullmatch(key):
        amount, unit = int(match[1]) * _decimal(match[2]), TimeUnit.HOUR
        interval = False
    elif match := _INTERVAL.fullmatch(key):
        amount, unit = _decimal(match[1]), TimeUnit.HOUR
        interval = True
    else:
        raise _refuse(cleaned)
    if not 0 < amount < 10**7:
        raise _refuse(cleaned)
    return TimeStandard(cleaned, amount, unit, interval)
