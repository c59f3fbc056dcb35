"""Coupons, orders and payments over HTTP, a module per entity."""
