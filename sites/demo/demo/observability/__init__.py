"""What an operator reads: Prometheus metrics (metrics.py), JSON log lines tied by a request id (logs.py).

The request middleware (middleware.py) and the Celery signal receivers (tasks.py) feed both.
"""
