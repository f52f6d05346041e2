"""Domain errors of notifications. Each has a stable machine ``code`` and is a 4xx for an API."""
from forecourt_core.errors import InvalidInput, NotFound


class InvalidNotification(InvalidInput):
    code = "invalid_notification"
    message = "The notification is invalid."


class InvalidPreference(InvalidInput):
    code = "invalid_preference"
    message = "The preference is invalid."


class NotificationNotFound(NotFound):
    code = "notification_not_found"
    message = "Notification not found."
