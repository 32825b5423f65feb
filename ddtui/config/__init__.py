"""Where things are, resolved as Airflow resolves them: airflow.cfg and its *_cmd settings
(`airflow_cfg`), the metastore and data settings (`settings`), Airflow connections
(`connections`, `fernet`), and the data sources the user configured (`sources`)."""
