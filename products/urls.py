from django.urls import path

import shop.api.converters  # noqa: F401 - registers <id:...>
from products import api

urlpatterns = [
    path("products", api.ProductListCreateApi.as_view(), name="product-list"),
    path("products/<id:product_id>", api.ProductDetailApi.as_view(), name="product-detail"),
]
