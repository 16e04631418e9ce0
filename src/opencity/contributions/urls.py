from django.urls import path

from opencity.contributions import views

app_name = "contributions"

urlpatterns = [
    path("contributions/mine", views.mine, name="mine"),
    path("contributions/statement/<slug:host_slug>/<int:year>.pdf", views.statement, name="statement"),
    path("contributions/<str:public_id>/thanks", views.thanks, name="thanks"),
    path("contributions/<str:public_id>/receipt.pdf", views.receipt, name="receipt"),
    path("contributions/<str:public_id>/confirm/<str:token>", views.confirm_identity, name="confirm_identity"),
    path("contributions/<str:public_id>/refund", views.refund, name="refund"),
    path("memberships/cancel/<str:token>", views.cancel_by_token, name="recurring_cancel_token"),
    path("memberships/<str:public_id>/cancel", views.cancel, name="recurring_cancel"),
    path("<slug:slug>/contribute", views.checkout, name="checkout"),
    path("<slug:slug>/contribute/<slug:tier>", views.checkout, name="checkout_tier"),
    path("<slug:slug>/contributions", views.manage, name="manage"),
]
