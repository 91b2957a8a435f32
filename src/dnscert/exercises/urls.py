"""URL routes of exercises: ``/exercises/`` for staff, ``/exercises/<ref>/play/`` for members."""

from django.urls import URLPattern, path

from dnscert.exercises import portal, room, views

app_name = "exercises"
_ex = "exercises/<str:reference>/"
urlpatterns: list[URLPattern] = [
    path("exercises/", views.exercise_list, name="list"),
    path("exercises/new/", views.exercise_create, name="create"),
    path("exercises/mine/", views.my_exercises, name="mine"),
    path(_ex, views.detail, name="detail"),
    path(_ex + "edit/", views.exercise_edit, name="edit"),
    path(_ex + "participants/", views.participants, name="participants"),
    path(
        _ex + "participants/<int:pk>/remove/",
        views.participant_remove,
        name="participant-remove",
    ),
    path(_ex + "injects/", views.injects, name="injects"),
    path(_ex + "injects/<int:pk>/edit/", views.inject_edit, name="inject-edit"),
    path(_ex + "injects/<int:pk>/delete/", views.inject_delete, name="inject-delete"),
    path(_ex + "injects/<int:pk>/move/", views.inject_move, name="inject-move"),
    path(_ex + "injects/<int:pk>/answer/", portal.answer, name="answer"),
    path(_ex + "control/", room.control_room, name="control"),
    path(_ex + "control/clock/", room.control, name="clock"),
    path(_ex + "control/send-now/", room.send_now, name="send-now"),
    path(_ex + "control/notes/", room.add_note, name="add-note"),
    path(_ex + "report/", room.report_page, name="report"),
    path(_ex + "report/objectives/<int:pk>/", room.assess_objective, name="assess-objective"),
    path(_ex + "report/lessons/", room.lessons, name="lessons"),
    path(_ex + "play/", portal.play, name="play"),
]
