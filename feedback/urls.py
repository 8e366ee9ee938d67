from django.urls import path

from . import editing, views, views_merge, views_similar, views_topics

app_name = "feedback"
urlpatterns = [
    path("", views.feedback_list, name="list"),
    path("new/", views.feedback_new, name="new"),
    path("similar/", views_similar.feedback_similar, name="similar"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("topics/", views_topics.topics_moderation, name="topics"),
    path("topics/<int:pk>/approve/", views_topics.topic_approve, name="topic_approve"),
    path("topics/<int:pk>/rename/", views_topics.topic_rename, name="topic_rename"),
    path("topics/<int:pk>/merge/", views_topics.topic_merge, name="topic_merge"),
    path("topics/<int:pk>/retire/", views_topics.topic_retire, name="topic_retire"),
    path("preview/", editing.markdown_preview, name="preview"),
    path("<int:pk>/", views.feedback_detail, name="detail"),
    path("<int:pk>/edit/", editing.feedback_edit, name="edit"),
    path("<int:pk>/withdraw/", editing.feedback_withdraw, name="withdraw"),
    path("<int:pk>/history/", editing.feedback_history, name="history"),
    path("<int:pk>/vote/", views.vote_set, name="vote"),
    path("<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("<int:pk>/answer/", views.feedback_answer, name="answer"),
    path("<int:pk>/report/", views.report, {"target": "post"}, name="report"),
    path("<int:pk>/merge/", views_merge.feedback_merge, name="merge"),
    path("merges/<int:pk>/", views_merge.merge_detail, name="merge_detail"),
    path("merges/<int:pk>/undo/", views_merge.merge_undo, name="merge_undo"),
    path("<int:pk>/moderate/", views.moderate, {"target": "post"}, name="moderate"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/report/", views.report, {"target": "comment"}, name="comment_report"),
    path("comments/<int:pk>/moderate/", views.moderate, {"target": "comment"}, name="comment_moderate"),
]
