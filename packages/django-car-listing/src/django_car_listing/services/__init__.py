"""Every write of car_listing. Keyword-only, atomic, store-aware (``store_key`` names the car's store)."""
from .cars import (
    car_create,
    car_delete,
    car_mark_sold,
    car_put_on_sale,
    car_reject,
    car_return_from_sale,
    car_update,
    car_verify,
)
from .engagement import car_feature, car_save, car_unsave, featured_expire, interaction_record
from .images import car_image_add, car_image_delete, car_images_reorder
from .index import index_remove, index_sync
from .purchase import car_buy

__all__ = [
    "car_create", "car_update", "car_delete", "car_put_on_sale", "car_return_from_sale", "car_mark_sold", "car_verify",
    "car_reject", "car_buy", "car_feature", "car_save", "car_unsave", "interaction_record", "featured_expire",
    "car_image_add", "car_image_delete", "car_images_reorder", "index_sync", "index_remove",
]
