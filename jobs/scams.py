"""Heuristics that hold a posting for review when it looks like a known job scam.

Fake coding jobs follow a pattern: they ask applicants to pay (training, certification,
"equipment" bought from a vendor they name, a check to deposit), move the conversation to a
chat app, and write from a free-mail address while promising high pay. None of these proves a
scam, so a match only sends the posting to the staff review queue with the reasons shown.
"""

import re
from urllib.parse import urlparse

FREE_MAIL_DOMAINS = {
    "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "hotmail.com", "outlook.com", "live.com",
    "msn.com", "aol.com", "icloud.com", "me.com", "mail.com", "gmx.com", "gmx.us", "proton.me",
    "protonmail.com", "zoho.com", "yandex.com", "yandex.ru", "tutanota.com", "inbox.com",
}  # fmt: skip
# Above this yearly pay (or its hourly equivalent), a free-mail employer is suspicious.
HIGH_PAY = 85_000

PATTERNS = [
    (
        "asks applicants to pay",
        re.compile(
            r"\b(?:application|registration|training|certification|onboarding|processing|background[- ]check)\s+fees?\b"
            r"|\b(?:pay|paying|payment|deposit|fee)\b[^.\n]{0,40}\b(?:training|certification|background check|"
            r"starter kit|registration|onboarding|software licen[cs]e)\b"
            r"|\b(?:gift cards?|wire transfer|western union|moneygram|zelle|cash ?app|venmo|bitcoin|crypto)\b"
            r"|\bsend (?:us )?(?:money|payment)\b",
            re.I,
        ),
    ),
    (
        "asks applicants to buy equipment",
        re.compile(
            r"\b(?:buy|purchase|order)\b[^.\n]{0,40}\b(?:equipment|laptop|computer|software|office supplies|"
            r"printer|headset|from (?:our|the) (?:approved )?vendor)\b"
            r"|\b(?:check|cheque)\b[^.\n]{0,40}\b(?:deposit|equipment)\b",
            re.I,
        ),
    ),
    (
        "moves applicants to a chat app",
        re.compile(
            r"\b(?:telegram|whats ?app|wickr|viber|kik|threema|google hangouts|hangouts|skype id)\b"
            r"|\bsignal\b[^.\n]{0,20}\b(?:app|messenger|chat|number|handle)\b"
            r"|\b(?:on|via|through|text me on|message me on) signal\b",
            re.I,
        ),
    ),
]


def _domain(value: str) -> str:
    value = (value or "").strip().lower()
    if "@" in value and "://" not in value:
        return value.rsplit("@", 1)[1]
    host = urlparse(value if "://" in value else f"//{value}").hostname or ""
    return host.removeprefix("www.")


def scam_flags(job) -> list[str]:
    """Reasons to hold `job` for review; empty when nothing looks wrong."""
    text = " ".join([job.title, job.employer_name, job.description, job.apply_to, job.productivity])
    reasons = [reason for reason, pattern in PATTERNS if pattern.search(text)]
    free_mail = {_domain(job.apply_to), _domain(job.employer_website)} & FREE_MAIL_DOMAINS
    pay = job.compute_annual_pay() or 0
    if free_mail and pay >= HIGH_PAY:
        reasons.append(f"free-mail employer address ({', '.join(sorted(free_mail))}) with high pay")
    return reasons
