"""REST API of exercises; ``register`` adds its endpoints to the router.

Staff plan and control exercises (create, change, participants, clock, ad-hoc injects,
report); members list the exercises their organisation plays, the injects delivered to it,
their own answers, and answer. Every lookup goes through :mod:`dnscert.exercises.scope`
(404 when hidden).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.serializers import BaseSerializer

from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import IsSignedIn
from dnscert.core.visibility import is_core_staff
from dnscert.directory.models import Contact, Organisation
from dnscert.exercises import export, report, scope, services
from dnscert.exercises.models import Exercise, Inject
from dnscert.exercises.models import Response as Answer
from dnscert.exercises.serializers import (
    AddExerciseParticipantSerializer,
    AdHocInjectSerializer,
    ExerciseControlSerializer,
    ExerciseParticipantSerializer,
    ExerciseSerializer,
    ExerciseWriteSerializer,
    InjectAnswerSerializer,
    InjectResponseSerializer,
    InjectSerializer,
    InjectWriteSerializer,
    MemberExerciseSerializer,
    MemberInjectSerializer,
)

EXERCISE_REF = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="exercise reference"
)


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


def _staff_only(request: Request) -> None:
    if not is_core_staff(request.user):
        raise PermissionDenied("Only core staff control exercises.")


def _valid(serializer_class: type[BaseSerializer[Any]], request: Request) -> dict[str, Any]:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class ExerciseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Exercise],
):
    """Exercises the caller may open; staff plan, change and control them."""

    permission_classes = [IsSignedIn]
    lookup_field = "reference"
    queryset = Exercise.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Exercise]:
        rows = scope.exercises_for(self.request.user).order_by("-planned_start", "-id")
        return rows.prefetch_related("objectives", "participants__organisation", "control_team")

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if getattr(self, "swagger_fake_view", False) or is_core_staff(self.request.user):
            return ExerciseSerializer
        return MemberExerciseSerializer

    @extend_schema(request=ExerciseWriteSerializer, responses={201: ExerciseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _staff_only(request)
        try:
            exercise = services.create_exercise(
                by=request.user, **_valid(ExerciseWriteSerializer, request)
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ExerciseSerializer(exercise).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExerciseWriteSerializer, responses=ExerciseSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _staff_only(request)
        exercise = self.get_object()
        data = ExerciseWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            updated = services.update_exercise(exercise, by=request.user, **data.validated_data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ExerciseSerializer(updated).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=ExerciseControlSerializer, responses=ExerciseSerializer)
    @action(detail=True, methods=["post"])
    def control(self, request: Request, reference: str) -> Response:
        """Start, pause, resume or end the exercise."""
        _staff_only(request)
        exercise = self.get_object()
        try:
            updated = services.control(
                exercise, _valid(ExerciseControlSerializer, request)["action"], by=request.user
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ExerciseSerializer(updated).data)

    @extend_schema(
        request=AddExerciseParticipantSerializer, responses={201: ExerciseParticipantSerializer}
    )
    @action(detail=True, methods=["post"])
    def participants(self, request: Request, reference: str) -> Response:
        """Add an organisation (or change who plays for it)."""
        _staff_only(request)
        exercise = self.get_object()
        data = _valid(AddExerciseParticipantSerializer, request)
        organisation = get_object_or_404(Organisation, pk=data["organisation"])
        contacts = list(Contact.objects.filter(pk__in=data.get("contacts") or []))
        if len(contacts) != len(set(data.get("contacts") or [])):
            raise ValidationError({"contacts": ["unknown contact id"]})
        try:
            participant = services.add_participant(
                exercise, organisation, by=request.user, contacts=contacts
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(
            ExerciseParticipantSerializer(participant).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=AdHocInjectSerializer, responses={201: InjectSerializer})
    @action(detail=True, methods=["post"], url_path="send-now")
    def send_now(self, request: Request, reference: str) -> Response:
        """An ad-hoc inject, delivered at once."""
        _staff_only(request)
        exercise = self.get_object()
        data = _valid(AdHocInjectSerializer, request)
        data["recipients"] = _participants(exercise, data.get("recipients"))
        try:
            inject = services.send_now(exercise, by=request.user, **data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(InjectSerializer(inject).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def report(self, request: Request, reference: str) -> Response:
        """The after-action figures (as ``dnscert exercise report REF --format json``)."""
        _staff_only(request)
        return Response(export.to_dict(report.build(self.get_object())))


def _participants(exercise: Exercise, organisation_ids: list[int] | None) -> list[Any]:
    ids = set(organisation_ids or [])
    rows = list(exercise.participants.filter(organisation_id__in=ids))
    if len(rows) != len(ids):
        raise ValidationError({"recipients": ["only organisations taking part in the exercise"]})
    return rows


class _ExerciseChild:
    """Nested under an exercise: the exercise comes from the URL, through the scope rule."""

    def exercise(self) -> Exercise:
        view: Any = self
        return scope.get_exercise_or_404(view.request.user, view.kwargs["reference"])


@extend_schema(parameters=[EXERCISE_REF])
class InjectViewSet(
    _ExerciseChild,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Inject],
):
    """Injects: every one for staff, those delivered to their organisation for members."""

    permission_classes = [IsSignedIn]
    queryset = Inject.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Inject]:
        rows = scope.injects_for(self.request.user, self.exercise())
        return rows.prefetch_related("recipients").order_by("position", "id")

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if getattr(self, "swagger_fake_view", False) or is_core_staff(self.request.user):
            return InjectSerializer
        return MemberInjectSerializer

    def _write(self, request: Request, exercise: Exercise, partial: bool = False) -> dict[str, Any]:
        data = InjectWriteSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["recipients"] = _participants(exercise, values.get("recipients"))
        return values

    @extend_schema(request=InjectWriteSerializer, responses={201: InjectSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _staff_only(request)
        exercise = self.exercise()
        try:
            inject = services.add_inject(
                exercise, by=request.user, **self._write(request, exercise)
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(InjectSerializer(inject).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InjectWriteSerializer, responses=InjectSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _staff_only(request)
        inject = self.get_object()
        values = {**_inject_values(inject), **self._write(request, inject.exercise, partial=True)}
        if "offset" in request.data and "at" not in request.data:
            values["at"] = None
        if "at" in request.data and "offset" not in request.data:
            values["offset"] = None
        try:
            updated = services.update_inject(inject, by=request.user, **values)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(InjectSerializer(updated).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _staff_only(request)
        try:
            services.delete_inject(self.get_object(), by=request.user)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=InjectAnswerSerializer, responses={201: InjectResponseSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, reference: str, pk: str) -> Response:
        """Answer an inject delivered to the caller's organisation."""
        inject = self.get_object()
        delivery = scope.delivery_for(request.user, inject)
        if delivery is None:
            raise Http404("This inject was not delivered to your organisation.")
        body = _valid(InjectAnswerSerializer, request)["body"]
        try:
            answer = services.respond(delivery, by=request.user, body=body, via="api")
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(InjectResponseSerializer(answer).data, status=status.HTTP_201_CREATED)


def _inject_values(inject: Inject) -> dict[str, Any]:
    return {
        "title": inject.title,
        "body": inject.body,
        "offset": inject.offset,
        "at": inject.at,
        "expected_action": inject.expected_action,
        "response_required": inject.response_required,
        "recipients": list(inject.recipients.all()),
    }


@extend_schema(parameters=[EXERCISE_REF])
class ResponseViewSet(_ExerciseChild, mixins.ListModelMixin, viewsets.GenericViewSet[Answer]):
    """Answers: every one for staff, their organisation's for members."""

    permission_classes = [IsSignedIn]
    serializer_class = InjectResponseSerializer
    queryset = Answer.objects.none()

    def get_queryset(self) -> QuerySet[Answer]:
        rows = scope.responses_for(self.request.user, self.exercise())
        return rows.select_related("delivery__participant__organisation").order_by(
            "received_at", "id"
        )


def register(router: DefaultRouter) -> None:
    """Add the exercise endpoints to ``router``."""
    router.register("exercises", ExerciseViewSet, basename="exercises-exercise")
    router.register(
        r"exercises/(?P<reference>[A-Z0-9-]+)/injects", InjectViewSet, basename="exercises-inject"
    )
    router.register(
        r"exercises/(?P<reference>[A-Z0-9-]+)/responses",
        ResponseViewSet,
        basename="exercises-response",
    )
