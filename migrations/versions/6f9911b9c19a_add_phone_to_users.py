"""add phone to users

Revision ID: 6f9911b9c19a
Revises: 9b083da5e8e9
Create Date: 2024-06-03 13:30:02.518303

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6f9911b9c19a'
down_revision = '9b083da5e8e9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone')
