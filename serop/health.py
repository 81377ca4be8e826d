"""``/healthz``: a liveness probe for load balancers and ``docker compose`` health checks.

It answers "ok" without touching the database, the cache or the session, so it says only that
the web process serves requests through the whole middleware stack. That also makes it the
trivial view that ``bench/signup`` measures as its baseline.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
