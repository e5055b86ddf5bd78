"""Admin registrations for casepilot; each feature keeps its own module."""

from . import consult_admin  # noqa: F401  (CaseConsultant)
