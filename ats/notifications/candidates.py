"""The one way a mail reaches a candidate: to the application's address,
with the link to their application's page."""
from ..infra import mail
from ..models import Application
from ..urls import absolute_url


def to_candidate(application: Application, subject: str, template: str, **context) -> None:
    mail.send_mail(
        application.email,
        subject,
        template,
        application=application,
        status_url=absolute_url("public.status", token=application.status_token),
        **context,
    )
