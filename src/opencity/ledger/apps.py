from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "opencity.ledger"
    label = "ledger"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from opencity.ledger.dbguard import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="ledger_sqlite_wipe_guard")
