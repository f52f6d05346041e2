from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "django_books"
    label = "books"
    verbose_name = "Books"
    default_auto_field = "django.db.models.BigAutoField"
