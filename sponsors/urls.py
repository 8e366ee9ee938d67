from django.urls import path

from . import views

app_name = "sponsors"
urlpatterns = [
    path("movements/<slug:slug>/sponsors/ask/", views.sponsor_ask, name="ask"),
    path("movements/<slug:slug>/support/new/", views.support_new, name="support_new"),
    path("movements/<slug:slug>/sanction/", views.sanction, name="sanction"),
    path("movements/<slug:slug>/sanction/withdraw/", views.sanction_withdraw, name="sanction_withdraw"),
    path("sponsorships/<int:pk>/", views.sponsorship_answer, name="answer"),
    path("support/<int:pk>/answer/", views.support_answer, name="support_answer"),
]
