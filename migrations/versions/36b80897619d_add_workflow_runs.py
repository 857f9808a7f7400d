"""add workflow runs

Revision ID: 36b80897619d
Revises: c2753e5a7618
Create Date: 2024-04-08 11:03:27.435682

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '36b80897619d'
down_revision = 'c2753e5a7618'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workflow_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workflow_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='queued', nullable=False),
    sa.Column('triggered_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['triggered_by_id'], ['users.id'], name=op.f('fk_workflow_runs_triggered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workflow_id'], ['workflows.id'], name=op.f('fk_workflow_runs_workflow_id_workflows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_runs'))
    )
    with op.batch_alter_table('workflow_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_runs_triggered_by_id'), ['triggered_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflow_runs_workflow_id'), ['workflow_id'], unique=False)


def downgrade():
    # drop_table takes the table's indexes with it; dropping them first fails on MariaDB, which
    # refuses to drop an index that a foreign key still uses.
    op.drop_table('workflow_runs')
