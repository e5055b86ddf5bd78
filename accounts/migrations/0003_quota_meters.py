# One counter table for every meter (accounts/quota.py METERS): a `meter` column, existing rows are
# code-view counters. Favourites, notes and code views now belong to codes (codes/migrations/0005):
# their tables stay, only the state moves.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_codeview_fewer_indexes'),
        ('codes', '0008_user_code_data'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='CodeNote'),
                migrations.DeleteModel(name='CodeView'),
                migrations.DeleteModel(name='FavouriteCode'),
            ],
            database_operations=[],
        ),
        migrations.RemoveConstraint(
            model_name='quotacounter',
            name='quota_counter_unique',
        ),
        migrations.AddField(
            model_name='quotacounter',
            name='meter',
            field=models.CharField(default='code_views', max_length=40),
        ),
        migrations.AlterField(
            model_name='quotacounter',
            name='period',
            field=models.CharField(help_text='YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH (UTC)', max_length=13),
        ),
        migrations.AddConstraint(
            model_name='quotacounter',
            constraint=models.UniqueConstraint(fields=('meter', 'subject', 'period'), name='quota_counter_unique'),
        ),
    ]
