from django.urls import path
from django_ratelimit.decorators import ratelimit

from . import views
from .feeds import JobsAtomFeed, JobsFeed

app_name = "jobs"

# A feed runs the listing's search: the same per-address limit as the job search page.
_feed_limit = ratelimit(group="jobs.search", key="ip", rate=views.SEARCH_RATE, block=True)

urlpatterns = [
    path("jobs/", views.index, name="index"),
    path("jobs/for-me/", views.for_me, name="for_me"),
    path("jobs/feed/rss/", _feed_limit(JobsFeed()), name="feed_rss"),
    path("jobs/feed/atom/", _feed_limit(JobsAtomFeed()), name="feed_atom"),
    path("jobs/new/", views.post_job, name="new"),
    path("jobs/mine/", views.dashboard, name="dashboard"),
    path("jobs/saved/", views.saved_jobs, name="saved"),
    path("jobs/searches/", views.searches, name="searches"),
    path("jobs/searches/save/", views.save_search, name="save_search"),
    path("jobs/alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("jobs/review/", views.review_queue, name="review"),
    path("jobs/review/<int:pk>/", views.review_action, name="review_action"),
    path("jobs/<int:pk>/apply/", views.apply, name="apply"),
    path("jobs/<int:pk>/report/", views.report, name="report"),
    path("jobs/<int:pk>/save/", views.toggle_saved, name="toggle_saved"),
    path("jobs/<int:pk>/edit/", views.edit_job, name="edit"),
    *(
        path(f"jobs/<int:pk>/{action}/", views.job_action, {"action": action}, name=action)
        for action in ("close", "renew", "duplicate", "submit")
    ),
    path("jobs/<int:pk>/", views.detail, name="detail_short"),
    path("jobs/<int:pk>/<slug:slug>/", views.detail, name="detail"),
]
