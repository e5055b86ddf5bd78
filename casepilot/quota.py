"""How many questions a day each asker may put to CasePilot: the site's meter (accounts/quota.py),
"casepilot_questions" in its METERS, allowances in settings.PLANS.

A signed-in user is counted by account; a guest by the guest cookie and by a keyed hash of the
client address (the same as for code pages), so clearing cookies does not reset a guest's allowance.
"""

from dataclasses import asdict

from django.http import HttpRequest

from accounts import quota

METER = "casepilot_questions"


class Spent(quota.Spent):
    """The meter's answer, with what CasePilot tells the asker when the day's questions are spent."""

    @property
    def message(self) -> str:
        if self.allowed:
            return ""
        if self.plan == "guest":
            return (
                f"You have asked the {self.allowance} questions a guest may ask CasePilot today. "
                "Sign in or create a free account to ask more; the allowance starts over tomorrow (UTC)."
            )
        return (
            f"You have asked the {self.allowance} questions your {self.plan} plan allows today. "
            "The allowance starts over tomorrow (UTC)."
        )


def spend(request: HttpRequest) -> Spent:
    """Count one question against every counter of the asker, or none when one is full."""
    return Spent(**asdict(quota.for_request(request).spend(METER)))


def remaining(request: HttpRequest) -> Spent:
    """The asker's allowance and use today, without spending."""
    return Spent(**asdict(quota.for_request(request).look(METER)))
