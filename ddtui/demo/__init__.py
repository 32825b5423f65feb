"""Everything that runs real Airflow: the demo home builder, its DAG files (`dags/`), and the
`airflow` command-line runner the tests use to build their metastores. ddtui itself never
imports Airflow; only this package drives it, in a separate process."""
