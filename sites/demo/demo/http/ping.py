"""/api/ping/: the reference for throughput benchmarks (bench/http_bench.py).

Anonymous, no database, no cache, no DRF: what is left is the server, the middleware stack (the
tenant lookup by host is one query) and JSON encoding. An endpoint's requests/s divided by this
one's, measured in the same run, is the figure docs/performance.md reports.
"""
from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def ping(request):
    return JsonResponse({"pong": True})
