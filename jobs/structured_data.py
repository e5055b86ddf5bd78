"""schema.org JobPosting JSON-LD for job pages (Google's required and recommended fields)."""

import datetime
import json

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from accounts.credentials import Credential

from .models import STATE_NAMES, EmploymentType, Job, SalaryPeriod, Workplace

EMPLOYMENT_TYPES = {
    EmploymentType.FULL_TIME: "FULL_TIME",
    EmploymentType.PART_TIME: "PART_TIME",
    EmploymentType.CONTRACT: "CONTRACTOR",
    EmploymentType.TEMPORARY: "TEMPORARY",
    EmploymentType.PER_DIEM: "PER_DIEM",
    EmploymentType.INTERNSHIP: "INTERN",
}
# Characters that could end the <script> element or open a comment inside it (as json_script does).
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _credential(code: str) -> dict:
    return {
        "@type": "EducationalOccupationalCredential",
        "credentialCategory": "professional certificate",
        "name": dict(Credential.choices).get(code, code),
    }


def job_posting(job: Job) -> dict:
    posted = job.published_at or job.created_at
    data: dict = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        # Google wants the description as HTML; ours is already sanitized.
        "description": job.description_html or strip_tags(job.description),
        "identifier": {"@type": "PropertyValue", "name": job.employer_name, "value": str(job.pk)},
        "datePosted": posted.date().isoformat(),
        "validThrough": datetime.datetime.combine(job.expires_on, datetime.time(23, 59, 59)).isoformat(),
        "employmentType": EMPLOYMENT_TYPES.get(job.employment_type, "OTHER"),
        "hiringOrganization": {"@type": "Organization", "name": job.employer_name},
        "url": settings.SITE_ROOT + job.get_absolute_url(),
        "directApply": False,
    }
    if job.employer_website:
        data["hiringOrganization"]["sameAs"] = job.employer_website

    if job.workplace == Workplace.REMOTE:
        data["jobLocationType"] = "TELECOMMUTE"
        if job.remote_states:
            data["applicantLocationRequirements"] = [
                {"@type": "State", "name": STATE_NAMES.get(code, code)} for code in job.remote_states
            ]
        else:
            data["applicantLocationRequirements"] = {"@type": "Country", "name": "USA"}
    if job.city or job.state:
        address = {"@type": "PostalAddress", "addressCountry": "US"}
        if job.city:
            address["addressLocality"] = job.city
        if job.state:
            address["addressRegion"] = job.state
        if job.zip_code:
            address["postalCode"] = job.zip_code
        data["jobLocation"] = {"@type": "Place", "address": address}

    if job.salary_min is not None or job.salary_max is not None:
        value: dict = {
            "@type": "QuantitativeValue",
            "unitText": "HOUR" if job.salary_period == SalaryPeriod.HOUR else "YEAR",
        }
        if job.salary_min is not None and job.salary_max is not None and job.salary_min != job.salary_max:
            value["minValue"] = float(job.salary_min)
            value["maxValue"] = float(job.salary_max)
        else:
            value["value"] = float(job.salary_min if job.salary_min is not None else job.salary_max)
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "USD", "value": value}

    if job.required_credentials:
        data["educationRequirements"] = [_credential(code) for code in job.required_credentials]
    if job.preferred_credentials:
        data["qualifications"] = "Preferred: " + ", ".join(job.preferred_credentials)
    if job.years_experience:
        data["experienceRequirements"] = {
            "@type": "OccupationalExperienceRequirements",
            "monthsOfExperience": job.years_experience * 12,
        }
    else:
        data["experienceRequirements"] = "no requirements"
    data["industry"] = "Medical coding"
    data["occupationalCategory"] = "29-2072.00 Medical Records Specialists"
    return data


def as_script_json(data: dict) -> SafeString:
    """JSON safe to put inside <script type="application/ld+json">: no </script> or <!-- can appear."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))
