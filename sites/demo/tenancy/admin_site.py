"""The Django admin on both hosts: the marketplace's shows the shared models, a dealership's its own.

django-tenants ships admin templates that mark apps "not available" by comparing app labels with the
entries of SHARED_APPS/TENANT_APPS; an entry such as "django_wallet" (label "wallet") never matches, so
every package app was marked unavailable. This site lists only the models the current schema holds (the
same test as django-tenants' migration router) and keeps Django's own templates (INSTALLED_APPS puts
this admin before django_tenants). A model URL of the other kind of schema is a 404, never a query
against tables that schema does not have.
"""
import functools

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db import connection
from django.http import Http404
from django_tenants.utils import get_public_schema_name


def _in_apps_list(app_label: str, apps_list) -> bool:
    config = apps.get_app_config(app_label)
    return config.name in apps_list or f"{config.__module__}.{config.__class__.__name__}" in apps_list


def model_in_current_schema(model) -> bool:
    public = connection.schema_name == get_public_schema_name()
    return _in_apps_list(model._meta.app_label, settings.SHARED_APPS if public else settings.TENANT_APPS)


class SchemaAwareAdminSite(admin.AdminSite):
    site_header = "Forecourt administration"

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["models"] = [m for m in app["models"] if model_in_current_schema(m["model"])]
        return [app for app in app_list if app["models"]]

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)
        model = getattr(getattr(view, "__self__", None), "model", None)  # a ModelAdmin's bound view
        if model is None:
            return wrapped

        @functools.wraps(wrapped)
        def in_schema_only(request, *args, **kwargs):
            if not model_in_current_schema(model):
                raise Http404("This model is not kept in this host's schema.")
            return wrapped(request, *args, **kwargs)
        return in_schema_only


class SchemaAwareAdminConfig(AdminConfig):
    default_site = "tenancy.admin_site.SchemaAwareAdminSite"
