from shop.cache import declare

_PRODUCT = ["products.Product"]

PRODUCTS_ALL = declare("products:all", pattern="products:all", ttl=3600, clears_on=_PRODUCT)
PRODUCT_DETAIL = declare("products:detail", pattern="products:{id}", ttl=3600, clears_on=_PRODUCT)
PRODUCTS_FILTER = declare("products:filter", pattern="products:filter:{digest}", ttl=600, clears_on=_PRODUCT)
