# The grant moved to the access app, table and all: only Django's record of it changes here.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_data_version"),
        ("access", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Grant")],
            database_operations=[],
        ),
    ]
