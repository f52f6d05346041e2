from celery import Celery
from django.conf import settings

app = Celery("wallet_tests")
app.conf.update(broker_url=settings.REDIS_URL, result_backend=settings.REDIS_URL, task_default_queue="wallet-tests",
                broker_transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
                result_backend_transport_options=getattr(settings, "CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS", {}))
