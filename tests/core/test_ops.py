"""core/opread.py and core/ops.py: the operations of upgrade()/downgrade(), read from revision files."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ahq_history.core.opread import read_operations
from ahq_history.core.ops import Operation, describe
from tests.support.autogen import AutogenProject, flask_migrate_revisions

REPO = Path(__file__).resolve().parents[2]


HEADER = "from alembic import op\nimport sqlalchemy as sa\n"


def ops_of(body: str, *, header: str = HEADER) -> list[Operation]:
    """The upgrade() operations of a file whose upgrade() body is `body`."""
    source = header + "\n\ndef upgrade():\n" + textwrap.indent(textwrap.dedent(body), "    ")
    return list(read_operations(source).upgrade)


def summary(ops: list[Operation]) -> list[tuple[str, str | None, str | None]]:
    return [(op.kind, op.table, op.name) for op in ops]


# -- one kind at a time ----------------------------------------------------------------------------


def test_create_table_reads_columns_and_foreign_key_targets() -> None:
    [op] = ops_of("""
        op.create_table('orders',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id')),
            sa.Column('shop_id', sa.Integer()),
            sa.ForeignKeyConstraint(['shop_id'], ['retail.shops.id']),
            sa.PrimaryKeyConstraint('id'))
    """)
    assert (op.kind, op.table, op.columns) == ("create_table", "orders", ("id", "user_id", "shop_id"))
    assert op.references == ("users", "retail.shops")


def test_table_name_given_as_keyword() -> None:
    assert summary(ops_of("op.drop_table(table_name='audit')")) == [("drop_table", "audit", None)]


def test_rename_table_keeps_old_and_new_name() -> None:
    [op] = ops_of("op.rename_table('members', 'users')")
    assert (op.kind, op.table, op.new_name) == ("rename_table", "members", "users")


def test_add_column_names_the_column_from_sa_column() -> None:
    [op] = ops_of("op.add_column('users', sa.Column('phone', sa.String(20), nullable=True))")
    assert (op.kind, op.table, op.name, op.columns) == ("add_column", "users", "phone", ("phone",))


def test_add_column_with_foreign_key_records_the_referenced_table() -> None:
    [op] = ops_of("op.add_column('orders', sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id')))")
    assert op.references == ("users",)


def test_drop_column_names_table_and_column() -> None:
    assert summary(ops_of("op.drop_column('users', 'phone')")) == [("drop_column", "users", "phone")]


def test_alter_column_lists_what_changes_but_not_existing_values() -> None:
    [op] = ops_of("op.alter_column('orders', 'note', existing_type=sa.VARCHAR(20), type_=sa.Text(), "
                  "nullable=False)")
    assert (op.kind, op.table, op.name, op.detail) == ("alter_column", "orders", "note", "type_, nullable")


def test_alter_column_with_new_column_name_is_a_rename_column() -> None:
    [op] = ops_of("op.alter_column('users', 'mail', new_column_name='email')")
    assert (op.kind, op.table, op.name, op.new_name) == ("rename_column", "users", "mail", "email")


def test_create_index_name_through_op_f_and_its_columns() -> None:
    [op] = ops_of("op.create_index(op.f('ix_users_email'), 'users', ['email'], unique=True)")
    assert (op.kind, op.table, op.name, op.columns, op.detail) == (
        "create_index", "users", "ix_users_email", ("email",), "unique")


def test_drop_index_with_table_name_keyword() -> None:
    assert summary(ops_of("op.drop_index(op.f('ix_users_email'), table_name='users')")) == [
        ("drop_index", "users", "ix_users_email")]


@pytest.mark.parametrize(("call", "kind", "table", "name"), [
    ("op.create_unique_constraint('uq_users_email', 'users', ['email'])",
     "create_unique_constraint", "users", "uq_users_email"),
    ("op.create_primary_key('pk_users', 'users', ['id'])", "create_primary_key", "users", "pk_users"),
    ("op.create_check_constraint('ck_age', 'users', 'age >= 0')",
     "create_check_constraint", "users", "ck_age"),
    ("op.create_foreign_key('fk_orders_user', 'orders', 'users', ['user_id'], ['id'])",
     "create_foreign_key", "orders", "fk_orders_user"),
    ("op.drop_constraint('uq_users_email', 'users', type_='unique')", "drop_constraint", "users",
     "uq_users_email"),
])
def test_each_constraint_operation_has_its_own_kind(call: str, kind: str, table: str, name: str) -> None:
    assert summary(ops_of(call)) == [(kind, table, name)]


def test_create_foreign_key_records_local_columns_and_referent_table() -> None:
    [op] = ops_of("op.create_foreign_key(None, 'orders', 'users', ['user_id'], ['id'])")
    assert (op.columns, op.references) == (("user_id",), ("users",))


def test_schema_keyword_qualifies_the_table() -> None:
    assert summary(ops_of("op.add_column('users', sa.Column('x', sa.Integer()), schema='crm')")) == [
        ("add_column", "crm.users", "x")]


def test_unknown_op_call_is_kept_as_other_with_its_line() -> None:
    [op] = ops_of("op.create_view('active_users', 'SELECT 1')")
    assert (op.kind, op.line, op.detail, op.effect) == ("other", 6, "op.create_view(...)", "other")


def test_argument_helpers_are_not_operations() -> None:
    ops = ops_of("""
        conn = op.get_bind()
        ctx = op.get_context()
        op.add_column('t', sa.Column('c', sa.Integer(), server_default=op.inline_literal('0')))
    """)
    assert summary(ops) == [("add_column", "t", "c")]


# -- batch blocks -----------------------------------------------------------------------------------


def test_batch_calls_are_operations_on_the_block_table_whatever_the_alias() -> None:
    ops = ops_of("""
        with op.batch_alter_table('users', schema=None) as b:
            b.add_column(sa.Column('phone', sa.String(20)))
            b.create_index(b.f('ix_users_phone'), ['phone'], unique=False)
            b.alter_column('email', existing_type=sa.String(50), nullable=False)
            b.drop_constraint('uq_x', type_='unique')
            b.create_foreign_key('fk_users_org', 'orgs', ['org_id'], ['id'])
    """)
    assert summary(ops) == [
        ("add_column", "users", "phone"), ("create_index", "users", "ix_users_phone"),
        ("alter_column", "users", "email"), ("drop_constraint", "users", "uq_x"),
        ("create_foreign_key", "users", "fk_users_org"),
    ]
    assert ops[4].references == ("orgs",)


def test_batch_alias_ends_with_its_block() -> None:
    ops = ops_of("""
        with op.batch_alter_table('a') as batch_op:
            batch_op.drop_column('x')
        with op.batch_alter_table('b') as batch_op:
            batch_op.drop_column('y')
        batch_op.drop_column('z')
    """)
    assert summary(ops) == [("drop_column", "a", "x"), ("drop_column", "b", "y")]


def test_batch_block_with_schema_and_table_name_keyword() -> None:
    ops = ops_of("""
        with op.batch_alter_table(table_name='users', schema='crm') as batch_op:
            batch_op.drop_index('ix_old')
    """)
    assert summary(ops) == [("drop_index", "crm.users", "ix_old")]


# -- data changes -----------------------------------------------------------------------------------


def test_execute_of_an_update_is_a_data_change_on_its_table() -> None:
    [op] = ops_of("op.execute(\"UPDATE users SET phone = '' WHERE phone IS NULL\")")
    assert (op.kind, op.table, op.effect, op.sql) == (
        "execute", "users", "data", "UPDATE users SET phone = '' WHERE phone IS NULL")


@pytest.mark.parametrize(("sql", "table"), [
    ("INSERT INTO public.roles (name) VALUES ('admin')", "public.roles"),
    ('DELETE FROM "audit_log" WHERE 1=1', "audit_log"),
    ("-- backfill\nupdate `users` set a = 1", "users"),
])
def test_execute_reads_the_table_of_simple_dml(sql: str, table: str) -> None:
    [op] = ops_of(f"op.execute({sql!r})")
    assert (op.table, op.effect) == (table, "data")


def test_execute_of_ddl_is_a_schema_change() -> None:
    [op] = ops_of("op.execute('ALTER TABLE users ADD COLUMN phone TEXT')")
    assert (op.kind, op.table, op.effect) == ("execute", "users", "schema")


def test_execute_of_sql_held_in_a_variable_and_sa_text() -> None:
    [op] = ops_of("""
        stmt = sa.text("UPDATE orders SET total = 0")
        op.execute(stmt)
    """)
    assert (op.table, op.effect) == ("orders", "data")


def test_execute_of_an_f_string_is_classified_by_its_fixed_words() -> None:
    ops = ops_of("""
        for table in TABLES:
            op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS {table}_fkey')
        op.execute(f"UPDATE plans SET price = {PRICE}")
    """)
    assert [(op.table, op.effect) for op in ops] == [(None, "schema"), ("plans", "data")]


def test_execute_of_sqlalchemy_ddl_constructs_is_a_schema_change() -> None:
    ops = ops_of("""
        op.execute(sa.schema.DropSequence(sa.schema.Sequence('package_id_seq')))
        op.execute(sa.DDL('CREATE INDEX ix_a ON plans (a)'))
    """)
    assert [(op.table, op.effect) for op in ops] == [(None, "schema"), ("plans", "schema")]


def test_execute_of_a_select_or_a_do_block_is_neither_schema_nor_data() -> None:
    ops = ops_of("""
        op.execute('SELECT setval(1)')
        op.execute(sa.text('DO $$ BEGIN PERFORM 1; END $$'))
    """)
    assert [op.effect for op in ops] == ["other", "other"]


def test_execute_of_text_known_only_at_run_time_is_a_data_change_without_table() -> None:
    [op] = ops_of("op.execute(build_sql())")
    assert (op.kind, op.table, op.effect, op.detail) == ("execute", None, "data", "build_sql()")


def test_execute_of_a_sqlalchemy_update_names_the_table() -> None:
    [op] = ops_of("""
        users = sa.table('users', sa.column('id'), sa.column('phone'))
        op.execute(users.update().where(users.c.id == 1).values(phone=''))
    """)
    assert (op.table, op.columns, op.effect) == ("users", ("id", "phone"), "data")


def test_execute_of_sa_insert_names_the_table() -> None:
    [op] = ops_of("""
        roles = sa.table('roles', sa.column('name'))
        op.execute(sa.insert(roles).values(name='admin'))
    """)
    assert op.table == "roles"


def test_bulk_insert_into_a_table_built_with_sa_table() -> None:
    [op] = ops_of("""
        roles = sa.table('roles', sa.column('id', sa.Integer), sa.column('name', sa.String))
        op.bulk_insert(roles, [{'id': 1, 'name': 'admin'}, {'id': 2, 'name': 'member', 'extra': 1}])
    """)
    assert (op.kind, op.table, op.columns, op.detail, op.effect) == (
        "bulk_insert", "roles", ("id", "name", "extra"), "2 rows", "data")


def test_bulk_insert_into_the_table_that_create_table_returned() -> None:
    ops = ops_of("""
        plans = op.create_table('plans', sa.Column('id', sa.Integer(), primary_key=True))
        op.bulk_insert(plans, [{'id': 1}])
    """)
    assert summary(ops) == [("create_table", "plans", None), ("bulk_insert", "plans", None)]


def test_execute_on_the_connection_from_get_bind_is_a_data_change() -> None:
    ops = ops_of("""
        conn = op.get_bind()
        conn.execute(sa.text("DELETE FROM sessions"))
    """)
    assert summary(ops) == [("execute", "sessions", None)]
    assert ops[0].effect == "data"


# -- where operations come from --------------------------------------------------------------------


def test_lines_are_absolute_in_the_file() -> None:
    source = textwrap.dedent('''\
        """msg

        Revision ID: abc
        """
        from alembic import op
        import sqlalchemy as sa

        revision = "abc"


        def upgrade():
            op.add_column("users", sa.Column("a", sa.Integer()))
            op.create_index(
                "ix_users_a",
                "users",
                ["a"],
            )


        def downgrade():
            op.drop_index("ix_users_a", table_name="users")
    ''')
    operations = read_operations(source)
    assert [(op.line, op.function) for op in operations.upgrade] == [(12, "upgrade"), (13, "upgrade")]
    assert [(op.line, op.function) for op in operations.downgrade] == [(21, "downgrade")]
    assert (operations.upgrade_line, operations.downgrade_line) == (11, 20)


def test_operations_in_loops_and_branches_are_read() -> None:
    ops = ops_of("""
        for name in ('a', 'b'):
            op.drop_table(name)
        if True:
            op.drop_column('t', 'c')
    """)
    assert summary(ops) == [("drop_table", None, None), ("drop_column", "t", "c")]


def test_module_level_helper_called_from_upgrade_is_followed_once() -> None:
    source = textwrap.dedent("""\
        from alembic import op

        def _add(table):
            op.add_column(table, None)
            _add(table)

        def upgrade():
            _add('users')

        def downgrade():
            pass
    """)
    [op] = read_operations(source).upgrade
    assert (op.kind, op.line, op.function) == ("add_column", 4, "upgrade")


def test_multidb_template_engine_functions_count_as_upgrade_and_downgrade() -> None:
    source = textwrap.dedent("""\
        from alembic import op

        def upgrade_engine1() -> None:
            op.drop_table('a')

        def upgrade_engine2() -> None:
            op.drop_table('b')

        def downgrade_engine1() -> None:
            pass
    """)
    operations = read_operations(source)
    assert summary(list(operations.upgrade)) == [("drop_table", "a", None), ("drop_table", "b", None)]
    assert (operations.upgrade_line, operations.downgrade_empty) == (3, True)


def test_op_imported_under_another_name() -> None:
    ops = ops_of("alembic_op.drop_table('a')", header="from alembic import op as alembic_op\n")
    assert summary(ops) == [("drop_table", "a", None)]


# -- function bodies -------------------------------------------------------------------------------


def test_pass_and_docstring_only_functions_are_empty() -> None:
    source = 'def upgrade() -> None:\n    """Upgrade schema."""\n    pass\n\n\ndef downgrade():\n    ...\n'
    operations = read_operations(source)
    assert (operations.upgrade_empty, operations.downgrade_empty) == (True, True)


def test_function_with_code_but_no_op_call_is_not_empty() -> None:
    operations = read_operations("def upgrade():\n    print('x')\n\ndef downgrade():\n    pass\n")
    assert (operations.upgrade, operations.upgrade_empty) == ((), False)


def test_missing_downgrade_is_empty_and_has_no_line() -> None:
    operations = read_operations("from alembic import op\n\ndef upgrade():\n    op.drop_table('a')\n")
    assert (operations.downgrade_empty, operations.downgrade_line) == (True, None)


def test_a_file_that_does_not_parse_gives_an_error_with_its_line() -> None:
    operations = read_operations("def upgrade():\n    print 'hello'\n")
    assert operations.error is not None and operations.error.startswith("the file does not parse: ")
    assert (operations.error_line, operations.upgrade) == (2, ())


def test_describe_says_what_an_operation_does() -> None:
    ops = ops_of("""
        op.add_column('users', sa.Column('org_id', sa.Integer(), sa.ForeignKey('orgs.id')))
        op.alter_column('users', 'a', new_column_name='b')
        op.create_unique_constraint('uq', 'users', ['b'])
        op.execute('UPDATE users SET b = 1')
        op.execute(make())
    """)
    assert [describe(op) for op in ops] == [
        "adds column users.org_id referencing orgs", "renames column users.a to b",
        "creates unique constraint uq on users", "changes data in users", "changes data",
    ]


# -- files written by the real tools ---------------------------------------------------------------


def _users(metadata: sa.MetaData, *extra: sa.Column[object]) -> sa.Table:
    return sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("email", sa.String(120), index=True), *extra)


def _orders(metadata: sa.MetaData, note: sa.types.TypeEngine[object]) -> sa.Table:
    return sa.Table("orders", metadata, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("user_id", sa.ForeignKey("users.id")), sa.Column("note", note))


def _schema(step: int) -> sa.MetaData:
    metadata = sa.MetaData()
    if step == 0:
        _users(metadata)
        _orders(metadata, sa.String(20))
    else:
        _users(metadata, sa.Column("phone", sa.String(20), index=True))
        _orders(metadata, sa.Text())
    return metadata


@pytest.mark.parametrize("batch", [False, True], ids=["plain", "render_as_batch"])
def test_alembic_autogenerate_initial_revision(tmp_path: Path, batch: bool) -> None:
    path = AutogenProject(tmp_path, batch=batch).revise(_schema(0), "initial")
    operations = read_operations(path.read_text())
    assert summary(list(operations.upgrade)) == [
        ("create_table", "users", None), ("create_index", "users", "ix_users_email"),
        ("create_table", "orders", None),
    ]
    assert operations.upgrade[2].references == ("users",)
    assert summary(list(operations.downgrade)) == [
        ("drop_table", "orders", None), ("drop_index", "users", "ix_users_email"),
        ("drop_table", "users", None),
    ]


@pytest.mark.parametrize("batch", [False, True], ids=["plain", "render_as_batch"])
def test_alembic_autogenerate_column_changes(tmp_path: Path, batch: bool) -> None:
    project = AutogenProject(tmp_path, batch=batch)
    project.revise(_schema(0), "initial")
    path = project.revise(_schema(1), "phone and note")
    text = path.read_text()
    assert ("batch_alter_table" in text) is batch
    operations = read_operations(text)
    assert summary(list(operations.upgrade)) == [
        ("alter_column", "orders", "note"), ("add_column", "users", "phone"),
        ("create_index", "users", "ix_users_phone"),
    ]
    assert summary(list(operations.downgrade)) == [
        ("drop_index", "users", "ix_users_phone"), ("drop_column", "users", "phone"),
        ("alter_column", "orders", "note"),
    ]
    lines = text.splitlines()
    for op in operations.upgrade + operations.downgrade:
        assert f".{op.kind}(" in lines[op.line - 1], (op, lines[op.line - 1])


@pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")  # Flask-Migrate's env.py
def test_flask_db_migrate_revision_with_batch_block(tmp_path: Path) -> None:
    def first(db: Any) -> None:
        class User(db.Model):  # type: ignore[name-defined,misc]
            __tablename__ = "users"
            id = db.Column(db.Integer, primary_key=True)

    def second(db: Any) -> None:
        class User(db.Model):  # type: ignore[name-defined,misc]
            __tablename__ = "users"
            id = db.Column(db.Integer, primary_key=True)
            phone = db.Column(db.String(20), index=True)

    _, path = flask_migrate_revisions(tmp_path, [first, second])
    text = path.read_text()
    assert "with op.batch_alter_table('users', schema=None) as batch_op:" in text
    operations = read_operations(text)
    assert summary(list(operations.upgrade)) == [
        ("add_column", "users", "phone"), ("create_index", "users", "ix_users_phone")]
    assert summary(list(operations.downgrade)) == [
        ("drop_index", "users", "ix_users_phone"), ("drop_column", "users", "phone")]


def _own_revision_files() -> list[Path]:
    versions = REPO / "migrations" / "versions"
    if not versions.is_dir():
        pytest.skip("this repository has no migrations/versions yet")
    return sorted(versions.glob("*.py"))


def test_this_repositorys_own_revisions_are_read_completely() -> None:
    for path in _own_revision_files():
        operations = read_operations(path.read_text(encoding="utf-8"))
        assert operations.error is None, path
        for op in operations.upgrade + operations.downgrade:
            assert op.kind != "other" and op.table, (path.name, op)


def test_this_repositorys_phone_revision_adds_users_phone_in_a_batch_block() -> None:
    [path] = [p for p in _own_revision_files() if p.name.endswith("_add_phone_to_users.py")]
    operations = read_operations(path.read_text(encoding="utf-8"))
    assert summary(list(operations.upgrade)) == [("add_column", "users", "phone")]
    assert summary(list(operations.downgrade)) == [("drop_column", "users", "phone")]
