"""Domain errors of the leads package. Each has a stable machine ``code`` and renders as a 4xx in DRF."""
from rest_framework import status
from rest_framework.exceptions import APIException


class LeadsError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "leads_error"
    default_detail = "Leads error."

    def __init__(self, detail=None, code=None):
        super().__init__(detail, code)

    @property
    def code(self) -> str:
        return self.default_code


class InvalidTransition(LeadsError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "invalid_transition"
    default_detail = "This status change is not allowed from the lead's current status."


class TransitionNotPermitted(LeadsError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "transition_not_permitted"
    default_detail = "You lack the permission this status change needs."


class CarAlreadySold(LeadsError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "car_already_sold"
    default_detail = "This car was already sold."


class NotAnAgent(LeadsError):
    default_code = "not_an_agent"
    default_detail = "Leads can be assigned only to active agents of this dealership."


class InvalidPhoneNumber(LeadsError):
    default_code = "invalid_phone"
    default_detail = "Not a valid phone number (use the +country format)."


class MissingContact(LeadsError):
    default_code = "missing_contact"
    default_detail = "A lead needs a buyer or a walk-in name, phone or e-mail."


class LostReasonRequired(LeadsError):
    default_code = "lost_reason_required"
    default_detail = "Marking a lead lost needs a reason."


class SaleDetailsRequired(LeadsError):
    default_code = "sale_details_required"
    default_detail = "Marking a lead won needs the agreed price and the payment method."


class PlatformPaymentNeedsBuyer(LeadsError):
    default_code = "platform_payment_needs_buyer"
    default_detail = "Platform payment needs a lead with a registered buyer."


class InvalidAmount(LeadsError):
    default_code = "invalid_amount"
    default_detail = "Amount must be a positive Decimal with at most 2 decimal places, below 10**16."


class InvalidCommissionRule(LeadsError):
    default_code = "invalid_commission_rule"
    default_detail = "A percent rule needs 0 < percent <= 100; a flat rule needs a positive amount."


class InvalidDateRange(LeadsError):
    default_code = "invalid_date_range"
    default_detail = "The date range is invalid (start after end, or too long)."


class InvalidEmail(LeadsError):
    default_code = "invalid_email"
    default_detail = "Not a valid e-mail address."


class InvalidSource(LeadsError):
    default_code = "invalid_source"
    default_detail = "Unknown lead source."


class NotFound(LeadsError):
    status_code = 404
    default_code = "not_found"
    default_detail = "Not found."


class PriceMismatch(LeadsError):
    status_code = 409
    default_code = "price_mismatch"
    default_detail = "Platform payment charges the car's listed price; the agreed price differs."
