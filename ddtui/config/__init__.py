"""Where things are, resolved as Airflow resolves them: airflow.cfg and its *_cmd settings
(`airflow_cfg`), the metastore and data settings (`settings`), Airflow connections
(`connections`, `fernet`), the data sources the user configured (`sources`), and which
existing table a name that needs quoting means there (`table_names`)."""
