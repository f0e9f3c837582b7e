from django.contrib import admin

from xiezuo.ledgers.models import (
    Agreement,
    Donation,
    Fund,
    Investment,
    LabourTransfer,
    Meeting,
    Project,
    ProjectBeneficiary,
    Purchase,
    Secondment,
    SubPairing,
    Training,
    Visit,
)


class LedgerAdmin(admin.ModelAdmin):
    """Common settings: ledgers show region codes (no join per row) and are filtered by pairing."""

    list_per_page = 50
    show_full_result_count = False  # a count over 200,000 rows on every page is wasted work


@admin.register(Visit)
class VisitAdmin(LedgerAdmin):
    list_display = [
        "start_date",
        "end_date",
        "origin_id",
        "destination_id",
        "leader",
        "leader_category",
        "pairing",
    ]
    list_filter = ["pairing", "leader_category"]
    date_hierarchy = "start_date"
    search_fields = ["leader", "purpose", "^origin__code", "^destination__code"]
    raw_id_fields = ["origin", "destination"]


@admin.register(Meeting)
class MeetingAdmin(LedgerAdmin):
    list_display = ["date", "name", "helper_id", "recipient_id", "pairing"]
    list_filter = ["pairing"]
    date_hierarchy = "date"
    search_fields = ["name", "^helper__code", "^recipient__code"]
    raw_id_fields = ["helper", "recipient"]


@admin.register(Agreement)
class AgreementAdmin(LedgerAdmin):
    list_display = [
        "name",
        "helper_id",
        "recipient_id",
        "signed_date",
        "effective_date",
        "end_date",
        "pairing",
    ]
    list_filter = ["pairing"]
    date_hierarchy = "effective_date"
    search_fields = ["name", "^helper__code", "^recipient__code"]
    raw_id_fields = ["helper", "recipient"]


@admin.register(Secondment)
class SecondmentAdmin(LedgerAdmin):
    list_display = [
        "name",
        "category",
        "sender_id",
        "posting_id",
        "start_date",
        "end_date",
        "pairing",
    ]
    list_filter = ["pairing", "category"]
    date_hierarchy = "start_date"
    search_fields = ["name", "id_number", "^sender__code", "^posting__code"]
    raw_id_fields = ["sender", "posting"]


@admin.register(Training)
class TrainingAdmin(LedgerAdmin):
    list_display = [
        "name",
        "audience",
        "host_id",
        "recipient_id",
        "start_date",
        "end_date",
        "person_times",
        "pairing",
    ]
    list_filter = ["pairing", "audience"]
    date_hierarchy = "end_date"
    search_fields = ["name", "^host__code", "^recipient__code"]
    raw_id_fields = ["host", "recipient"]


@admin.register(Fund)
class FundAdmin(LedgerAdmin):
    list_display = [
        "year",
        "helper_id",
        "recipient_id",
        "source",
        "amount",
        "paid_date",
        "pairing",
    ]
    list_filter = ["pairing", "source", "year"]
    search_fields = ["^helper__code", "^recipient__code"]
    raw_id_fields = ["helper", "recipient"]


class ProjectBeneficiaryInline(admin.TabularInline):
    model = ProjectBeneficiary
    raw_id_fields = ["household"]
    extra = 0


@admin.register(Project)
class ProjectAdmin(LedgerAdmin):
    list_display = [
        "project_no",
        "name",
        "year",
        "category",
        "fiscal_aid",
        "disbursed",
        "status",
        "closely_linked",
        "pairing",
    ]
    list_filter = ["pairing", "year", "category", "status", "closely_linked"]
    search_fields = ["project_no", "name", "^site__code"]
    raw_id_fields = ["helper", "recipient", "site"]
    inlines = [ProjectBeneficiaryInline]


@admin.register(Investment)
class InvestmentAdmin(LedgerAdmin):
    list_display = [
        "year",
        "enterprise",
        "credit_code",
        "location_id",
        "amount",
        "poor_people_driven",
        "pairing",
    ]
    list_filter = ["pairing", "year"]
    search_fields = ["enterprise", "credit_code", "^location__code"]
    raw_id_fields = ["helper", "location"]


@admin.register(LabourTransfer)
class LabourTransferAdmin(LedgerAdmin):
    list_display = [
        "household",
        "employer",
        "workplace_code",
        "start_date",
        "end_date",
        "organisation",
        "pairing",
    ]
    list_filter = ["pairing", "organisation"]
    date_hierarchy = "start_date"
    search_fields = ["id_number", "^household__household_no", "employer", "workplace_code"]
    raw_id_fields = ["household"]


@admin.register(Purchase)
class PurchaseAdmin(LedgerAdmin):
    list_display = ["date", "purchaser", "product", "buyer_id", "origin_id", "amount", "pairing"]
    list_filter = ["pairing"]
    date_hierarchy = "date"
    search_fields = ["purchaser", "product", "^buyer__code", "^origin__code"]
    raw_id_fields = ["buyer", "origin"]


@admin.register(Donation)
class DonationAdmin(LedgerAdmin):
    list_display = ["date", "donor", "category", "amount", "recipient_id", "pairing"]
    list_filter = ["pairing", "category"]
    date_hierarchy = "date"
    search_fields = ["donor", "^helper__code", "^recipient__code"]
    raw_id_fields = ["helper", "recipient"]


@admin.register(SubPairing)
class SubPairingAdmin(LedgerAdmin):
    list_display = [
        "entity_name",
        "entity_type",
        "entity_code",
        "target_type",
        "target_id",
        "start_date",
        "end_date",
        "pairing",
    ]
    list_filter = ["pairing", "entity_type", "target_type"]
    date_hierarchy = "start_date"
    search_fields = ["entity_name", "entity_code", "^target__code"]
    raw_id_fields = ["helper", "target"]
