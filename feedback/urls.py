from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.feedback_list, name="list"),
    path("new/", views.feedback_new, name="new"),
    path("<int:pk>/", views.feedback_detail, name="detail"),
]
