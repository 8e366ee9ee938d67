from django.urls import path

from . import views

app_name = "pilots"
urlpatterns = [
    path("movements/<uslug:slug>/measures/", views.measures, name="measures"),
    path("movements/<uslug:slug>/measures/record/", views.measure_record, name="measure_record"),
    path("movements/<uslug:slug>/pulse/", views.pulse_answer, name="pulse_answer"),
    path("movements/<uslug:slug>/proposal/", views.proposal, name="proposal"),
]
