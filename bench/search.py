"""Case2Code speed: server time of suggestions and results pages over varied queries.

Builds a few thousand queries from the loaded data (prefixes as typed, whole words and
phrases from titles, misspellings, codes in every form, the evaluation set), then times,
in this process and one query after another:

- `suggest()` as the suggestion endpoint calls it (as you type, 8 results: main terms and
  category titles first, then the best codes);
- the suggestion view (`/search/suggest`, JSON) through Django's request handling;
- the results page (`/search/`, HTML, counts per system, 20 results) likewise.

    DATABASE_URL=postgres://... python bench/search.py [--queries 3000] [--pages 1000]

Needs the code sets and the search index loaded (manage.py load_codesets). Rate limits
are raised for the run (their cache round trip is still timed).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codingahead.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    django.setup()


def _misspell(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swap two letters


def make_queries(count: int, seed: int) -> tuple[list[str], list[str]]:
    """(suggestion queries as typed, whole queries for the results page)."""
    from codes.models import Code, SearchEntry
    from codes.search import words_of

    rng = random.Random(seed)
    eval_file = ROOT / "bench" / "search_eval.tsv"
    evals = [line.split("\t")[0] for line in eval_file.read_text().splitlines() if line and not line.startswith("#")]
    ids = list(SearchEntry.objects.values_list("pk", flat=True))
    titles = list(
        SearchEntry.objects.filter(pk__in=rng.sample(ids, min(len(ids), count))).values_list("title", flat=True)
    )
    codes = list(Code.objects.filter(pk__in=rng.sample(list(Code.objects.values_list("pk", flat=True)), count // 4)))
    whole = list(evals)
    for title in titles:
        words = [w for w in words_of(title) if len(w) > 2]
        if not words:
            continue
        start = rng.randrange(len(words))
        phrase = words[start : start + rng.choice([1, 2, 2, 3])]
        if rng.random() < 0.15:
            phrase = [_misspell(w, rng) for w in phrase]
        whole.append(" ".join(phrase))
    for code in codes:
        whole.append(rng.choice([code.code, code.compact.lower(), code.code[: max(2, len(code.code) - 2)]]))
    rng.shuffle(whole)
    typed = []
    for query in whole:
        # What the header box sends while typing (debounced): a few prefixes of each query.
        cuts = sorted({rng.randint(2, len(query)) for _ in range(3)} | {len(query)}) if len(query) > 2 else [len(query)]
        typed += [query[:cut] for cut in cuts]
    return typed[:count], whole


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
    return f"n={len(samples):5d}  p50 {p(0.5):6.2f} ms  p90 {p(0.9):6.2f} ms  p99 {p(0.99):6.2f} ms  max {samples[-1]:7.2f} ms  mean {statistics.mean(samples):6.2f} ms"


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=3000, help="suggestion queries")
    parser.add_argument("--pages", type=int, default=1000, help="results pages")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client

    from codes import search_views
    from codes.search import search, suggest

    search_views.SEARCH_RATE = search_views.SUGGEST_RATE = "1000000/m"
    typed, whole = make_queries(args.queries, args.seed)
    whole = whole[: args.pages]
    client = Client()
    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    # Warm up: connection, caches, the first queries' plans.
    for query in whole[:50]:
        search(query, as_you_type=True, counts=False, limit=8)

    def suggestion_view(q: str) -> None:
        response = client.get("/search/suggest", {"q": q})
        assert response.status_code == 200, (q, response.status_code)

    def results_page(q: str) -> None:
        response = client.get("/search/", {"q": q, "go": "list"})
        assert response.status_code == 200, (q, response.status_code)

    print(
        "suggest() (the endpoint's)",
        percentiles(timed(lambda q: suggest(q, limit=8), typed)),
    )
    print("suggestion view (JSON)   ", percentiles(timed(suggestion_view, typed)))
    # The per-client rate limit is a few cache round trips: with the database cache (no
    # REDIS_URL) that is about a dozen small queries. Shown separately to size it.
    from django.test import override_settings

    with override_settings(RATELIMIT_ENABLE=False):
        print("  the same, rate limit off", percentiles(timed(suggestion_view, typed[:1000])))
    print("results page (HTML)      ", percentiles(timed(results_page, whole)))


if __name__ == "__main__":
    main()
