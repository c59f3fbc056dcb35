from datetime import timedelta

import pytest
from django.utils import timezone
from model_bakery import baker

from shop.models import Notification

pytestmark = pytest.mark.django_db


def ago(minutes):
    return timezone.now() - timedelta(minutes=minutes)


def test_list_is_own_newest_first_paginated_with_unread_count(customer, customer_api, other_customer):
    baker.make_recipe("shop.notification", user=customer, title="old", created_at=ago(30), is_read=True)
    baker.make_recipe("shop.notification", user=customer, title="new", created_at=ago(1))
    baker.make_recipe("shop.notification", user=customer, title="middle", created_at=ago(10))
    baker.make_recipe("shop.notification", user=other_customer, title="not yours", created_at=ago(0))

    data = customer_api.get("/api/v1/notifications?page_size=2").json()["data"]

    assert [n["title"] for n in data["notifications"]] == ["new", "middle"]
    assert (data["count"], data["page"], data["pages"], data["unread_count"]) == (3, 1, 2, 2)
    assert set(data["notifications"][0]) == {"id", "kind", "title", "message", "order_id", "is_read", "created_at"}
    page2 = customer_api.get("/api/v1/notifications?page=2&page_size=2").json()["data"]
    assert [n["title"] for n in page2["notifications"]] == ["old"]


def test_list_refuses_unknown_query_parameters(customer_api):
    response = customer_api.get("/api/v1/notifications?user=2")
    assert response.status_code == 400 and "user" in response.json()["errors"]


def test_read_one_marks_only_that_one(customer, customer_api):
    a = baker.make_recipe("shop.notification", user=customer, title="a", created_at=ago(2))
    b = baker.make_recipe("shop.notification", user=customer, title="b", created_at=ago(1))
    response = customer_api.post(f"/api/v1/notifications/{a.id}/read")
    assert response.status_code == 200 and response.json()["data"]["notification"]["is_read"] is True
    assert Notification.objects.get(pk=b.pk).is_read is False


def test_reading_someone_elses_notification_is_404_and_changes_nothing(customer_api, other_customer):
    theirs = baker.make_recipe("shop.notification", user=other_customer, title="theirs", created_at=ago(1))
    response = customer_api.post(f"/api/v1/notifications/{theirs.id}/read")
    assert response.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).is_read is False


def test_read_all_marks_only_own(customer, customer_api, other_customer):
    baker.make_recipe("shop.notification", user=customer, title="a", created_at=ago(2))
    baker.make_recipe("shop.notification", user=customer, title="b", created_at=ago(1))
    theirs = baker.make_recipe("shop.notification", user=other_customer, title="theirs", created_at=ago(1))

    data = customer_api.post("/api/v1/notifications/read-all").json()["data"]

    assert data == {"updated": 2, "unread_count": 0}
    assert not Notification.objects.filter(user=customer, is_read=False).exists()
    assert Notification.objects.get(pk=theirs.pk).is_read is False
