"""The website's contact form (policy §7) and its receipt page."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from serop.abuse import check_rate_limits, honeypot_filled

from .forms import ContactForm, page_language
from .services import enquiry_create

T = "public/customers/"


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, T + "contact.html", {"form": ContactForm()})
    check_rate_limits(request, "contact")
    if honeypot_filled(request):
        return redirect("customers_public:contact_received")  # looks accepted; nothing kept
    form = ContactForm(request.POST)
    if not form.is_valid():
        return render(request, T + "contact.html", {"form": form}, status=400)
    enquiry_create(
        topics=form.cleaned_data["topics"],
        name=form.cleaned_data["name"],
        email=form.cleaned_data["email"],
        phone=form.cleaned_data["phone"],
        message=form.cleaned_data["message"],
        language=page_language(),
        request=request,
    )
    return redirect("customers_public:contact_received")


@login_not_required
@require_http_methods(["GET", "HEAD"])
def received(request: HttpRequest) -> HttpResponse:
    return render(request, T + "contact_received.html")
