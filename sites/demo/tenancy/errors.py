"""Refusals of the tenancy app, in the kernel's one error tree."""
from forecourt_core.errors import Conflict, InvalidInput, NotFound, NotPermitted


class DealershipExists(Conflict):
    code = "dealership_exists"
    message = "A dealership with this slug already exists."


class InvalidSlug(InvalidInput):
    code = "invalid_slug"
    message = "A slug is 2-30 lowercase letters, digits or hyphens and starts with a letter."


class UnknownUser(InvalidInput):
    code = "unknown_user"
    message = "No user has this e-mail address or username; they sign up first."


class AmbiguousUser(InvalidInput):
    code = "ambiguous_user"
    message = "Several users share this e-mail address; give the username."


class AlreadyMember(Conflict):
    code = "already_member"
    message = "This user is already an active member; change their role instead."


class RoleNotAllowed(NotPermitted):
    code = "role_not_allowed"
    message = "Your role cannot give, change or take away this role."


class OwnMembership(Conflict):
    code = "own_membership"
    message = "You cannot change or deactivate your own membership; another manager can."


class MemberNotFound(NotFound):
    message = "No such member in this dealership."


class NotAMember(InvalidInput):
    code = "not_a_member"
    message = "Money goes only to an active member of this dealership."
