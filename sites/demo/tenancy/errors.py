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


class UnknownUser(TenancyError):
    default_code = "unknown_user"
    default_detail = "No user has this e-mail address or username; they sign up first."


class AmbiguousUser(TenancyError):
    default_code = "ambiguous_user"
    default_detail = "Several users share this e-mail address; give the username."


class AlreadyMember(TenancyError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_member"
    default_detail = "This user is already an active member; change their role instead."


class RoleNotAllowed(TenancyError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "role_not_allowed"
    default_detail = "Your role cannot give, change or take away this role."


class OwnMembership(TenancyError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "own_membership"
    default_detail = "You cannot change or deactivate your own membership; another manager can."


class MemberNotFound(TenancyError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"
    default_detail = "No such member in this dealership."


class NotAMember(TenancyError):
    default_code = "not_a_member"
    default_detail = "Money goes only to an active member of this dealership."
