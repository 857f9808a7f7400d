"""conflicts.py: where the sides of a divergence clash."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import sqlalchemy as sa

from ahq_history.core.conflicts import Conflict, conflict_as_json, conflicts_for_divergence, divergence_sides
from ahq_history.core.model import Revision
from ahq_history.core.opread import read_operations
from ahq_history.core.ops import Operations
from tests.support.autogen import AutogenProject

FORK = "f0f0f0f0f0f0"


def rev(rev_id: str, upgrade: str, downgrade: str = "pass") -> tuple[Revision, Operations]:
    """A revision whose upgrade() body is `upgrade`; line 5 is the first line of that body."""
    source = ("from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n"
              + textwrap.indent(textwrap.dedent(upgrade).strip() + "\n", "    ")
              + "\n\ndef downgrade():\n" + textwrap.indent(textwrap.dedent(downgrade).strip() + "\n", "    "))
    revision = Revision(id=rev_id, parents=(FORK,), path=f"migrations/versions/{rev_id}_x.py")
    return revision, read_operations(source)


def kinds(conflicts: list[Conflict]) -> list[tuple[str, str, str | None]]:
    return [(c.kind, c.table, c.column) for c in conflicts]


def test_both_sides_add_the_same_column() -> None:
    alice = rev("aaaa1111", "op.add_column('users', sa.Column('phone', sa.String(20)))")
    bob = rev("bbbb2222", """
        op.create_index('ix_x', 'other', ['a'])
        op.add_column('users', sa.Column('phone', sa.String(32)))
    """)
    [conflict] = conflicts_for_divergence([[alice], [bob]])
    assert (conflict.kind, conflict.table, conflict.column) == ("both-add-column", "users", "phone")
    assert conflict.revisions == (("aaaa1111", 5), ("bbbb2222", 6))
    assert conflict.message == ("both sides add column users.phone: aaaa1111 "
                                "(migrations/versions/aaaa1111_x.py:5) and bbbb2222 "
                                "(migrations/versions/bbbb2222_x.py:6)")


def test_different_columns_of_one_table_do_not_conflict() -> None:
    alice = rev("aaaa1111", "op.add_column('users', sa.Column('phone', sa.String(20)))")
    bob = rev("bbbb2222", "op.add_column('users', sa.Column('fax', sa.String(20)))")
    assert conflicts_for_divergence([[alice], [bob]]) == []


def test_changes_within_one_side_do_not_conflict() -> None:
    first = rev("aaaa1111", "op.add_column('users', sa.Column('phone', sa.String(20)))")
    second = rev("aaaa2222", "op.drop_column('users', 'phone')")
    other = rev("bbbb2222", "op.create_table('audit', sa.Column('id', sa.Integer()))")
    assert conflicts_for_divergence([[second, first], [other]]) == []


def test_both_sides_create_the_same_index_name() -> None:
    alice = rev("aaaa1111", "op.create_index(op.f('ix_users_email'), 'users', ['email'])")
    bob = rev("bbbb2222", """
        with op.batch_alter_table('users') as batch_op:
            batch_op.create_index(batch_op.f('ix_users_email'), ['email', 'id'])
    """)
    [conflict] = conflicts_for_divergence([[alice], [bob]])
    assert (conflict.kind, conflict.table, conflict.column, conflict.name) == (
        "both-create-index", "users", None, "ix_users_email")
    assert conflict.message.startswith("both sides create index ix_users_email on users: ")


def test_both_sides_create_a_constraint_with_the_same_name() -> None:
    alice = rev("aaaa1111", "op.create_unique_constraint('uq_users_email', 'users', ['email'])")
    bob = rev("bbbb2222", "op.create_check_constraint('uq_users_email', 'users', 'email <> \\'\\'')")
    assert kinds(conflicts_for_divergence([[alice], [bob]])) == [("both-create-constraint", "users", None)]


def test_both_sides_create_the_same_table() -> None:
    alice = rev("aaaa1111", "op.create_table('audit', sa.Column('id', sa.Integer()))")
    bob = rev("bbbb2222", "op.create_table('Audit', sa.Column('id', sa.Integer()))")
    assert kinds(conflicts_for_divergence([[alice], [bob]])) == [("both-create-table", "audit", None)]


def test_both_sides_alter_the_same_column() -> None:
    alice = rev("aaaa1111", "op.alter_column('users', 'email', nullable=False)")
    bob = rev("bbbb2222", "op.alter_column('users', 'email', type_=sa.String(255))")
    assert kinds(conflicts_for_divergence([[alice], [bob]])) == [("both-alter-column", "users", "email")]


def test_one_side_drops_a_column_the_other_alters() -> None:
    alice = rev("aaaa1111", "op.drop_column('users', 'phone')")
    bob = rev("bbbb2222", "op.alter_column('users', 'phone', nullable=False)")
    [conflict] = conflicts_for_divergence([[bob], [alice]])
    assert (conflict.kind, conflict.table, conflict.column) == ("drop-vs-use", "users", "phone")
    assert conflict.revisions == (("aaaa1111", 5), ("bbbb2222", 5))  # the dropping side first
    assert conflict.message == ("aaaa1111 (migrations/versions/aaaa1111_x.py:5) drops column users.phone "
                                "while bbbb2222 (migrations/versions/bbbb2222_x.py:5) alters column "
                                "users.phone")


def test_one_side_drops_a_column_that_the_other_indexes() -> None:
    alice = rev("aaaa1111", "op.drop_column('users', 'phone')")
    bob = rev("bbbb2222", "op.create_index('ix_users_phone', 'users', ['phone'])")
    assert kinds(conflicts_for_divergence([[alice], [bob]])) == [("drop-vs-use", "users", "phone")]


def test_one_side_drops_a_column_that_the_others_sql_mentions() -> None:
    alice = rev("aaaa1111", "op.drop_column('users', 'phone')")
    bob = rev("bbbb2222", "op.execute(\"UPDATE users SET phone = '' WHERE phone IS NULL\")")
    phoneless = rev("cccc3333", "op.execute(\"UPDATE users SET phone_verified = false\")")
    assert kinds(conflicts_for_divergence([[alice], [bob]])) == [("drop-vs-use", "users", "phone")]
    assert conflicts_for_divergence([[alice], [phoneless]]) == []


def test_one_side_drops_a_table_that_the_other_points_a_foreign_key_at() -> None:
    alice = rev("aaaa1111", "op.drop_table('workspaces')")
    bob = rev("bbbb2222", """
        op.create_table('projects',
            sa.Column('id', sa.Integer()),
            sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspaces.id')))
    """)
    [conflict] = conflicts_for_divergence([[alice], [bob]])
    assert (conflict.kind, conflict.table, conflict.column) == ("drop-vs-use", "workspaces", None)
    assert conflict.message.endswith("creates table projects referencing workspaces")


def test_one_side_renames_a_table_the_other_adds_to() -> None:
    alice = rev("aaaa1111", "op.rename_table('users', 'accounts')")
    bob = rev("bbbb2222", "op.add_column('users', sa.Column('phone', sa.String(20)))")
    [conflict] = conflicts_for_divergence([[alice], [bob]])
    assert (conflict.kind, conflict.table, conflict.column) == ("rename-vs-use", "users", None)
    assert "renames table users to accounts while" in conflict.message


def test_one_side_renames_a_column_the_other_alters() -> None:
    alice = rev("aaaa1111", """
        with op.batch_alter_table('users') as batch_op:
            batch_op.alter_column('mail', new_column_name='email')
    """)
    bob = rev("bbbb2222", "op.alter_column('users', 'mail', nullable=False)")
    assert kinds(conflicts_for_divergence([[alice], [bob]])) == [("rename-vs-use", "users", "mail")]


def test_two_data_migrations_on_the_same_table() -> None:
    alice = rev("aaaa1111", "op.execute(\"UPDATE plans SET price = 10\")")
    bob = rev("bbbb2222", """
        plans = sa.table('plans', sa.column('id'), sa.column('price'))
        op.bulk_insert(plans, [{'id': 3, 'price': 5}])
    """)
    [conflict] = conflicts_for_divergence([[alice], [bob]])
    assert (conflict.kind, conflict.table, conflict.revisions) == (
        "both-change-data", "plans", (("aaaa1111", 5), ("bbbb2222", 6)))


def test_schema_sql_on_both_sides_is_not_a_data_conflict() -> None:
    alice = rev("aaaa1111", "op.execute('CREATE INDEX ix_a ON plans (a)')")
    bob = rev("bbbb2222", "op.execute('CREATE INDEX ix_b ON plans (b)')")
    assert conflicts_for_divergence([[alice], [bob]]) == []


def test_both_sides_dropping_one_table_is_reported_once() -> None:
    alice = rev("aaaa1111", "op.drop_table('legacy')")
    bob = rev("bbbb2222", "op.drop_table('legacy')")
    assert kinds(conflicts_for_divergence([[alice], [bob]])) == [("drop-vs-use", "legacy", None)]


def test_downgrade_operations_are_not_compared() -> None:
    alice = rev("aaaa1111", "op.create_index('ix_a', 'users', ['a'])", downgrade="op.drop_table('users')")
    bob = rev("bbbb2222", "op.add_column('users', sa.Column('b', sa.Integer()))",
              downgrade="op.drop_table('users')")
    assert conflicts_for_divergence([[alice], [bob]]) == []


def test_a_revision_that_does_not_parse_contributes_nothing() -> None:
    broken = (Revision(id="aaaa1111", parents=(FORK,), path="x.py"), read_operations("def upgrade(:\n"))
    bob = rev("bbbb2222", "op.add_column('users', sa.Column('phone', sa.String(20)))")
    assert conflicts_for_divergence([[broken], [bob]]) == []


def test_three_sides_are_compared_pair_by_pair() -> None:
    one = rev("aaaa1111", "op.add_column('users', sa.Column('phone', sa.String(20)))")
    two = rev("bbbb2222", "op.create_table('audit', sa.Column('id', sa.Integer()))")
    three = rev("cccc3333", """
        op.add_column('users', sa.Column('phone', sa.String(20)))
        op.create_table('audit', sa.Column('id', sa.Integer()))
    """)
    conflicts = conflicts_for_divergence([[one], [two], [three]])
    assert [(c.kind, c.revisions[0][0], c.revisions[1][0]) for c in conflicts] == [
        ("both-add-column", "aaaa1111", "cccc3333"), ("both-create-table", "bbbb2222", "cccc3333")]


def test_conflict_as_json_has_the_documented_shape() -> None:
    alice = rev("aaaa1111", "op.add_column('users', sa.Column('phone', sa.String(20)))")
    bob = rev("bbbb2222", "op.add_column('users', sa.Column('phone', sa.String(20)))")
    [conflict] = conflicts_for_divergence([[alice], [bob]])
    assert conflict_as_json(conflict) == {
        "kind": "both-add-column", "table": "users", "column": "phone", "name": None,
        "revisions": [
            {"revision": "aaaa1111", "line": 5, "path": "migrations/versions/aaaa1111_x.py"},
            {"revision": "bbbb2222", "line": 5, "path": "migrations/versions/bbbb2222_x.py"},
        ],
        "message": conflict.message,
    }


def test_divergence_sides_reads_each_side_oldest_first_and_skips_unreadable_files() -> None:
    texts = {
        "aaaa1111": "from alembic import op\ndef upgrade():\n    op.drop_table('a')\n",
        "aaaa2222": "from alembic import op\ndef upgrade():\n    op.drop_table('b')\n",
        "bbbb1111": None,
    }
    revisions = {rid: Revision(id=rid, parents=(FORK,), path=f"{rid}.py") for rid in texts}
    sides = divergence_sides([["aaaa2222", "aaaa1111"], ["bbbb1111", "missing0"]], revisions,
                             lambda revision: texts[revision.id])
    assert [[(r.id, [op.table for op in ops.upgrade]) for r, ops in side] for side in sides] == [
        [("aaaa1111", ["a"]), ("aaaa2222", ["b"])], []]


def _users(*extra: sa.Column[object]) -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True), *extra)
    return metadata


def test_alice_and_bob_both_autogenerate_users_phone(tmp_path: Path) -> None:
    AutogenProject(tmp_path / "base", batch=True).revise(_users(), "create users", rev_id=FORK)
    sides = []
    for who, rev_id, length in (("alice", "a1a1a1a1a1a1", 20), ("bob", "b2b2b2b2b2b2", 32)):
        # each developer works in a checkout of the shared history, with a database at the fork
        shutil.copytree(tmp_path / "base", tmp_path / who)
        project = AutogenProject(tmp_path / who, existing=True)
        metadata = _users(sa.Column("phone", sa.String(length)))
        path = project.revise(metadata, f"{who} adds phone", rev_id=rev_id)
        revision = Revision(id=rev_id, parents=(FORK,), path=str(path.relative_to(tmp_path / who)))
        sides.append([(revision, read_operations(path.read_text()))])
    [conflict] = conflicts_for_divergence(sides)
    assert (conflict.kind, conflict.table, conflict.column) == ("both-add-column", "users", "phone")
    assert [revision for revision, _line in conflict.revisions] == ["a1a1a1a1a1a1", "b2b2b2b2b2b2"]
    for who, (rev_id, line) in zip(("alice", "bob"), conflict.revisions, strict=True):
        [path] = (tmp_path / who / "migrations" / "versions").glob(f"{rev_id}_*.py")
        assert "batch_op.add_column(sa.Column('phone'" in path.read_text().splitlines()[line - 1]
