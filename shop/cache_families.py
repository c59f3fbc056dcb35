from shop.cache import declare

BUSINESS_INFO = declare("business:info", pattern="business:info", ttl=None, clears_on=["shop.Business"])
