"""Being signed in to the personal data page: the candidate's id in the session under
SESSION_KEY, for SELF_SERVICE_SESSION_MINUTES after the last request. There is no password:
the only way in is a sign-in link (candidates/public/tokens.py)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.cache import never_cache

from candidates.activity import ActivityKind
from candidates.models import Candidate
from candidates.services import candidate_record_activity
from privacy.audit import Action, audit

# Shared with candidates/files.py, which lets the candidate download their own documents.
SESSION_KEY = "serop_self_service_candidate"
OUTCOME_KEY = "serop_self_service_outcome"  # the deletion outcome, shown once after sign-out


@transaction.atomic
def sign_in(request: HttpRequest, candidate: Candidate) -> None:
    """Open the personal data page for ``candidate``. Setting ``self_service_login_at`` voids
    the link just used and every older one (single use)."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    now = timezone.now()
    candidate.self_service_login_at = now
    candidate.save(update_fields=["self_service_login_at", "updated_at"])
    candidate_record_activity(candidate=candidate, kind=ActivityKind.SELF_SERVICE_LOGIN, at=now)
    audit(
        Action.LOGIN,
        request=request,
        obj=candidate,
        detail="signed in to the personal data page with an emailed link",
    )
    request.session.cycle_key()  # no session fixation
    request.session[SESSION_KEY] = candidate.pk
    request.session.set_expiry(settings.SELF_SERVICE_SESSION_MINUTES * 60)


def sign_out(request: HttpRequest, candidate: Candidate | None = None) -> None:
    if candidate is not None:
        audit(
            Action.LOGOUT,
            request=request,
            obj=candidate,
            detail="signed out of the personal data page",
        )
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def signed_in_candidate(request: HttpRequest) -> Candidate | None:
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return Candidate.objects.filter(
        pk=pk, status=Candidate.Status.ACTIVE, is_restricted=False
    ).first()


def candidate_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The view gets the signed-in candidate as its second argument; without one, the visitor
    is sent to the form that emails a sign-in link."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        candidate = signed_in_candidate(request)
        if candidate is None:
            request.session.pop(SESSION_KEY, None)
            return redirect("candidates_public:magic_link")
        response = view(request, candidate, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        # same-origin, not no-referrer: the link's token never leaves the site, and the page's own
        # forms still send the Origin that Django's CSRF check needs ("null" fails it).
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return login_not_required(never_cache(wrapper))
