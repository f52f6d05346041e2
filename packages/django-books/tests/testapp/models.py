"""A custom user model, so the package never assumes auth.User."""
from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    pass
