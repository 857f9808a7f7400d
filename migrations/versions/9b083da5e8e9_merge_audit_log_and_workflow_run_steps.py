"""merge audit_log and workflow_run_steps

Revision ID: 9b083da5e8e9
Revises: 0e707616aa9c, 7ef425cfe1c7
Create Date: 2024-05-16 14:05:32.248360

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b083da5e8e9'
down_revision = ('0e707616aa9c', '7ef425cfe1c7')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
