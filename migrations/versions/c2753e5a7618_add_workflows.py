"""add workflows

Revision ID: c2753e5a7618
Revises: 1d80fe00f862
Create Date: 2024-03-19 15:41:08.400755

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2753e5a7618'
down_revision = '1d80fe00f862'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workflows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('trigger', sa.String(length=32), server_default='manual', nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_workflows_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_workflows_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflows')),
    sa.UniqueConstraint('workspace_id', 'name', name=op.f('uq_workflows_workspace_id_name'))
    )
    with op.batch_alter_table('workflows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflows_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workflows_workspace_id'), ['workspace_id'], unique=False)


def downgrade():
    # drop_table takes the table's indexes with it; dropping them first fails on MariaDB, which
    # refuses to drop an index that a foreign key still uses.
    op.drop_table('workflows')
