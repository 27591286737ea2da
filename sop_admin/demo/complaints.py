"""Demo complaints: a few hundred plausible reports over the last three months.

Everything comes from one `random.Random` and one seeded Faker (`id_ID`), so
the same seed and `now` give the same complaints. Reports are generated first
and registered in the order they were received, so register numbers rise with
time within each office, as they would at a real desk, and then walked
through their SOP (see `handling`).
"""

import random
import string
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from faker import Faker

from ..complaints import register_complaint
from ..models import (
    Channel,
    Classification,
    Complaint,
    Office,
    SopVersion,
)
from .handling import Staffing, register_delay, walk
from .topics import EXPECTATIONS, TOPICS

#: How far back demo complaints go.
SPAN = timedelta(days=90)
SOCIAL = {Channel.FACEBOOK: "facebook", Channel.X: "x",
          Channel.INSTAGRAM: "instagram", Channel.YOUTUBE: "youtube"}
#: Offices whose city runs its own complaint system (UPIK on Jogja Smart Service).
CITY_SYSTEMS = {"YGY": "UPIK"}


@dataclass(frozen=True)
class DemoOffice:
    office: Office
    staffing: Staffing  #: the clerk who registers, and who acts on each lane
    version: SopVersion | None
    place: str  #: "Kota Depok", for addresses


def _spread(rng: random.Random, members: list, count: int) -> list:
    """`count` picks that include every member once (when count allows)."""
    picks = members[:count] + [rng.choice(members) for _ in range(count - len(members))]
    rng.shuffle(picks)
    return picks


def _received_at(rng: random.Random, office: Office, now: datetime) -> datetime:
    """A moment in the last three months, mostly in waking hours of the office."""
    zone = ZoneInfo(office.timezone)
    day = (now - timedelta(days=rng.randrange(SPAN.days))).astimezone(zone).date()
    local = datetime.combine(day, time(rng.randint(6, 21), rng.randrange(60)), zone)
    moment = local.astimezone(now.tzinfo)
    return moment if moment <= now else moment - timedelta(days=1)


def _identity(rng: random.Random, fake: Faker, channel: Channel, place: str,
              handle_owner: str) -> dict:
    """Reporter fields and, for social media, the post they came from."""
    fields = {"reporter_name": fake.name(),
              "reporter_address": f"{fake.street_address()}, {place}"}
    if channel in SOCIAL:
        user = fake.user_name()
        fields["reporter_contact"] = f"@{user}"
        fields.update(_post(rng, channel, handle_owner, user))
    elif channel == Channel.EMAIL:
        fields["reporter_contact"] = fake.free_email()
    else:
        fields["reporter_contact"] = fake.phone_number()
    if channel in (Channel.WALK_IN, Channel.LAPOR) or rng.random() < 0.1:
        fields["reporter_identity_no"] = "".join(rng.choices(string.digits, k=16))
    return fields


def _post(rng: random.Random, channel: Channel, page: str, user: str) -> dict:
    letters = string.ascii_letters + string.digits
    if channel == Channel.FACEBOOK:
        post = "".join(rng.choices(string.digits, k=15))
        url = f"https://www.facebook.com/{page}/posts/{post}"
    elif channel == Channel.X:
        post = "".join(rng.choices(string.digits, k=19))
        url = f"https://x.com/{user}/status/{post}"
    elif channel == Channel.INSTAGRAM:
        post = "".join(rng.choices(letters, k=11))
        url = f"https://www.instagram.com/p/{post}/"
    else:
        post = "".join(rng.choices(letters, k=11))
        url = f"https://www.youtube.com/watch?v={post}"
    return {"source_url": url, "external_post_id": post}


def complaint_fields(rng: random.Random, fake: Faker, demo: DemoOffice,
                     channel: Channel, classification: Classification,
                     now: datetime) -> dict:
    """The report as the reporter gave it (register_complaint's fields)."""
    subject, text, party = rng.choice(TOPICS[classification])
    fields = {
        "channel": channel,
        "classification": classification,
        "received_at": _received_at(rng, demo.office, now),
        "subject": subject,
        "description": text.format(street=fake.street_name(), days=rng.randint(2, 14)),
        "subject_party": party,
        "expectation": rng.choice(EXPECTATIONS[classification])
        if rng.random() < 0.7 else None,
    }
    anonymous = rng.random() < 0.08
    fields["anonymous"] = anonymous
    fields["confidential"] = not anonymous and rng.random() < 0.1
    if not anonymous:
        page = f"diskominfo.{demo.office.code.lower()}"
        fields.update(_identity(rng, fake, channel, demo.place, page))
    if channel == Channel.LAPOR or rng.random() < 0.05:
        fields["lapor_tracking_id"] = str(rng.randrange(1_000_000, 9_999_999))
    system = CITY_SYSTEMS.get(demo.office.code)
    if system and rng.random() < 0.3:
        fields["city_system_id"] = f"{system}-{rng.randrange(10_000, 99_999)}"
    return fields


def make_complaints(offices: list[DemoOffice], count: int, *, seed: int,
                    now: datetime, progress) -> list[Complaint]:
    """Generate, register and progress `count` complaints across the offices."""
    rng = random.Random(seed)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    channels = _spread(rng, list(Channel), count)
    kinds = _spread(rng, list(Classification), count)
    reports = []
    for channel, kind in zip(channels, kinds, strict=True):
        demo = rng.choice(offices)
        reports.append((demo, complaint_fields(rng, fake, demo, channel, kind, now)))
    reports.sort(key=lambda report: report[1]["received_at"])
    made = []
    with progress(reports, "Pengaduan / complaints") as bar:
        for demo, fields in bar:
            registered = min(fields["received_at"] + register_delay(rng), now)
            complaint = register_complaint(
                demo.office, actor=demo.staffing.clerk, now=registered,
                sop_version=demo.version, **fields,
            ).complaint
            walk(rng, complaint, demo.staffing, registered, now)
            made.append(complaint)
    return made
