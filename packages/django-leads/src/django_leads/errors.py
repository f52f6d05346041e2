"""Domain errors of the leads package. Each has a stable machine ``code`` and is a 4xx for an API."""
from forecourt_core import errors as kernel
from forecourt_core.errors import Conflict, InvalidAmount, InvalidInput, NotFound, NotPermitted

__all__ = [
    "InvalidTransition", "TransitionNotPermitted", "CarAlreadySold", "NotAnAgent", "InvalidPhoneNumber",
    "MissingContact", "LostReasonRequired", "SaleDetailsRequired", "PlatformPaymentNeedsBuyer",
    "InvalidAmount", "InvalidCommissionRule", "InvalidDateRange", "InvalidEmail", "InvalidSource", "NotFound",
    "PriceMismatch", "InvalidFilters",
]


class InvalidTransition(kernel.InvalidTransition):
    message = "This status change is not allowed from the lead's current status."


class TransitionNotPermitted(NotPermitted):
    code = "transition_not_permitted"
    message = "You lack the permission this status change needs."


class CarAlreadySold(Conflict):
    code = "car_already_sold"
    message = "This car was already sold."


class NotAnAgent(InvalidInput):
    code = "not_an_agent"
    message = "Leads can be assigned only to active agents of this dealership."


class InvalidPhoneNumber(kernel.InvalidPhoneNumber):
    message = "Not a valid phone number (use the +country format)."


class MissingContact(InvalidInput):
    code = "missing_contact"
    message = "A lead needs a buyer or a walk-in name, phone or e-mail."


class LostReasonRequired(InvalidInput):
    code = "lost_reason_required"
    message = "Marking a lead lost needs a reason."


class SaleDetailsRequired(InvalidInput):
    code = "sale_details_required"
    message = "Marking a lead won needs the agreed price and the payment method."


class PlatformPaymentNeedsBuyer(InvalidInput):
    code = "platform_payment_needs_buyer"
    message = "Platform payment needs a lead with a registered buyer."


class InvalidCommissionRule(InvalidInput):
    code = "invalid_commission_rule"
    message = "A percent rule needs 0 < percent <= 100; a flat rule needs a positive amount."


class InvalidDateRange(kernel.InvalidDateRange):
    message = "The date range is invalid (start after end, or too long)."


class InvalidEmail(InvalidInput):
    code = "invalid_email"
    message = "Not a valid e-mail address."


class InvalidSource(InvalidInput):
    code = "invalid_source"
    message = "Unknown lead source."


class PriceMismatch(Conflict):
    code = "price_mismatch"
    message = "Platform payment charges the car's listed price; the agreed price differs."


class InvalidFilters(InvalidInput):
    code = "validation_error"
    message = "Some filters are invalid."
