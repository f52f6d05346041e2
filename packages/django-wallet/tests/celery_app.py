from celery import Celery
from django.conf import settings

app = Celery("wallet_tests")
app.conf.update(broker_url=settings.REDIS_URL, result_backend=settings.REDIS_URL, task_default_queue="wallet-tests")
