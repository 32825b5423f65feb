"""Tasks whose only declared output is an outlet asset naming an SQL table.

No `output_table` attribute and no return value: ddtui must find each table
through the task's outlet (``sqlite:////abs/path/data.db/orders`` and the like).
"""

from __future__ import annotations

from datetime import datetime

from airflow_compat import DAG, Asset, task
from datadriver import read_table, table_asset_uri, write_table

ORDERS = Asset(uri=table_asset_uri("orders"))
ORDER_ITEMS = Asset(uri=table_asset_uri("order_items"))
# An explicit name that is not a URI: the URI is the only link to the table.
DAILY_REVENUE = Asset(name="daily_revenue", uri=table_asset_uri("daily_revenue"))


with DAG(
    dag_id="asset_outputs",
    description="Outputs declared only as outlet assets (no output_table, no XCom)",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["assets"],
    doc_md=__doc__,
) as dag:

    @task(outlets=[ORDERS])
    def extract_orders() -> None:
        """Write the `orders` table."""
        import numpy as np
        import pandas as pd

        rng = np.random.default_rng(7)
        n = 2_000
        orders = pd.DataFrame(
            {
                "order_id": np.arange(1, n + 1),
                "customer_id": rng.integers(1, 400, size=n),
                "status": rng.choice(["paid", "shipped", "returned"], size=n, p=[0.5, 0.45, 0.05]),
                "ordered_at": pd.Timestamp("2024-01-01")
                + pd.to_timedelta(rng.integers(0, 60 * 24 * 31, size=n), unit="min"),
                "coupon": np.where(rng.random(n) < 0.3, "WINTER10", None),
            }
        )
        write_table(orders, "orders")

    @task(outlets=[ORDER_ITEMS])
    def extract_order_items() -> None:
        """Write the `order_items` table (several lines per order)."""
        import numpy as np
        import pandas as pd

        rng = np.random.default_rng(8)
        n = 5_000
        items = pd.DataFrame(
            {
                "order_id": rng.integers(1, 2_001, size=n),
                "sku": rng.choice([f"SKU-{i:03d}" for i in range(40)], size=n),
                "quantity": rng.integers(1, 6, size=n),
                "unit_price": np.round(rng.gamma(2.0, 12.0, size=n), 2),
            }
        )
        items.loc[rng.random(n) < 0.02, "unit_price"] = np.nan  # a few unpriced lines
        write_table(items, "order_items")

    @task(inlets=[ORDERS, ORDER_ITEMS], outlets=[DAILY_REVENUE])
    def daily_revenue() -> None:
        """Aggregate revenue per day into `daily_revenue`."""
        orders, items = read_table("orders"), read_table("order_items")
        lines = items.merge(orders, on="order_id")
        lines["revenue"] = lines["quantity"] * lines["unit_price"]
        lines["day"] = lines["ordered_at"].dt.normalize()
        revenue = lines.groupby("day", as_index=False).agg(
            orders=("order_id", "nunique"), revenue=("revenue", "sum")
        )
        write_table(revenue, "daily_revenue")

    [extract_orders(), extract_order_items()] >> daily_revenue()
