"""The belief view on PostgreSQL (imported only when psycopg is installed)."""

from __future__ import annotations

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder

from ledger.policy import BeliefPolicy
from ledger.view import BeliefView


class PostgresBeliefView(BeliefView, PostgresTrackingRecorder):
    """The belief view's tables in a PostgreSQL schema."""

    placeholder = "%s"
    _code_points = ' COLLATE "C"'

    def __init__(self, datastore: PostgresDatastore, policy: BeliefPolicy) -> None:
        PostgresTrackingRecorder.__init__(
            self, datastore, tracking_table_name="ledger_tracking"
        )
        BeliefView.__init__(self, policy)
        self._table_prefix = '"' + datastore.schema.replace('"', '""') + '".'

    def _lock_position_sql(self) -> str:
        # Row lock: concurrent projectors queue here instead of both applying.
        return self._q(
            "SELECT notification_id FROM {t}ledger_tracking"
            " WHERE application_name = ? FOR UPDATE"
        )

    def _reset_tracking_sql(self) -> str:
        return self._q("DELETE FROM {t}ledger_tracking WHERE application_name = ?")
