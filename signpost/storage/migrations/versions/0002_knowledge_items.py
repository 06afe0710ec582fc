"""knowledge items stored whole, one row per item

The tables of the first revision (kb_types, kb_terms, kb_tips, kb_contacts, kb_topics)
stay, unread, so processes of the previous release keep working during a rollout; a later
revision drops them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 17:44:33.342616
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_items",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "id"),
    )


def downgrade() -> None:
    op.drop_table("kb_items")
