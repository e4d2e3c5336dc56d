from django.db import migrations, models


class Migration(migrations.Migration):
    """The check keeps a preview of the first rows as they will be stored."""

    dependencies = [
        ("imports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="preview",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="preview"),
        ),
    ]
