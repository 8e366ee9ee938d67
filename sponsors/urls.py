from django.urls import path

from . import views

app_name = "sponsors"
urlpatterns = [
    path("movements/<uslug:slug>/sponsors/ask/", views.sponsor_ask, name="ask"),
    path("movements/<uslug:slug>/support/new/", views.support_new, name="support_new"),
    path("movements/<uslug:slug>/sanction/", views.sanction, name="sanction"),
    path("movements/<uslug:slug>/sanction/withdraw/", views.sanction_withdraw, name="sanction_withdraw"),
    path("sponsorships/<int:pk>/", views.sponsorship_answer, name="answer"),
    path("support/<int:pk>/answer/", views.support_answer, name="support_answer"),
]
