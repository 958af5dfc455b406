"""The demo's survey answers: who answered the survey after a completed visit, and how.

About 60% answer, within a day and a half of the link. Scores lean positive, as after-sales
surveys do; a late arrival, or coming back after the customer was not home, lowers them a
little, and a visit that only fixed what an earlier one could not (part missing, a second
visit needed) lowers them more and makes the service feel harder (CES). A third of the
answers carry a comment in the customer's language. A random stream of its own draws all
this, so adding surveys changed none of the demo's visits.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta

from dispatch import localtime
from dispatch.demo.catalogue import TIMEZONE
from dispatch.demo.specs import AnswerSpec, AssetSpec, CustomerSpec, JobSpec, SurveySpec, VisitSpec

H = 3600
LOADED_AT_S = 7 * H  # as in dispatch.demo.activity: the demo is loaded before work starts
SURVEY_DELAY = timedelta(hours=1)  # Settings.survey_delay_s by default
SURVEY_VALID_DAYS = 30  # Settings.survey_valid_days by default
ANSWER_RATE = 0.6
COMMENT_RATE = 0.35
LATEST_ANSWER_MIN = 36 * 60

# Weights of CSAT 1..5 by how the visit went.
ON_PLAN = (2, 3, 8, 32, 55)
LATE = (4, 8, 18, 38, 32)
REFIXED = (10, 15, 30, 30, 15)  # the earlier visit lacked a part or needed a second one
NPS_BY_CSAT = {1: (0, 4), 2: (2, 6), 3: (5, 8), 4: (7, 9), 5: (8, 10)}
CES_BY_CSAT = {1: (1, 3), 2: (2, 4), 3: (3, 5), 4: (5, 7), 5: (6, 7)}
COMMENTS = {
    "id": {
        "good": (
            "Teknisinya ramah dan rapi.",
            "Cepat dan bersih, terima kasih!",
            "Datang tepat waktu, kerjanya bagus.",
            "Penjelasannya jelas, sekarang sudah normal lagi.",
            "Pelayanan memuaskan, semoga dipertahankan.",
        ),
        "fair": (
            "Lumayan, tapi menunggu agak lama.",
            "Hasilnya oke, teknisi kurang memberi kabar.",
        ),
        "poor": (
            "Teknisi datang terlambat dan tidak memberi kabar.",
            "Masalahnya belum benar-benar beres.",
        ),
        "refixed": (
            "Harus dua kali datang, tapi akhirnya beres.",
            "Kunjungan pertama gagal, mohon bawa suku cadang yang lengkap.",
        ),
    },
    "en": {
        "good": ("Friendly and tidy technician.", "Quick and clean, thank you!"),
        "fair": ("OK, but I waited quite a while.",),
        "poor": ("The technician was late and did not call.",),
        "refixed": ("Took two visits, but it works now.",),
    },
}


def with_surveys(
    jobs: tuple[JobSpec, ...],
    customers: tuple[CustomerSpec, ...],
    assets: tuple[AssetSpec, ...],
    *,
    seed: int,
    today: date,
    stream: str = "surveys",
) -> tuple[JobSpec, ...]:
    """The jobs with a survey on every completed visit whose link went out before the load;
    drawn from the random stream of that name (one per set of jobs, so each stays as it is)."""
    rng = random.Random(f"{seed}:{stream}")
    loaded_at = localtime.to_utc(today, LOADED_AT_S, localtime.zone(TIMEZONE))
    by_phone = {c.phone: c.language for c in customers}
    language = {a.serial: by_phone[a.customer_phone] for a in assets}
    return tuple(
        replace(job, visits=_surveyed(rng, job, language[job.asset_serial], loaded_at))
        for job in jobs
    )


def _surveyed(
    rng: random.Random, job: JobSpec, language: str, loaded_at: datetime
) -> tuple[VisitSpec, ...]:
    visits = list(job.visits)
    for k, visit in enumerate(visits):
        if visit.outcome != "completed" or visit.ended_at is None:
            continue
        sent_at = visit.ended_at + SURVEY_DELAY
        if sent_at >= loaded_at:
            continue  # not sent yet: the scheduler's sweep sends it when the demo runs
        earlier = visits[k - 1].failure_reason if k else None
        answer = _answer(rng, visit, sent_at, earlier, language)
        if answer is not None and answer.answered_at >= loaded_at:
            answer = None  # the customer may still answer
        visits[k] = replace(visit, survey=SurveySpec(sent_at, answer))
    return tuple(visits)


def _answer(
    rng: random.Random, visit: VisitSpec, sent_at: datetime, earlier: str | None, language: str
) -> AnswerSpec | None:
    """An answer in ANSWER_RATE of the cases, scored by how the visit went."""
    if rng.random() >= ANSWER_RATE:
        return None
    refixed = earlier in ("part_missing", "needs_second_visit")
    late = visit.arrived_at is not None and visit.arrived_at > visit.window_end
    weights = REFIXED if refixed else LATE if late or earlier else ON_PLAN
    csat = rng.choices(range(1, 6), weights=weights)[0]
    nps = rng.randint(*NPS_BY_CSAT[csat])
    ces = rng.randint(*CES_BY_CSAT[csat]) - (1 if refixed else 0)  # booking twice is effort
    comment = ""
    if rng.random() < COMMENT_RATE:
        mood = "refixed" if refixed else "good" if csat >= 4 else "fair" if csat == 3 else "poor"
        comment = rng.choice(COMMENTS.get(language, COMMENTS["id"])[mood])
    answered_at = sent_at + timedelta(minutes=rng.randint(5, LATEST_ANSWER_MIN))
    return AnswerSpec(answered_at, csat, nps, max(1, ces), comment)
