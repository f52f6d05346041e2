"""Car images: Pillow-validated (JPEG/PNG/WebP only, bounded bytes and dimensions), re-encoded (drops
metadata and anything appended to the file), with a generated thumbnail."""
import io
import warnings

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from PIL import Image, UnidentifiedImageError

from forecourt_core.errors import DomainError

from .. import conf, errors
from ..models import CarImage
from ._common import require_manage, visible_car
from .index import index_sync

_EXT = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def _read_upload(upload) -> bytes:
    max_bytes = conf.get("CAR_LISTING_IMAGE_MAX_BYTES")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise errors.ImageTooLarge()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise errors.ImageTooLarge()
    return data


def validate_image(data: bytes) -> tuple[Image.Image, str]:
    """Return the decoded image and its format, or raise InvalidImage / ImageTooLarge."""
    formats = tuple(conf.get("CAR_LISTING_IMAGE_FORMATS"))
    max_dim = conf.get("CAR_LISTING_IMAGE_MAX_DIMENSION")
    max_pixels = conf.get("CAR_LISTING_IMAGE_MAX_PIXELS")
    try:
        # Only the listed decoders are tried: SVG, GIF, TIFF, PDF ... never parse.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=formats)
            # Check the header's size before decoding pixels (decompression-bomb guard).
            w, h = img.size
            if w > max_dim or h > max_dim or w * h > max_pixels:
                raise errors.ImageTooLarge()
            img.verify()
            img = Image.open(io.BytesIO(data), formats=formats)
            img.load()
    except DomainError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
            raise errors.ImageTooLarge() from None
        raise errors.InvalidImage() from None
    except (OSError, SyntaxError, ValueError):
        raise errors.InvalidImage() from None
    if img.format not in formats or w < 1 or h < 1:
        raise errors.InvalidImage()
    return img, img.format


def _encode(img: Image.Image, fmt: str) -> bytes:
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    out = io.BytesIO()
    img.save(out, format=fmt, quality=88) if fmt != "PNG" else img.save(out, format=fmt)
    return out.getvalue()


@transaction.atomic
def car_image_add(*, actor, store_key: str, car_id: int, upload) -> CarImage:
    data = _read_upload(upload)
    img, fmt = validate_image(data)
    with conf.store_context(store_key):
        car = visible_car(actor=actor, store_key=store_key, car_id=car_id, lock=True)
        require_manage(actor, car)
        current = car.images.aggregate(n=Max("position"))
        count = car.images.count()
        if count >= conf.get("CAR_LISTING_MAX_IMAGES"):
            raise errors.TooManyImages()
        thumb = img.copy()
        thumb.thumbnail(tuple(conf.get("CAR_LISTING_THUMBNAIL_SIZE")))
        ext = _EXT[fmt]
        position = current["n"] + 1 if current["n"] is not None else 0
        image = CarImage(car=car, width=img.width, height=img.height, position=position)
        image.image.save(f"image{ext}", ContentFile(_encode(img, fmt)), save=False)
        image.thumbnail.save(f"thumb{ext}", ContentFile(_encode(thumb, fmt)), save=False)
        image.save()
        index_sync(car=car)
    return image


@transaction.atomic
def car_image_delete(*, actor, store_key: str, car_id: int, image_id: int) -> None:
    with conf.store_context(store_key):
        car = visible_car(actor=actor, store_key=store_key, car_id=car_id, lock=True)
        require_manage(actor, car)
        deleted, _ = car.images.filter(pk=image_id).delete()
        if not deleted:
            raise errors.ImageNotFound()
        # Files stay: a car bought out of a store shares file names with the buyer's copy.
        index_sync(car=car)


@transaction.atomic
def car_images_reorder(*, actor, store_key: str, car_id: int, image_ids: list[int]) -> list[CarImage]:
    with conf.store_context(store_key):
        car = visible_car(actor=actor, store_key=store_key, car_id=car_id, lock=True)
        require_manage(actor, car)
        images = {i.pk: i for i in car.images.all()}
        if len(image_ids) != len(set(image_ids)) or set(image_ids) != set(images):
            raise errors.InvalidReorder()
        ordered = [images[i] for i in image_ids]
        for pos, img in enumerate(ordered):
            img.position = pos
        CarImage.objects.bulk_update(ordered, ["position"])
        index_sync(car=car)
    return ordered
