"""add indexes for run history and audit queries

Revision ID: 707645e9a405
Revises: 6f9911b9c19a
Create Date: 2024-06-24 10:18:44.453515

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '707645e9a405'
down_revision = '6f9911b9c19a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('workflow_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_runs_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_runs_workflow_id_started_at'), ['workflow_id', 'started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('workflow_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_runs_workflow_id_started_at'))
        batch_op.drop_index(batch_op.f('ix_workflow_runs_status'))

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_created_at'))
