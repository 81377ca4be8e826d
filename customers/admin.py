"""Customers, the webshop, references, partners, newsletter subscribers and website enquiries in
the admin. Mandate bank details are encrypted: on change forms only, never searched or listed."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from privacy.admin_mixins import PersonalDataAdmin, PersonalDataInline
from privacy.import_export import PersonalDataImportExportMixin

from .models import (
    BetalingsserviceMandate,
    Company,
    ContactEnquiry,
    ContactPerson,
    CustomerReference,
    NewsletterIssue,
    NewsletterSubscriber,
    OrderLine,
    Partner,
    Subscription,
    WebshopOrder,
)
from .newsletter import IssueAlreadySent, issue_queue, recipients
from .resources import (
    CompanyResource,
    ContactPersonResource,
    NewsletterSubscriberResource,
    WebshopOrderResource,
)
from .woocommerce import WooCommerceOrderResource

PERSON_RECORD_FIELDS = ["public_id", "is_restricted", "restricted_at", "restriction_reason"]
MARKETING_PERMISSION_LIST = [
    "contact_name",
    "is_published",
    "permission_given_at",
    "permission_withdrawn_at",
]


# Inline rows print str(row), which names the customer: fetch it with the rows.
class ContactPersonInline(PersonalDataInline, admin.TabularInline):
    model = ContactPerson
    extra = 0
    show_change_link = True
    fields = ["first_name", "last_name", "title", "email", "phone", "is_primary"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContactPerson]:
        return super().get_queryset(request).select_related("company")


class BetalingsserviceMandateInline(PersonalDataInline, admin.TabularInline):
    model = BetalingsserviceMandate
    extra = 0
    show_change_link = True
    fields = [
        "pbs_customer_number",
        "cvr",
        "reg_no",
        "account_no",
        "status",
        "registered_on",
        "cancelled_on",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BetalingsserviceMandate]:
        return super().get_queryset(request).select_related("company")


class SubscriptionInline(PersonalDataInline, admin.TabularInline):
    model = Subscription
    extra = 0
    show_change_link = True
    fields = ["product", "mandate", "monthly_price", "started_on", "ended_on"]
    autocomplete_fields = ["mandate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subscription]:
        return super().get_queryset(request).select_related("company", "mandate__company")


@admin.register(Company)
class CompanyAdmin(PersonalDataImportExportMixin, PersonalDataAdmin):
    resource_classes = [CompanyResource]
    list_display = [
        "name",
        "cvr",
        "customer_number",
        "status",
        "city",
        "customer_since",
        "relationship_ended_on",
    ]
    list_filter = ["status"]
    search_fields = ["name", "cvr", "customer_number", "email"]
    show_full_result_count = False
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ContactPersonInline, BetalingsserviceMandateInline, SubscriptionInline]


@admin.register(ContactPerson)
class ContactPersonAdmin(PersonalDataImportExportMixin, PersonalDataAdmin):
    resource_classes = [ContactPersonResource]
    list_display = ["last_name", "first_name", "company", "title", "email", "phone", "is_primary"]
    list_select_related = ["company"]
    list_filter = ["is_primary", "is_restricted"]
    search_fields = ["first_name", "last_name", "email", "company__name"]
    show_full_result_count = False
    autocomplete_fields = ["company"]
    readonly_fields = PERSON_RECORD_FIELDS


@admin.register(BetalingsserviceMandate)
class BetalingsserviceMandateAdmin(PersonalDataAdmin):
    list_display = ["company", "pbs_customer_number", "cvr", "status", "registered_on"]
    list_select_related = ["company"]
    list_filter = ["status"]
    search_fields = ["pbs_customer_number", "cvr", "company__name"]
    date_hierarchy = "registered_on"
    show_full_result_count = False
    autocomplete_fields = ["company"]


@admin.register(Subscription)
class SubscriptionAdmin(PersonalDataAdmin):
    list_display = ["company", "product", "monthly_price", "started_on", "ended_on"]
    list_select_related = ["company"]
    list_filter = ["product", ("ended_on", admin.EmptyFieldListFilter)]
    search_fields = ["company__name", "company__cvr", "company__customer_number"]
    date_hierarchy = "started_on"
    show_full_result_count = False
    autocomplete_fields = ["company", "mandate"]


class OrderLineInline(PersonalDataInline, admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["product", "quantity", "unit_price"]


@admin.register(WebshopOrder)
class WebshopOrderAdmin(PersonalDataImportExportMixin, PersonalDataAdmin):
    resource_classes = [WebshopOrderResource]
    import_resource_classes = [WooCommerceOrderResource, WebshopOrderResource]
    list_display = [
        "order_number",
        "placed_at",
        "last_name",
        "first_name",
        "company_name",
        "email",
        "status",
        "total",
        "currency",
    ]
    list_filter = ["status", ("anonymised_at", admin.EmptyFieldListFilter), "is_restricted"]
    search_fields = [
        "order_number",
        "last_name",
        "first_name",
        "company_name",
        "email",
        "=gateway_transaction_ref",
    ]
    date_hierarchy = "placed_at"
    show_full_result_count = False
    autocomplete_fields = ["company"]
    readonly_fields = ["anonymised_at", *PERSON_RECORD_FIELDS]
    inlines = [OrderLineInline]


@admin.register(CustomerReference)
class CustomerReferenceAdmin(PersonalDataAdmin):
    list_display = ["company", *MARKETING_PERMISSION_LIST]
    list_select_related = ["company"]
    list_filter = ["is_published", ("permission_withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["company__name", "contact_name", "contact_email"]
    date_hierarchy = "permission_given_at"
    show_full_result_count = False
    autocomplete_fields = ["company"]


@admin.register(Partner)
class PartnerAdmin(PersonalDataAdmin):
    list_display = ["name", *MARKETING_PERMISSION_LIST]
    list_filter = ["is_published", ("permission_withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "contact_name", "contact_email"]
    date_hierarchy = "permission_given_at"
    show_full_result_count = False


@admin.register(NewsletterSubscriber)
class NewsletterSubscriberAdmin(PersonalDataImportExportMixin, PersonalDataAdmin):
    resource_classes = [NewsletterSubscriberResource]
    list_display = [
        "email",
        "status",
        "language",
        "subscribed_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    list_filter = ["status", "language", "is_restricted"]
    search_fields = ["email"]
    date_hierarchy = "subscribed_at"
    show_full_result_count = False
    readonly_fields = PERSON_RECORD_FIELDS


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(admin.ModelAdmin):
    """Write an issue in both languages, then send it with the action: each confirmed
    subscriber gets it once, in their language (customers/newsletter.py). A sent issue is
    read-only."""

    list_display = ["subject_da", "created_at", "sent_at", "recipient_count"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject_da", "subject_en"]
    fields = ["subject_da", "body_da", "subject_en", "body_en", "sent_at", "recipient_count"]
    readonly_fields = ["sent_at", "recipient_count"]
    actions = ["send"]

    def get_readonly_fields(self, request: HttpRequest, obj: NewsletterIssue | None = None) -> Any:
        if obj is not None and obj.sent_at is not None:
            return self.fields
        return self.readonly_fields

    @admin.action(description=_("Send to the confirmed subscribers"), permissions=["change"])
    def send(self, request: HttpRequest, queryset: QuerySet[NewsletterIssue]) -> None:
        sent = 0
        for issue in queryset.order_by("pk"):
            try:
                issue_queue(issue_id=issue.pk, request=request)
            except IssueAlreadySent:
                self.message_user(
                    request,
                    _("“%(subject)s” was sent already; it is not sent again.")
                    % {"subject": issue.subject_da},
                    messages.WARNING,
                )
                continue
            sent += 1
        if sent:
            self.message_user(
                request,
                _("%(count)d issue(s) queued for sending to %(people)d confirmed subscribers.")
                % {"count": sent, "people": recipients().count()},
                messages.SUCCESS,
            )


@admin.register(ContactEnquiry)
class ContactEnquiryAdmin(PersonalDataAdmin):
    list_display = [
        "received_at",
        "name",
        "email",
        "phone",
        "topic_list",
        "handled_at",
        "handled_by",
    ]
    list_select_related = ["handled_by"]
    list_filter = [("handled_at", admin.EmptyFieldListFilter), "language", "is_restricted"]
    search_fields = ["name", "email", "phone", "message"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    autocomplete_fields = ["handled_by"]
    readonly_fields = PERSON_RECORD_FIELDS

    @admin.display(description=_("topics"))
    def topic_list(self, obj: ContactEnquiry) -> str:
        labels = dict(ContactEnquiry.Topic.choices)
        return ", ".join(str(labels.get(topic, topic)) for topic in obj.topics)
