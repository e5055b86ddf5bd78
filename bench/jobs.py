"""Job search latency: /jobs/ over 10,000 synthetic postings, varied filter combinations.

Seeds the database named by DATABASE_URL with synthetic open postings (once; rerun with
--reseed to rebuild), then times /jobs/ requests in-process through Django's test client,
production settings (DEBUG off, persistent connection), one after another. Each request
runs the whole view: the count, the page of 20, the three facet-count queries and the
template. Prints p50/p90/p99 per kind of search, and the query time alone for the same
searches (count + page + facets, no template).

    DATABASE_URL=postgres://codingahead@127.0.0.1:54329/jobsbench python bench/jobs.py [--requests 400]

Use a database of its own: the script deletes every job posting in it before seeding.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS_TEXT = (
    "coder coding audit auditor outpatient inpatient hospital clinic physician surgery orthopedic cardiology "
    "radiology emergency oncology pediatric HCC risk adjustment Medicare Advantage DRG ICD-10-CM ICD-10-PCS CPT "
    "HCPCS modifier E/M documentation query denial appeal charge capture remote Epic Cerner productivity accuracy "
    "benefits training CEU team growing experienced certified apprentice review charts claims billing revenue"
)
# Everyday words that fill most of a real description (many are stop words to full-text search).
FILLER_TEXT = (
    "the a an and or of to in for with on at by from as is are be will you your our we us this that it "
    "who what which when where how all any each more most other some such only own same so than too very "
    "can just should now work team patients provider providers office schedule hours day week month year "
    "support help join new role position opportunity great environment company organization health care "
    "medical record records data systems quality standards policies procedures required preferred skills "
    "ability knowledge strong communication written verbal detail oriented independently deadlines meet "
    "include including ensure maintain perform responsible duties responsibilities qualifications"
)
WORDS, FILLER = WORDS_TEXT.split(), FILLER_TEXT.split()
CITIES = [("Atlanta", "GA"), ("Houston", "TX"), ("Dallas", "TX"), ("Phoenix", "AZ"), ("Chicago", "IL"),
          ("Denver", "CO"), ("Miami", "FL"), ("Seattle", "WA"), ("Boston", "MA"), ("Nashville", "TN"),
          ("Columbus", "OH"), ("Charlotte", "NC"), ("Portland", "OR"), ("Omaha", "NE"), ("Tulsa", "OK")]  # fmt: skip
TITLES = ["Outpatient Coder", "Inpatient Coder", "Risk Adjustment Coder", "Coding Auditor", "CDI Specialist",
          "Pro-fee Coder", "ED Facility Coder", "Surgical Coder", "Coding Educator", "Revenue Cycle Analyst",
          "Remote HCC Coder", "Coding Supervisor", "Denials Specialist", "E/M Auditor", "Radiology Coder"]  # fmt: skip


def seed(count: int, rng: random.Random) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from accounts.credentials import Credential, Specialty
    from jobs.models import Job, SalaryPeriod, Workplace, WorkSetting
    from jobs.text import render_markdown

    owner, _ = get_user_model().objects.get_or_create(
        username="bench-employer", defaults={"email": "bench@example.com"}
    )
    credentials = [c for c in Credential.values if c != "other"]
    now = timezone.now()
    jobs = []
    for n in range(count):
        city, state = rng.choice(CITIES)
        workplace = rng.choices([Workplace.ONSITE, Workplace.REMOTE, Workplace.HYBRID], [4, 4, 2])[0]
        hourly = rng.random() < 0.3
        low = rng.randint(18, 40) if hourly else rng.randrange(38000, 95000, 1000)
        job = Job(
            owner=owner,
            title=f"{rng.choice(TITLES)} {n}",
            employer_name=f"{rng.choice(['Acme', 'Summit', 'Valley', 'Coastal', 'Metro'])} Health {n % 500}",
            employer_website="https://employer.example",
            workplace=workplace,
            city="" if workplace == Workplace.REMOTE else city,
            state="" if workplace == Workplace.REMOTE else state,
            remote_states=rng.sample([s for _, s in CITIES], rng.choice([0, 0, 1, 3]))
            if workplace == Workplace.REMOTE
            else [],
            work_setting=rng.choice(WorkSetting.values),
            employment_type=rng.choices(["full_time", "part_time", "contract", "per_diem"], [6, 2, 2, 1])[0],
            salary_min=None if rng.random() < 0.15 else low,
            salary_max=None if rng.random() < 0.15 else low + (rng.randint(2, 8) if hourly else 10000),
            salary_period=SalaryPeriod.HOUR if hourly else SalaryPeriod.YEAR,
            required_credentials=rng.sample(credentials, rng.choice([0, 1, 1, 2])),
            preferred_credentials=rng.sample(credentials, rng.choice([0, 1])),
            cpc_a_welcome=rng.random() < 0.15,
            specialties=rng.sample(Specialty.values, rng.choice([0, 1, 2])),
            years_experience=rng.choice([0, 1, 2, 3, 5]),
            description=" ".join(
                rng.choice(WORDS) if rng.random() < 0.15 else rng.choice(FILLER) for _ in range(rng.randint(80, 250))
            ),
            apply_to="https://employer.example/apply",
            status=Job.Status.LIVE,
            published_at=now - datetime.timedelta(hours=rng.randint(0, 24 * 60)),
            reviewed_at=now,
            expires_on=timezone.localdate() + datetime.timedelta(days=rng.randint(1, 60)),
        )
        # bulk_create skips save(): fill in what save() derives.
        job.description_html = render_markdown(job.description)
        job.annual_pay = job.compute_annual_pay()
        job.search_document = job.build_search_document()
        jobs.append(job)
    with transaction.atomic():
        Job.objects.all().delete()
        Job.objects.bulk_create(jobs, batch_size=1000)
        Job.objects.update_search_vectors()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE jobs_job")


def searches(rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query string) pairs: the mix a job board sees."""
    from accounts.credentials import Specialty
    from jobs.models import WorkSetting

    out = []
    for _ in range(50):
        out.append(("no filter", rng.choice(["", "sort=salary", f"page={rng.randint(2, 40)}"])))
        out.append(("text", f"q={rng.choice(WORDS)}+{rng.choice(WORDS)}"))
        filters = [
            f"credential={rng.choice(['CPC', 'CRC', 'CCS', 'CIC', 'CPC-A'])}",
            f"state={rng.choice(CITIES)[1]}",
            f"workplace={rng.choice(['remote', 'onsite', 'hybrid'])}",
            f"setting={rng.choice(WorkSetting.values)}",
            f"min_salary={rng.randrange(40000, 90000, 5000)}",
            f"specialty={rng.choice(Specialty.values)}",
            f"posted={rng.choice(['1', '7', '30'])}",
            "cpc_a=1",
            "type=full_time",
        ]
        out.append(("2-4 filters", "&".join(rng.sample(filters, rng.randint(2, 4)))))
        out.append(
            (
                "text + filters + sort",
                f"q={rng.choice(WORDS)}&" + "&".join(rng.sample(filters, rng.randint(1, 3))) + "&sort=salary",
            )
        )
    rng.shuffle(out)
    return out


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def report(title: str, timings: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    print(f"{'search':<24}{'n':>5}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    every = [t for ts in timings.values() for t in ts]
    for kind, ts in [*sorted(timings.items()), ("all", every)]:
        print(
            f"{kind:<24}{len(ts):>5}{percentile(ts, 50):>9.1f}{percentile(ts, 90):>9.1f}"
            f"{percentile(ts, 99):>9.1f}{max(ts):>9.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400, help="timed requests (a multiple of 4 is fair)")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    os.environ.update({"DEBUG": "False", "SECRET_KEY": "bench-only-" * 6, "ALLOWED_HOSTS": "testserver"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codingahead.settings")
    os.environ["SECURE_SSL_REDIRECT"] = "False"
    import django

    django.setup()
    from django.conf import settings

    # No collectstatic here: plain static URLs (WhiteNoise's manifest would need one).
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    from django.core.management import call_command
    from django.http import QueryDict
    from django.test import Client
    from django.test.utils import setup_test_environment

    from jobs.forms import JobSearchForm
    from jobs.models import Job
    from jobs.views import LISTING_DEFERRED, _facets

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    rng = random.Random(7)
    if args.reseed or Job.objects.open().count() < args.jobs:
        started = time.perf_counter()
        seed(args.jobs, rng)
        print(f"seeded {args.jobs} postings in {time.perf_counter() - started:.1f} s")
    setup_test_environment()  # lets the test client work with DEBUG off

    client = Client()
    plan = searches(rng)
    for _, query in plan[:40]:  # warm up: connections, template cache, PostgreSQL buffers
        client.get(f"/jobs/?{query}")

    page_times: dict[str, list[float]] = {}
    query_times: dict[str, list[float]] = {}
    counts = []
    for i in range(args.requests):
        kind, query = plan[i % len(plan)]
        started = time.perf_counter()
        response = client.get(f"/jobs/?{query}")
        page_times.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (query, response.status_code)
        counts.append(response.context["page"].paginator.count)

        form = JobSearchForm(QueryDict(query))
        filters = form.filters()
        started = time.perf_counter()
        base = Job.objects.open()
        qs = base.matching(filters).sorted_by(form.sort_order() or "newest", has_query=bool(filters.get("q")))
        qs = qs.defer(*LISTING_DEFERRED)
        qs.count()
        list(qs[:20])
        _facets(base, filters)
        query_times.setdefault(kind, []).append((time.perf_counter() - started) * 1000)

    print(
        f"{Job.objects.open().count()} open postings; {args.requests} searches; median result count {statistics.median(counts):.0f}"
    )
    report("whole /jobs/ response (view + queries + template), in-process", page_times)
    report("queries only (count + page of 20 + 3 facet counts)", query_times)


if __name__ == "__main__":
    main()
