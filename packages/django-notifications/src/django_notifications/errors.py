"""Domain errors: DRF renders them as 4xx with a stable machine code."""
from rest_framework import status
from rest_framework.exceptions import APIException


class NotificationError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "notification_error"
    default_detail = "Notification error."

    @property
    def code(self) -> str:
        return self.default_code


class InvalidNotification(NotificationError):
    default_code = "invalid_notification"
    default_detail = "The notification is invalid."


class InvalidPreference(NotificationError):
    default_code = "invalid_preference"
    default_detail = "The preference is invalid."


class NotificationNotFound(NotificationError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "notification_not_found"
    default_detail = "Notification not found."
