"""A custom user model, so no package's tests can assume ``auth.User``."""
from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    pass
