"""Output tables: which table (or partition) a task wrote (`resolve`), the rows of a
partition (`table_slice`), and the read-only engines that reach them (`data_sources`)."""
