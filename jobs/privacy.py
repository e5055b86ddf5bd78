"""What the job board holds about a user, for the export (accounts/privacy.py; registered in
JobsConfig.ready()). Everything goes with the user by CASCADE, or SET_NULL for reports on others'
postings, so there is no eraser."""

from accounts.privacy import iso

from .models import Job, JobReport, SavedJob, SavedSearch


def export(user) -> dict:
    return {
        "saved_jobs": [
            {"job": s.job.title, "employer": s.job.employer_name, "saved": iso(s.created_at)}
            for s in SavedJob.objects.filter(user=user).select_related("job").order_by("created_at")
        ],
        "saved_searches": [
            {
                "name": s.name,
                "query": s.query,
                "frequency": s.frequency,
                "active": s.active,
                "created": iso(s.created_at),
                "last_sent_at": iso(s.last_sent_at),
            }
            for s in SavedSearch.objects.filter(user=user).order_by("created_at")
        ],
        "job_postings": [
            {
                "title": j.title,
                "employer_name": j.employer_name,
                "status": j.status,
                "description": j.description,
                "apply_to": j.apply_to,
                "created": iso(j.created_at),
                "published_at": iso(j.published_at),
                "expires_on": iso(j.expires_on),
            }
            for j in Job.objects.filter(owner=user).order_by("created_at")
        ],
        "job_reports": [
            {"job": r.job.title, "reason": r.reason, "details": r.details, "created": iso(r.created_at)}
            for r in JobReport.objects.filter(reporter=user).select_related("job").order_by("created_at")
        ],
    }
