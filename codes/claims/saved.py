"""A user's saved claims in their data export (the model: codes/models/claims.py)."""

from __future__ import annotations

from accounts.privacy import iso
from codes.models import SavedClaim


def export(user) -> dict:
    """The saved claims of a user's data export (they go with the user row by CASCADE)."""
    return {
        "saved_claims": [
            {"name": s.name, "claim": s.claim, "created": iso(s.created), "updated": iso(s.updated)}
            for s in SavedClaim.objects.filter(user=user).order_by("created")
        ]
    }
