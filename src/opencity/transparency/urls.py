from django.urls import path

from opencity.ledger import views as ledger_views
from opencity.transparency import views, views_insights

app_name = "transparency"

urlpatterns = [
    path("<slug:slug>/transactions", views.transactions, name="transactions"),
    path("<slug:slug>/transactions/", views.transactions),
    path("<slug:slug>/insights", views_insights.insights_page, name="insights"),
    path("<slug:slug>/give", ledger_views.give, name="give"),
    # Host admins: the host's books.
    path("<slug:slug>/admin/ledger", ledger_views.host_ledger, name="host_ledger"),
    path("<slug:slug>/admin/ledger/added-funds", ledger_views.added_funds_create, name="added_funds_create"),
    path(
        "<slug:slug>/admin/ledger/added-funds/<str:journal_id>/reverse",
        ledger_views.added_funds_reverse,
        name="added_funds_reverse",
    ),
    path("<slug:slug>/admin/ledger/general-ledger.csv", ledger_views.general_ledger_csv, name="general_ledger_csv"),
    path("<slug:slug>/admin/ledger/balances", ledger_views.balance_report, name="balance_report"),
]
