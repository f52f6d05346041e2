from rest_framework import status
from rest_framework.exceptions import APIException


class TenancyError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "tenancy_error"
    default_detail = "The dealership request could not be completed."

    @property
    def code(self) -> str:
        return self.default_code


class DealershipExists(TenancyError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "dealership_exists"
    default_detail = "A dealership with this slug already exists."


class InvalidSlug(TenancyError):
    default_code = "invalid_slug"
    default_detail = "A slug is 2-30 lowercase letters, digits or hyphens and starts with a letter."
