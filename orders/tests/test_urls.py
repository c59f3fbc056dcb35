"""The orders routes (orders/urls.py) take ids through the `<id:...>` converter: an id beyond bigint is a
404, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/orders/{}", "/api/v1/coupons/{}", "/api/v1/orders/{}/cancel"])
def test_an_id_beyond_bigint_in_the_path_is_404_not_500(staff_api, path):
    url = path.format(2**64)
    response = staff_api.post(url) if url.endswith("cancel") else staff_api.get(url)
    assert response.status_code == 404
