# One image for web, worker, beat and flower.
FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_SETTINGS_MODULE=demo.settings.production
WORKDIR /app
COPY packages packages
COPY sites sites
RUN pip install ./packages/django-wallet ./packages/django-notifications ./packages/django-car-listing \
        ./packages/django-leads ./packages/django-books ./packages/django-payroll ./packages/django-trading ./sites/demo
WORKDIR /app/sites/demo
RUN SECRET_KEY=build-only-$(python -c "print('x'*60)") python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["uvicorn", "demo.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
