"""The "stream" and "sample" strategies: the rows come to ddtui, in bounded chunks.

stream.py reads them once (accumulate.py keeps each column's values); tables too large
for that are read in several passes in bounded memory (passes.py, bounded.py, with
distinct.py, ranks.py and sums.py). SQLite counts text and boolean columns itself
(sqlite_groups.py), and large SQLite tables are read as Arrow batches where ADBC is
installed (arrow_profile.py, arrow_read.py).
"""
