"""The applicant's receipt secret: the tracking code alone only reads."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0003_deadline_warnings"),
    ]

    operations = [
        migrations.AddField(
            model_name="dispute",
            name="applicant_secret_index",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
    ]
