from django.urls import path

from . import editing, invitations, views, views_similar, views_supersede

app_name = "movements"
urlpatterns = [
    path("", views.movement_list, name="list"),
    path("new/", views.movement_start, name="new"),
    path("similar/", views_similar.movement_similar, name="similar"),
    path("invitations/<str:token>/", views.invitation_respond, name="invitation"),
    path("<uslug:slug>/", views.movement_detail, name="detail"),
    path("<uslug:slug>/members/", views.movement_members, name="members"),
    path("<uslug:slug>/edit/", views.movement_edit, name="edit"),
    path("<uslug:slug>/follow/", views.movement_follow, name="follow"),
    path("<uslug:slug>/leave/", views.movement_leave, name="leave"),
    path("<uslug:slug>/roles/", views.roles_manage, name="roles"),
    path("<uslug:slug>/roles/<int:pk>/edit/", views.role_edit, name="role_edit"),
    path("<uslug:slug>/roles/<int:pk>/delete/", views.role_delete, name="role_delete"),
    path("<uslug:slug>/roles/<int:pk>/claim/", views.role_claim, name="role_claim"),
    path("<uslug:slug>/roles/<int:pk>/release/", views.role_release, name="role_release"),
    path("<uslug:slug>/roles/<int:pk>/assign/", views.role_assign, name="role_assign"),
    path("<uslug:slug>/leads/<int:membership_id>/add/", views.lead_add, name="lead_add"),
    path("<uslug:slug>/leads/step-down/", views.lead_step_down, name="lead_step_down"),
    path("<uslug:slug>/invite/", views.invite, name="invite"),
    path("<uslug:slug>/join/<int:person_id>/<str:token>/", views.recruit, name="recruit"),
    path("<uslug:slug>/updates/", views.update_post, name="update_post"),
    path("<uslug:slug>/invitations/<int:pk>/resend/", invitations.invitation_resend, name="invitation_resend"),
    path("<uslug:slug>/invitations/<int:pk>/cancel/", invitations.invitation_cancel, name="invitation_cancel"),
    path("<uslug:slug>/updates/<int:pk>/edit/", editing.update_edit, name="update_edit"),
    path("<uslug:slug>/updates/<int:pk>/history/", editing.update_history, name="update_history"),
    path("<uslug:slug>/welcome/", views.welcome, name="welcome"),
    path("<uslug:slug>/pilot/", views.pilot, name="pilot"),
    path("<uslug:slug>/decision/", views.decision, name="decision"),
    path("<uslug:slug>/supersede/", views_supersede.movement_supersede, name="supersede"),
]
