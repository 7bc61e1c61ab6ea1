"""store.py: the SQLite file several processes share; ids, attached tables, clock and config overrides."""

from datetime import timedelta

import pytest

from memberconsole.fake_capillary import create_app
from memberconsole.fake_capillary.registration import register

BODY = {"profiles": [{"source": "INSTORE", "identifiers": [{"type": "mobile", "value": "919900000001"}]}]}


@pytest.fixture
def other(tmp_path, app):
    """A second app on the same file, as a second worker process would have."""
    application = create_app(db_path=tmp_path / "fake.sqlite3")
    yield application
    application.store.close()


def test_registered_ids_start_above_700000000_and_count_up(app):
    assert app.store.next_registered_id(app.store.conn) == 700_000_001
    register(app.store, BODY, user_context={}, wait_for_downstream=True)
    assert app.store.next_registered_id(app.store.conn) == 700_000_002


def test_registered_identifiers_are_owned_and_findable(app):
    cid = register(app.store, BODY, user_context={}, wait_for_downstream=True)["createdId"]
    assert app.store.identifier_owners(app.store.conn, "mobile", "919900000001") == [(cid, "INSTORE", "")]
    assert app.store.find_identifier("mobile", "919900000001", "INSTORE", None) == (cid, False)
    assert app.store.find_identifier("mobile", "919900000001", "WECHAT", "1234") == (None, True)


def test_reset_forgets_registrations_and_runs_attached_reset_statements(app):
    app.store.attach("CREATE TABLE IF NOT EXISTS scratch(n INTEGER)", reset="DELETE FROM scratch")
    with app.store.write() as c:
        c.execute("INSERT INTO scratch VALUES (1)")
    cid = register(app.store, BODY, user_context={}, wait_for_downstream=True)["createdId"]
    app.store.reset()
    assert app.store.conn.execute("SELECT count(*) FROM scratch").fetchone()[0] == 0
    assert app.store.get_record(cid) is None
    assert app.store.get_record(900000001) is not None  # demo customers are restored, not removed


def test_a_failed_write_rolls_back(app):
    def write_then_fail():
        with app.store.write() as c:
            c.execute("INSERT INTO meta VALUES ('scratch', 'x')")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert app.store.conn.execute("SELECT 1 FROM meta WHERE key='scratch'").fetchone() is None


def test_config_overrides_reach_another_process_on_refresh(app, other):
    app.store.set_config_overrides({"behaviour": {"merged_victim_mode": "error"}})
    assert other.store.config["behaviour"]["merged_victim_mode"] == "survivor"
    other.store.refresh_config()
    assert other.store.config["behaviour"]["merged_victim_mode"] == "error"
    assert other.store.config["behaviour"]["bulk_limit"] == 100  # merged one level deep, not replaced


def test_clock_offset_is_shared_and_cleared_by_reset(app, other):
    before = other.store.today()
    app.store.set_clock_offset(86_400)
    assert other.store.today() - before >= timedelta(days=1)
    app.store.reset()
    assert other.store.today() - before < timedelta(hours=1)
