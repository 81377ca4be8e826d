"""On PostgreSQL, the audit trail refuses UPDATE and DELETE at the database, whoever asks,
except inside a transaction that set ``serop.audit_purge`` (the retention job only:
privacy.audit.purge_audit_entries). TRUNCATE is left to the table's owner (Django's test flush
uses it); the application never truncates."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION privacy_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('serop.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER privacy_auditentry_append_only
    BEFORE UPDATE OR DELETE ON privacy_auditentry
    FOR EACH ROW EXECUTE FUNCTION privacy_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS privacy_auditentry_append_only ON privacy_auditentry;
DROP FUNCTION IF EXISTS privacy_auditentry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_audit_trail_and_sensitive_data")]
    operations = [migrations.RunPython(forwards, backwards)]
