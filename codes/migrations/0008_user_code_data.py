# Favourites, notes and code views move from accounts to codes (codes/personal.py). Their tables
# keep their names (db_table): only Django's idea of which app owns them changes, no row moves.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('codes', '0007_plain_language_fields'),
        ('accounts', '0002_codeview_fewer_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='CodeNote',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('text', models.TextField()),
                    ('updated', models.DateTimeField(default=django.utils.timezone.now)),
                    ('code', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='codes.code')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='code_notes', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'accounts_codenote',
                    'ordering': ['-updated'],
                    'constraints': [models.UniqueConstraint(fields=('user', 'code'), name='code_note_unique')],
                },
            ),
            migrations.CreateModel(
                name='CodeView',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('subject', models.CharField(max_length=80)),
                    ('period', models.CharField(help_text='YYYY-MM', max_length=10)),
                    ('viewed', models.DateTimeField(default=django.utils.timezone.now)),
                    ('code', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='codes.code')),
                    ('user', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='code_views', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'accounts_codeview',
                    'indexes': [models.Index(condition=models.Q(('user__isnull', False)), fields=['user', '-viewed'], name='code_view_recent')],
                    'constraints': [models.UniqueConstraint(fields=('subject', 'period', 'code'), name='code_view_unique')],
                },
            ),
            migrations.CreateModel(
                name='FavouriteCode',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created', models.DateTimeField(default=django.utils.timezone.now)),
                    ('code', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='codes.code')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='favourite_codes', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'accounts_favouritecode',
                    'ordering': ['-created'],
                    'constraints': [models.UniqueConstraint(fields=('user', 'code'), name='favourite_unique')],
                },
            ),
            ],
            database_operations=[],
        ),
    ]
