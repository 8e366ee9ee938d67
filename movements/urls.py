from django.urls import path

from . import views

app_name = "movements"
urlpatterns = [
    path("", views.movement_list, name="list"),
    path("new/", views.movement_start, name="new"),
    path("<slug:slug>/", views.movement_detail, name="detail"),
]
