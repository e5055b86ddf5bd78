from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django_ratelimit.decorators import ratelimit

from casepilot.guides import GUIDE_LINK_RE, find_guides
from casepilot.models import Guide, GuideTopic
from codes.models import Code

from .tools import MIN_GUIDE_SCORE

# --- Guides (knowledge base) ---


def guides_box(query: str) -> list:
    """The "Coding guides" box of the site search (codes/search_boxes.py): for a word query, the
    guides (up to three) that match it well."""
    if not any(ch.isalpha() for ch in query):
        return []
    return [guide for guide in find_guides(query, limit=3) if guide.score >= MIN_GUIDE_SCORE]


@require_safe
@ratelimit(group="casepilot.guide_search", key="ip", rate="60/m", block=True)
def guide_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = find_guides(query, limit=10) if query else None
    guides = Guide.objects.only("slug", "title", "summary", "topic").order_by("title")
    by_topic = {value: [] for value in GuideTopic.values}
    for guide in guides:
        by_topic[guide.topic].append(guide)
    topics = [(value, label, by_topic[value]) for value, label in GuideTopic.choices if by_topic[value]]
    return render(
        request, "casepilot/guides.html", {"topics": topics, "query": query, "results": results, "total": len(guides)}
    )


@require_safe
def guide(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Guide, slug=slug)
    # Related: the guides this one links to, then others of its topic.
    linked = list(dict.fromkeys(s for s in GUIDE_LINK_RE.findall(article.body) if s != article.slug))
    related = sorted(
        Guide.objects.filter(slug__in=linked).only("slug", "title", "summary"), key=lambda g: linked.index(g.slug)
    )
    if len(related) < 5:
        related += (
            Guide.objects.filter(topic=article.topic)
            .exclude(slug__in=[article.slug, *linked])
            .only("slug", "title", "summary")[: 5 - len(related)]
        )
    refs = article.code_refs
    found = {}
    if refs:
        match = Q()
        for system, code in refs:
            match |= Q(system=system, code=code)
        found = {(c.system, c.code): c for c in Code.objects.filter(match).only("system", "code", "kind", "title")}
    codes = [{"system": s, "code": c, "obj": found.get((s, c))} for s, c in refs]
    return render(request, "casepilot/guide.html", {"guide": article, "related": related, "codes": codes})
