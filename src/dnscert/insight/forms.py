"""Forms of the insight pages: lessons learned, the feedback survey, KPI periods."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dnscert.insight.choices import Score
from dnscert.insight.models import MAX_COMMENT_CHARS, MAX_LESSON_CHARS


class LessonsForm(forms.Form):
    """The fields of an after-action report staff edit."""

    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=MAX_LESSON_CHARS, widget=forms.Textarea
    )
    went_well = forms.CharField(
        label=_("What went well"),
        required=False,
        max_length=MAX_LESSON_CHARS,
        widget=forms.Textarea,
    )
    to_improve = forms.CharField(
        label=_("What to improve"),
        required=False,
        max_length=MAX_LESSON_CHARS,
        widget=forms.Textarea,
    )
    actions = forms.CharField(
        label=_("Actions (one a line)"),
        required=False,
        max_length=MAX_LESSON_CHARS,
        widget=forms.Textarea,
    )


class SurveyForm(forms.Form):
    """The feedback survey: two scores from 1 to 5 and a comment."""

    useful = forms.TypedChoiceField(
        label=_("Was the coordination useful to you?"),
        choices=Score.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    timely = forms.TypedChoiceField(
        label=_("Was it timely?"), choices=Score.choices, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_COMMENT_CHARS}),
    )


class PeriodForm(forms.Form):
    """The KPI period: from and to dates (the last twelve months when empty)."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def period_args(self) -> dict[str, Any]:
        """``start``/``end`` as ISO text for :func:`dnscert.insight.kpis.parse_period`."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            name: data[name].isoformat() if data.get(name) else None for name in ("start", "end")
        }
