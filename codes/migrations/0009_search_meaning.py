from django.db import migrations, models

# Case2Code by what the query means (issue 16): clinical shorthand as a synonym source, a prior
# per search entry from the data, the Alphabetic Index paths leading to each code, and how
# strongly each word belongs to each code set.


class Migration(migrations.Migration):
    dependencies = [("codes", "0008_user_code_data")]

    operations = [
        migrations.AlterField(
            model_name="synonym",
            name="source",
            field=models.CharField(
                choices=[
                    ("curated", "Curated list (fixtures/synonyms)"),
                    ("inclusion", "ICD-10-CM inclusion term"),
                    ("index", "ICD-10-CM / PCS index"),
                    ("pcs_definition", "ICD-10-PCS definitions (includes)"),
                    ("shorthand", "Clinical shorthand (fixtures/shorthand)"),
                    ("editor", "Added by an editor"),
                ],
                default="editor",
                max_length=16,
            ),
        ),
        migrations.AddField(model_name="searchentry", name="prior", field=models.FloatField(default=1.0)),
        migrations.AddField(model_name="searchentry", name="paths", field=models.TextField(blank=True)),
        migrations.AddField(model_name="searchentry", name="path_keys", field=models.TextField(blank=True)),
        migrations.AddField(
            model_name="searchword", name="systems", field=models.JSONField(blank=True, default=dict)
        ),
    ]
