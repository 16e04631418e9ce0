"""Expense pages, mounted at the site root inside the language prefix, before the `<slug>/` catch-all."""

from django.urls import path

from opencity.expenses import views, views_host, views_receipts

app_name = "expenses"

urlpatterns = [
    path("expenses/mine", views.my_expenses, name="mine"),
    path("<slug:slug>/expenses", views.expense_list, name="list"),
    path("<slug:slug>/expenses/new", views.expense_new, name="new"),
    path("<slug:slug>/expenses/receipts/upload", views_receipts.receipt_upload, name="receipt_upload"),
    path("<slug:slug>/expenses/receipts/remove", views_receipts.receipt_remove, name="receipt_remove"),
    path("<slug:slug>/expenses/<str:public_id>", views.expense_detail, name="detail"),
    path("<slug:slug>/expenses/<str:public_id>/edit", views.expense_edit, name="edit"),
    path("<slug:slug>/expenses/<str:public_id>/do/<str:action>", views.expense_action, name="action"),
    path("<slug:slug>/expenses/<str:public_id>/receipts/<str:item_id>", views.receipt_download, name="receipt"),
    path("<slug:slug>/admin/expenses", views_host.dashboard, name="host_dashboard"),
    path("<slug:slug>/admin/expenses/pay", views_host.pay_selected, name="host_pay"),
    path("<slug:slug>/admin/expenses/categories", views_host.category_add, name="host_category_add"),
    path("<slug:slug>/admin/expenses/export.csv", views_host.expenses_csv, name="host_csv"),
    path("<slug:slug>/admin/expenses/batches/<str:public_id>", views_host.batch_detail, name="batch"),
    path("<slug:slug>/admin/expenses/batches/<str:public_id>/file", views_host.batch_file, name="batch_file"),
    path(
        "<slug:slug>/admin/expenses/batches/<str:public_id>/do/<str:action>",
        views_host.batch_action,
        name="batch_action",
    ),
]
