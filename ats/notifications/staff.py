"""Mail to staff: the invitation and the password-reset link, each with a
one-time link to set a password. The key is derived from the link's row
(``ats.models.password_links``); the event names only the row.

A link that stopped working before its mail was built (a newer one was
made, it was used, the account was deactivated) is not mailed: the newer
link's own mail follows."""
from ..extensions import db
from ..infra import mail
from ..models import Event, EventType, LinkState, PasswordLink, utcnow
from ..urls import absolute_url, public_host


def _link_mail(subject: str, template: str):
    def send(event: Event) -> None:
        link = db.session.get(PasswordLink, event.data["link_id"])
        if link is None or link.user_id != event.data["user_id"] or link.state(utcnow()) is not LinkState.GOOD:
            return
        user = link.user
        mail.send_mail(
            user.email,
            subject,
            template,
            message_id=f"<ats-event-{event.id}-{event.created_at:%Y%m%d%H%M%S%f}@{public_host()}>",
            user=user,
            link=link,
            link_url=absolute_url("auth.set_password", key=link.key),
            lifetime=link.purpose.lifetime_text,
            login_url=absolute_url("auth.login"),
            forgot_url=absolute_url("auth.forgot_password"),
        )

    return send


SENDERS = {
    EventType.STAFF_INVITED: _link_mail("You are invited to the staff pages", "staff_invite"),
    EventType.STAFF_PASSWORD_RESET: _link_mail("Set a new password", "staff_password_reset"),
}
