"""URL routes of the core: accounts (sign-in, MFA, password reset, tokens), audit, documents."""

from django.contrib.auth import views as auth_views
from django.urls import path

from dnscert.core import views

accounts = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accounts/mfa/verify/", views.mfa_verify, name="mfa-verify"),
    path("accounts/mfa/setup/", views.mfa_setup, name="mfa-setup"),
    path("accounts/tokens/", views.api_tokens, name="api-tokens"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="core/auth/password_reset_form.html",
            email_template_name="core/auth/password_reset_email.txt",
            subject_template_name="core/auth/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="core/auth/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="core/auth/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="core/auth/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    *accounts,
    path("audit/", views.audit_log, name="audit-log"),
    path("documents/", views.document_list, name="documents"),
    path("documents/new/", views.document_create, name="document-create"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/<int:pk>/attachment/", views.document_attachment, name="document-attachment"),
]
