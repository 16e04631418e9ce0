"""The host's bank pages, mounted at the site root inside the language prefix, before the `<slug>/` catch-all."""

from django.urls import path

from opencity.banking import views

app_name = "banking"

urlpatterns = [
    path("<slug:slug>/admin/bank", views.index, name="index"),
    path("<slug:slug>/admin/bank/accounts", views.account_add, name="account_add"),
    path("<slug:slug>/admin/bank/upload", views.upload, name="upload"),
    path("<slug:slug>/admin/bank/unmatched", views.unmatched, name="unmatched"),
    path("<slug:slug>/admin/bank/statements/<str:public_id>", views.statement, name="statement"),
    path("<slug:slug>/admin/bank/lines/<str:public_id>/do/<str:action>", views.line_action, name="line_action"),
    path(
        "<slug:slug>/admin/bank/accounts/<str:public_id>/reconciliation",
        views.account_reconciliation,
        name="reconciliation",
    ),
    path(
        "<slug:slug>/admin/bank/accounts/<str:public_id>/reconciliation.csv",
        views.account_reconciliation_csv,
        name="reconciliation_csv",
    ),
]
