"""The invalidation outbox: PostgreSQL's triggers record each changed row of a tracked table here, in
the write's own transaction (see outbox.py). Rows live until they have been applied to Redis."""

from django.db import models

from .outbox_sql import OUTBOX_TABLE


class OutboxRow(models.Model):
    txid = models.BigIntegerField(null=True, help_text="The writing transaction (PostgreSQL's txid_current()).")
    writer = models.IntegerField(null=True, help_text="hashtext() of the writing connection's application_name.")
    table_name = models.CharField(max_length=63)
    op = models.CharField(max_length=8)
    row_pk = models.BigIntegerField(null=True)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = OUTBOX_TABLE
        indexes = [models.Index(fields=["writer"], name="cache_outbox_writer")]
        verbose_name = "cache invalidation (pending)"
        verbose_name_plural = "cache invalidations (pending)"

    def __str__(self):
        return f"{self.op} {self.table_name} {self.pk}"
