"""Stored errors and CLI output name the database's reason, never the statement or the values bound to it."""

from sqlalchemy.exc import IntegrityError, StatementError

from channel_plugin.engine.dberrors import describe_error


def test_a_database_error_keeps_its_reason_and_drops_sql_parameters_and_detail():
    reason = 'duplicate key value violates unique constraint "uq_x"'
    driver = Exception(f"{reason}\nDETAIL:  Key (email)=(zelda@x.com) already exists.")
    error = IntegrityError("INSERT INTO host_customers (email) VALUES (%(email)s)", {"email": "zelda@x.com"}, driver)
    assert describe_error(error) == f"Exception: {reason}"


def test_a_statement_error_without_a_driver_error_names_no_statement():
    error = StatementError("bad value", "UPDATE host_orders SET buyer=?", {"buyer": "Zelda"}, None)
    assert describe_error(error) == "StatementError: the database refused a statement"
