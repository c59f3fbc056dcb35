"""Admin for coupons, orders and payments.

Orders and payments are placed and moved along by the services (prices, stock, coupon use and the
status flow are enforced there), so their money, status and identity fields are read-only here.
An order's status changes from its own page (a button per allowed next status; cancelling asks
for confirmation first) or from the list's bulk actions; both call `order_status_set` /
`order_cancel`, which write the activity log, and the admin records each change in the order's
history. Coupon saves call the coupon services.
"""

from orders.admin import coupons, orders, payments  # noqa: F401 - registers the model admins
