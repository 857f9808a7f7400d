"""add workflow_run_steps

Revision ID: 7ef425cfe1c7
Revises: 36b80897619d
Create Date: 2024-05-15 09:47:55.452967

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7ef425cfe1c7'
down_revision = '36b80897619d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workflow_run_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='queued', nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('output', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['workflow_runs.id'], name=op.f('fk_workflow_run_steps_run_id_workflow_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_run_steps')),
    sa.UniqueConstraint('run_id', 'position', name=op.f('uq_workflow_run_steps_run_id_position'))
    )
    with op.batch_alter_table('workflow_run_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_run_steps_run_id'), ['run_id'], unique=False)


def downgrade():
    # drop_table takes the table's indexes with it; dropping them first fails on MariaDB, which
    # refuses to drop an index that a foreign key still uses.
    op.drop_table('workflow_run_steps')
