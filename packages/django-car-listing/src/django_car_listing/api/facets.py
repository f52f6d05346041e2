"""GET /facets/: counts per make, body type, fuel, transmission and sale type for a marketplace search
(the same filters as the list), with the price and year ranges. Anonymous, like the search."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.drf.query import query_params

from .. import cache, conf, facets
from .views import CarViewSet, with_host_store


class FacetValueOutput(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()


class PriceRangeOutput(serializers.Serializer):
    min = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    max = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)


class YearRangeOutput(serializers.Serializer):
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)


class FacetsOutput(serializers.Serializer):
    count = serializers.IntegerField()
    price = PriceRangeOutput()
    year = YearRangeOutput()
    facets = inline_serializer("FacetDimensions", {d: FacetValueOutput(many=True) for d in facets.DIMENSIONS})


class MarketplaceFacetsApi(APIView):
    permission_classes = [permissions.AllowAny]

    class FilterInput(CarViewSet.SearchInput):
        sort = None
        cursor = None

    @extend_schema(parameters=[FilterInput], responses=FacetsOutput)
    def get(self, request):
        def build() -> dict:
            s = self.FilterInput(data=query_params(request))
            s.is_valid(raise_exception=True)  # a 400 stores nothing
            payload = facets.facets_count(filters=with_host_store(dict(s.validated_data)))
            # FacetsOutput documents the body; its rows are already {"value": str, "count": int}, and running
            # ~250 of them through nested serializers cost more than the cached read itself. Only the
            # price range needs it (Decimal to "12500.00").
            return {**payload, "price": PriceRangeOutput(payload["price"]).data}

        # Cached by the raw query (cache.py), under the same generation as the Python selector's entries.
        return Response(cache.cached(cache.request_key("facets", request.query_params, conf.current_store()), build))
