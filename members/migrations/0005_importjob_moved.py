from django.db import migrations


class Migration(migrations.Migration):
    """The import job left for ``union_portal.imports`` (same table): state only."""

    dependencies = [
        ("members", "0004_organisation_tree_moved"),
        ("imports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="ImportJob"),
            ],
        ),
    ]
