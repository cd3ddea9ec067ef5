"""The database is the real PostgreSQL server from scripts/services.sh."""

import pytest
from django.db import IntegrityError, connection, transaction

from resources.models import School

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]


def test_runs_on_postgresql_15_or_newer():
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 150000


def test_model_saved_and_read_back_with_chinese_text():
    School.objects.create(code="test-school", name="青山乡中心小学", town="青山乡", area="rural", stage="primary")
    fetched = School.objects.get(code="test-school")
    assert fetched.name == "青山乡中心小学"
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM resources_school WHERE code = %s", ["test-school"])
        assert cursor.fetchone() == ("青山乡中心小学",)


def test_unique_constraint_is_enforced_by_the_server():
    School.objects.create(code="dup", name="甲", town="城关镇", area="urban", stage="primary")
    with pytest.raises(IntegrityError), transaction.atomic():
        School.objects.create(code="dup", name="乙", town="城关镇", area="urban", stage="primary")
