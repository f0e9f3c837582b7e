# The grant moved here from the core app; its table keeps its name (core_grant).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Grant",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("programme_office", "协作办（项目办）"),
                                    ("helper_office", "帮扶方区"),
                                    ("county_office", "受援县扶贫办"),
                                    ("cadre", "帮扶责任人"),
                                    ("assessor", "考核组"),
                                ],
                                max_length=32,
                                verbose_name="角色",
                            ),
                        ),
                        ("region_code", models.CharField(max_length=12, verbose_name="区划代码")),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="grants",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "授权",
                        "verbose_name_plural": "授权",
                        "db_table": "core_grant",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "role", "region_code"), name="unique_grant"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
