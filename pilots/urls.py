from django.urls import path

from . import views

app_name = "pilots"
urlpatterns = [
    path("movements/<slug:slug>/measures/", views.measures, name="measures"),
    path("movements/<slug:slug>/measures/record/", views.measure_record, name="measure_record"),
    path("movements/<slug:slug>/pulse/", views.pulse_answer, name="pulse_answer"),
    path("movements/<slug:slug>/proposal/", views.proposal, name="proposal"),
]
