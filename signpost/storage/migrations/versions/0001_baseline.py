"""the tables as they stood when migrations began

Revision ID: 0001
Revises:
Create Date: 2026-12-02 17:09:53.545426
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import signpost.storage.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conv_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("staff", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conv_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conv_audit_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_conv_audit_code"), ["code"], unique=False)

    op.create_table(
        "conv_case_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("staff", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conv_case_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conv_case_notes_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_conv_case_notes_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conv_case_notes_created_at"), ["created_at"], unique=False)

    op.create_table(
        "conv_case_owners",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("staff", sa.String(length=64), nullable=False),
        sa.Column("taken_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("conv_case_owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conv_case_owners_conversation_id"), ["conversation_id"], unique=False)

    op.create_table(
        "conv_contacts_given",
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "contact_id"),
    )
    with op.batch_alter_table("conv_contacts_given", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conv_contacts_given_created_at"), ["created_at"], unique=False)

    op.create_table(
        "conv_conversations",
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("started_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_active_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    with op.batch_alter_table("conv_conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conv_conversations_started_at"), ["started_at"], unique=False)

    op.create_table(
        "conv_handoffs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("red_flag", sa.String(length=32), nullable=True),
        sa.Column("created_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("handled_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.String(length=64), nullable=True),
        sa.Column("suspected_automation", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("conv_handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conv_handoffs_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conv_handoffs_created_at"), ["created_at"], unique=False)

    op.create_table(
        "conv_helpline_replies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conv_helpline_replies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conv_helpline_replies_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conv_helpline_replies_created_at"), ["created_at"], unique=False)

    op.create_table(
        "conv_summary_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("expires_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("conv_summary_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conv_summary_links_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conv_summary_links_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "conv_triage",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("created_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("symptoms", sa.JSON(), nullable=False),
        sa.Column("modifiers", sa.JSON(), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conv_triage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conv_triage_conversation_id"), ["conversation_id"], unique=False)

    op.create_table(
        "conv_widget_sessions",
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_table(
        "kb_contacts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("meets", sa.Text(), nullable=True),
        sa.Column("places", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("for_types", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("reviewed", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "kb_terms",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("mention", sa.String(length=300), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("implies_region", sa.String(length=64), nullable=True),
        sa.Column("button", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "kb_tips",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("reviewed", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "kb_topics",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("reviewed", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("kb_topics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_topics_intent"), ["intent"], unique=False)

    op.create_table(
        "kb_types",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("subtypes", sa.JSON(), nullable=False),
        sa.Column("match", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("reviewed", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "kb_version",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sms_answers",
        sa.Column("message_key", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("created_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_key"),
    )
    with op.batch_alter_table("sms_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_answers_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_answers_created_at"), ["created_at"], unique=False)

    op.create_table(
        "sms_callbacks",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("created_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_table(
        "sms_opt_outs",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("since", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_table(
        "sms_options",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("updated_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_table(
        "sms_traffic",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=True),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("last_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("minute_start", signpost.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("minute_count", sa.Integer(), nullable=False),
        sa.Column("quiet_until", signpost.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("loops", sa.Integer(), nullable=False),
        sa.Column("updated_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_table(
        "staff_login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_login_failures_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_login_failures_key"), ["key"], unique=False)

    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", signpost.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_sessions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_staff_sessions_expires_at"))

    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
    with op.batch_alter_table("staff_login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_login_failures_key"))
        batch_op.drop_index(batch_op.f("ix_staff_login_failures_at"))

    op.drop_table("staff_login_failures")
    op.drop_table("sms_traffic")
    op.drop_table("sms_options")
    op.drop_table("sms_opt_outs")
    op.drop_table("sms_callbacks")
    with op.batch_alter_table("sms_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_answers_created_at"))
        batch_op.drop_index(batch_op.f("ix_sms_answers_conversation_id"))

    op.drop_table("sms_answers")
    op.drop_table("kb_version")
    op.drop_table("kb_types")
    with op.batch_alter_table("kb_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_topics_intent"))

    op.drop_table("kb_topics")
    op.drop_table("kb_tips")
    op.drop_table("kb_terms")
    op.drop_table("kb_contacts")
    op.drop_table("conv_widget_sessions")
    with op.batch_alter_table("conv_triage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conv_triage_conversation_id"))

    op.drop_table("conv_triage")
    with op.batch_alter_table("conv_summary_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conv_summary_links_expires_at"))
        batch_op.drop_index(batch_op.f("ix_conv_summary_links_conversation_id"))

    op.drop_table("conv_summary_links")
    with op.batch_alter_table("conv_helpline_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conv_helpline_replies_created_at"))
        batch_op.drop_index(batch_op.f("ix_conv_helpline_replies_conversation_id"))

    op.drop_table("conv_helpline_replies")
    with op.batch_alter_table("conv_handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conv_handoffs_created_at"))
        batch_op.drop_index(batch_op.f("ix_conv_handoffs_conversation_id"))

    op.drop_table("conv_handoffs")
    with op.batch_alter_table("conv_conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conv_conversations_started_at"))

    op.drop_table("conv_conversations")
    with op.batch_alter_table("conv_contacts_given", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conv_contacts_given_created_at"))

    op.drop_table("conv_contacts_given")
    with op.batch_alter_table("conv_case_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conv_case_owners_conversation_id"))

    op.drop_table("conv_case_owners")
    with op.batch_alter_table("conv_case_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conv_case_notes_created_at"))
        batch_op.drop_index(batch_op.f("ix_conv_case_notes_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_conv_case_notes_code"))

    op.drop_table("conv_case_notes")
    with op.batch_alter_table("conv_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conv_audit_code"))
        batch_op.drop_index(batch_op.f("ix_conv_audit_at"))

    op.drop_table("conv_audit")
