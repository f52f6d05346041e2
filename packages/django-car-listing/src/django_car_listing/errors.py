"""Domain errors of car_listing. Each has a stable machine ``code`` and is a 4xx for an API."""
from forecourt_core.errors import Conflict, IdempotencyConflict, InvalidInput, NotFound, NotPermitted

__all__ = [
    "CarNotFound", "ImageNotFound", "NotOwner", "NotAllowed", "CarNotAvailable", "OwnCar", "NotVerified",
    "CarSold", "InvalidVin", "DuplicateVin", "InvalidImage", "ImageTooLarge", "TooManyImages",
    "InvalidReorder", "ReasonRequired", "InvalidDays", "InvalidInteraction", "IdempotencyConflict",
    "InvalidCursor",
]


class CarNotFound(NotFound):
    code = "car_not_found"
    message = "No such car."


class ImageNotFound(NotFound):
    code = "image_not_found"
    message = "No such image."


class NotOwner(NotPermitted):
    code = "not_owner"
    message = "Only the car's owner (or the store's staff) can do this."


class NotAllowed(NotPermitted):
    code = "not_allowed"
    message = "You do not have permission to do this."


class CarNotAvailable(Conflict):
    code = "car_not_available"
    message = "The car is not for sale (any more)."


class OwnCar(Conflict):
    code = "own_car"
    message = "You cannot buy your own car."


class NotVerified(Conflict):
    code = "not_verified"
    message = "The car has not been verified yet."


class CarSold(Conflict):
    code = "car_sold"
    message = "The car was sold out of this store and can no longer change."


class InvalidVin(InvalidInput):
    code = "invalid_vin"
    message = "A VIN has 17 characters, digits and capital letters except I, O and Q."


class DuplicateVin(Conflict):
    code = "duplicate_vin"
    message = "A car with this VIN already exists in this store."


class InvalidImage(InvalidInput):
    code = "invalid_image"
    message = "Upload a JPEG, PNG or WebP image."


class ImageTooLarge(InvalidInput):
    code = "image_too_large"
    message = "The image is too large (bytes or dimensions)."


class TooManyImages(Conflict):
    code = "too_many_images"
    message = "The car already has the maximum number of images."


class InvalidReorder(InvalidInput):
    code = "invalid_reorder"
    message = "Give every image id of the car exactly once."


class ReasonRequired(InvalidInput):
    code = "reason_required"
    message = "A rejection needs a reason."


class InvalidDays(InvalidInput):
    code = "invalid_days"
    message = "Days must be a whole number between 1 and the maximum."


class InvalidInteraction(InvalidInput):
    code = "invalid_interaction"
    message = "Unknown interaction kind."


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    message = "This cursor is not valid for this search (it names another sort, or it was altered)."
