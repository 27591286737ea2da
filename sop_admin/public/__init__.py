"""The public side: /lacak (status page) and GET /api/v1/track, no login."""

from .views import bp

__all__ = ["bp"]
