"""What the JSON API's views share in reading their parameters."""

from django.http import HttpRequest


def limit_param(request: HttpRequest, errors: list[str], *, default: int, most: int) -> int:
    """The request's `limit`: a whole number from 1 to `most`, `default` when it is absent.

    A bad value adds its message to `errors` (the view answers 400 with all of them at once).
    """
    value = request.GET.get("limit") or str(default)
    if value.isdigit() and 1 <= int(value) <= most:
        return int(value)
    errors.append(f"limit must be a whole number from 1 to {most}.")
    return default
