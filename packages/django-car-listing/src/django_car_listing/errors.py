"""Domain errors of car_listing. Each has a stable machine ``code`` and renders as a 4xx in DRF."""
from rest_framework import status
from rest_framework.exceptions import APIException


class CarListingError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "car_listing_error"
    default_detail = "Car listing error."

    def __init__(self, detail=None, code=None):
        super().__init__(detail, code)

    @property
    def code(self) -> str:
        return self.default_code


class CarNotFound(CarListingError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "car_not_found"
    default_detail = "No such car."


class ImageNotFound(CarListingError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "image_not_found"
    default_detail = "No such image."


class NotOwner(CarListingError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "not_owner"
    default_detail = "Only the car's owner (or the store's staff) can do this."


class NotAllowed(CarListingError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "not_allowed"
    default_detail = "You do not have permission to do this."


class CarNotAvailable(CarListingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "car_not_available"
    default_detail = "The car is not for sale (any more)."


class OwnCar(CarListingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "own_car"
    default_detail = "You cannot buy your own car."


class NotVerified(CarListingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_verified"
    default_detail = "The car has not been verified yet."


class CarSold(CarListingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "car_sold"
    default_detail = "The car was sold out of this store and can no longer change."


class InvalidVin(CarListingError):
    default_code = "invalid_vin"
    default_detail = "A VIN has 17 characters, digits and capital letters except I, O and Q."


class DuplicateVin(CarListingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "duplicate_vin"
    default_detail = "A car with this VIN already exists in this store."


class InvalidImage(CarListingError):
    default_code = "invalid_image"
    default_detail = "Upload a JPEG, PNG or WebP image."


class ImageTooLarge(CarListingError):
    default_code = "image_too_large"
    default_detail = "The image is too large (bytes or dimensions)."


class TooManyImages(CarListingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "too_many_images"
    default_detail = "The car already has the maximum number of images."


class InvalidReorder(CarListingError):
    default_code = "invalid_reorder"
    default_detail = "Give every image id of the car exactly once."


class ReasonRequired(CarListingError):
    default_code = "reason_required"
    default_detail = "A rejection needs a reason."


class InvalidDays(CarListingError):
    default_code = "invalid_days"
    default_detail = "Days must be a whole number between 1 and the maximum."


class InvalidInteraction(CarListingError):
    default_code = "invalid_interaction"
    default_detail = "Unknown interaction kind."


class IdempotencyConflict(CarListingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"
    default_detail = "This idempotency key was already used for a different purchase."


class InvalidCursor(CarListingError):
    default_code = "invalid_cursor"
    default_detail = "This cursor is not valid for this search (it names another sort, or it was altered)."
