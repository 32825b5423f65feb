-- table: row count
SELECT count(*) AS count_1 
FROM analytics.events;

-- table: head
SELECT analytics.events.ds, analytics.events.id, analytics.events.quantity, analytics.events.score AS score, analytics.events.price, analytics.events.colour, analytics.events.comment, analytics.events.active, analytics.events.created, analytics.events.payload 
FROM analytics.events
 LIMIT 5;

-- table: tail
SELECT analytics.events.ds, analytics.events.id, analytics.events.quantity, analytics.events.score AS score, analytics.events.price, analytics.events.colour, analytics.events.comment, analytics.events.active, analytics.events.created, analytics.events.payload 
FROM analytics.events
 LIMIT 5 OFFSET 1000000;

-- table: --sample 10000
SELECT events.ds, events.id, events.quantity, events.score, events.price, events.colour, events.comment, events.active, events.created, events.payload 
FROM analytics.events AS events TABLESAMPLE system(0.125)
 LIMIT 20000;

-- table: push-down query 1
SELECT count(analytics.events.ds) AS count_0, min(analytics.events.ds) AS min_1, max(analytics.events.ds) AS max_2, sum(EXTRACT(epoch FROM analytics.events.ds)) AS epoch_sum_3, count(CAST(analytics.events.id AS DOUBLE)) AS count_4, min(analytics.events.id) AS min_5, max(analytics.events.id) AS max_6, coalesce(sum(CASE WHEN (CAST(analytics.events.id AS DOUBLE) = 0) THEN 1 ELSE 0 END), 0) AS zeros_7, coalesce(sum(CASE WHEN (CAST(analytics.events.id AS DOUBLE) < 0) THEN 1 ELSE 0 END), 0) AS negatives_8, avg(CAST(analytics.events.id AS DOUBLE)) AS mean_9, stddev_samp(CAST(analytics.events.id AS DOUBLE)) AS std_10, min(CAST(analytics.events.id AS DOUBLE)) AS fmin_11, max(CAST(analytics.events.id AS DOUBLE)) AS fmax_12, max(abs(CAST(analytics.events.id AS DOUBLE))) AS max_abs_13, count(CAST(analytics.events.quantity AS DOUBLE)) AS count_14, min(analytics.events.quantity) AS min_15, max(analytics.events.quantity) AS max_16, coalesce(sum(CASE WHEN (CAST(analytics.events.quantity AS DOUBLE) = 0) THEN 1 ELSE 0 END), 0) AS zeros_17, coalesce(sum(CASE WHEN (CAST(analytics.events.quantity AS DOUBLE) < 0) THEN 1 ELSE 0 END), 0) AS negatives_18, avg(CAST(analytics.events.quantity AS DOUBLE)) AS mean_19, stddev_samp(CAST(analytics.events.quantity AS DOUBLE)) AS std_20, min(CAST(analytics.events.quantity AS DOUBLE)) AS fmin_21, max(CAST(analytics.events.quantity AS DOUBLE)) AS fmax_22, max(abs(CAST(analytics.events.quantity AS DOUBLE))) AS max_abs_23, count(CAST(analytics.events.score AS DOUBLE)) AS count_24, min(CAST(analytics.events.score AS DOUBLE)) AS min_25, max(CAST(analytics.events.score AS DOUBLE)) AS max_26, coalesce(sum(CASE WHEN (CAST(analytics.events.score AS DOUBLE) = 0) THEN 1 ELSE 0 END), 0) AS zeros_27, coalesce(sum(CASE WHEN (CAST(analytics.events.score AS DOUBLE) < 0) THEN 1 ELSE 0 END), 0) AS negatives_28, avg(CASE WHEN (abs(CAST(analytics.events.score AS DOUBLE)) < 2.5822498780869086e+120) THEN CAST(analytics.events.score AS DOUBLE) END) AS mean_29, stddev_samp(CASE WHEN (abs(CAST(analytics.events.score AS DOUBLE)) < 2.5822498780869086e+120) THEN CAST(analytics.events.score AS DOUBLE) END) AS std_30, min(CAST(analytics.events.score AS DOUBLE)) AS fmin_31, max(CAST(analytics.events.score AS DOUBLE)) AS fmax_32, max(abs(CAST(analytics.events.score AS DOUBLE))) AS max_abs_33, count(CAST(analytics.events.price AS DOUBLE)) AS count_34, min(CAST(analytics.events.price AS DOUBLE)) AS min_35, max(CAST(analytics.events.price AS DOUBLE)) AS max_36, coalesce(sum(CASE WHEN (CAST(analytics.events.price AS DOUBLE) = 0) THEN 1 ELSE 0 END), 0) AS zeros_37, coalesce(sum(CASE WHEN (CAST(analytics.events.price AS DOUBLE) < 0) THEN 1 ELSE 0 END), 0) AS negatives_38, avg(CASE WHEN (abs(CAST(analytics.events.price AS DOUBLE)) < 2.5822498780869086e+120) THEN CAST(analytics.events.price AS DOUBLE) END) AS mean_39, stddev_samp(CASE WHEN (abs(CAST(analytics.events.price AS DOUBLE)) < 2.5822498780869086e+120) THEN CAST(analytics.events.price AS DOUBLE) END) AS std_40, min(CAST(analytics.events.price AS DOUBLE)) AS fmin_41, max(CAST(analytics.events.price AS DOUBLE)) AS fmax_42, max(abs(CAST(analytics.events.price AS DOUBLE))) AS max_abs_43, count(analytics.events.colour) AS count_44, min(char_length(analytics.events.colour)) AS min_length_45, avg(CAST(char_length(analytics.events.colour) AS DOUBLE)) AS mean_length_46, max(char_length(analytics.events.colour)) AS max_length_47, count(analytics.events.comment) AS count_48, min(char_length(analytics.events.comment)) AS min_length_49, avg(CAST(char_length(analytics.events.comment) AS DOUBLE)) AS mean_length_50, max(char_length(analytics.events.comment)) AS max_length_51, count(analytics.events.active) AS count_52, coalesce(sum(CASE WHEN analytics.events.active THEN 1 ELSE 0 END), 0) AS trues_53, count(analytics.events.created) AS count_54, min(analytics.events.created) AS min_55, max(analytics.events.created) AS max_56, sum(EXTRACT(epoch FROM analytics.events.created)) AS epoch_sum_57, count(analytics.events.payload) AS count_58, min(octet_length(analytics.events.payload)) AS min_length_59, avg(CAST(octet_length(analytics.events.payload) AS DOUBLE)) AS mean_length_60, max(octet_length(analytics.events.payload)) AS max_length_61 
FROM analytics.events;

-- table: push-down query 2
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT analytics.events.ds AS v 
FROM analytics.events 
WHERE analytics.events.ds IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- table: push-down query 3
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM analytics.events 
WHERE CAST(EXTRACT(epoch FROM analytics.events.ds) * 1000000 AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- table: push-down query 4
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT analytics.events.id AS v 
FROM analytics.events 
WHERE analytics.events.id IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- table: push-down query 5
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(analytics.events.id AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(analytics.events.id AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(analytics.events.id AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(analytics.events.id AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(analytics.events.id AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(analytics.events.id AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(analytics.events.id AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(analytics.events.id AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(analytics.events.id AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(analytics.events.id AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM analytics.events 
WHERE CAST(analytics.events.id AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- table: push-down query 6
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT analytics.events.quantity AS v 
FROM analytics.events 
WHERE analytics.events.quantity IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- table: push-down query 7
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(analytics.events.quantity AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(analytics.events.quantity AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(analytics.events.quantity AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(analytics.events.quantity AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(analytics.events.quantity AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(analytics.events.quantity AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(analytics.events.quantity AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(analytics.events.quantity AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(analytics.events.quantity AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(analytics.events.quantity AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM analytics.events 
WHERE CAST(analytics.events.quantity AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- table: push-down query 8
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT CAST(analytics.events.score AS DOUBLE) AS v 
FROM analytics.events 
WHERE CAST(analytics.events.score AS DOUBLE) IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- table: push-down query 9
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(analytics.events.score AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(analytics.events.score AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(analytics.events.score AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(analytics.events.score AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(analytics.events.score AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(analytics.events.score AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(analytics.events.score AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(analytics.events.score AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(analytics.events.score AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(analytics.events.score AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM analytics.events 
WHERE CAST(analytics.events.score AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- table: push-down query 10
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT CAST(analytics.events.price AS DOUBLE) AS v 
FROM analytics.events 
WHERE CAST(analytics.events.price AS DOUBLE) IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- table: push-down query 11
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(analytics.events.price AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(analytics.events.price AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(analytics.events.price AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(analytics.events.price AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(analytics.events.price AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(analytics.events.price AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(analytics.events.price AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(analytics.events.price AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(analytics.events.price AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(analytics.events.price AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM analytics.events 
WHERE CAST(analytics.events.price AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- table: push-down query 12
SELECT grp.v, grp.n, count(*) OVER () AS anon_1 
FROM (SELECT analytics.events.colour AS k, analytics.events.colour AS v, count(*) AS n 
FROM analytics.events 
WHERE analytics.events.colour IS NOT NULL GROUP BY analytics.events.colour) AS grp ORDER BY grp.n DESC, grp.k
 LIMIT 20;

-- table: push-down query 13
SELECT grp.v, grp.n, count(*) OVER () AS anon_1 
FROM (SELECT analytics.events.comment AS k, analytics.events.comment AS v, count(*) AS n 
FROM analytics.events 
WHERE analytics.events.comment IS NOT NULL GROUP BY analytics.events.comment) AS grp ORDER BY grp.n DESC, grp.k
 LIMIT 20;

-- table: push-down query 14
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT analytics.events.created AS v 
FROM analytics.events 
WHERE analytics.events.created IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- table: push-down query 15
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM analytics.events 
WHERE CAST(EXTRACT(epoch FROM analytics.events.created) * 1000000 AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- table: --approx estimates
SELECT approx_count_distinct(EXTRACT(epoch FROM analytics.events.ds) * 1000000) AS approx_count_distinct_1, approx_percentile(EXTRACT(epoch FROM analytics.events.ds) * 1000000, 0.25) AS approx_percentile_1, approx_percentile(EXTRACT(epoch FROM analytics.events.ds) * 1000000, 0.5) AS approx_percentile_2, approx_percentile(EXTRACT(epoch FROM analytics.events.ds) * 1000000, 0.75) AS approx_percentile_3, approx_count_distinct(CAST(analytics.events.id AS DOUBLE)) AS approx_count_distinct_2, approx_percentile(CAST(analytics.events.id AS DOUBLE), 0.25) AS approx_percentile_4, approx_percentile(CAST(analytics.events.id AS DOUBLE), 0.5) AS approx_percentile_5, approx_percentile(CAST(analytics.events.id AS DOUBLE), 0.75) AS approx_percentile_6, approx_count_distinct(CAST(analytics.events.quantity AS DOUBLE)) AS approx_count_distinct_3, approx_percentile(CAST(analytics.events.quantity AS DOUBLE), 0.25) AS approx_percentile_7, approx_percentile(CAST(analytics.events.quantity AS DOUBLE), 0.5) AS approx_percentile_8, approx_percentile(CAST(analytics.events.quantity AS DOUBLE), 0.75) AS approx_percentile_9, approx_count_distinct(CAST(analytics.events.score AS DOUBLE)) AS approx_count_distinct_4, approx_percentile(CAST(analytics.events.score AS DOUBLE), 0.25) AS approx_percentile_10, approx_percentile(CAST(analytics.events.score AS DOUBLE), 0.5) AS approx_percentile_11, approx_percentile(CAST(analytics.events.score AS DOUBLE), 0.75) AS approx_percentile_12, approx_count_distinct(CAST(analytics.events.price AS DOUBLE)) AS approx_count_distinct_5, approx_percentile(CAST(analytics.events.price AS DOUBLE), 0.25) AS approx_percentile_13, approx_percentile(CAST(analytics.events.price AS DOUBLE), 0.5) AS approx_percentile_14, approx_percentile(CAST(analytics.events.price AS DOUBLE), 0.75) AS approx_percentile_15, approx_count_distinct(EXTRACT(epoch FROM analytics.events.created) * 1000000) AS approx_count_distinct_6, approx_percentile(EXTRACT(epoch FROM analytics.events.created) * 1000000, 0.25) AS approx_percentile_16, approx_percentile(EXTRACT(epoch FROM analytics.events.created) * 1000000, 0.5) AS approx_percentile_17, approx_percentile(EXTRACT(epoch FROM analytics.events.created) * 1000000, 0.75) AS approx_percentile_18 
FROM analytics.events;

-- partition: row count
SELECT count(*) AS count_1 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events;

-- partition: head
SELECT events.ds, events.id, events.quantity, events.score AS score, events.price, events.colour, events.comment, events.active, events.created, events.payload 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events
 LIMIT 5;

-- partition: tail
SELECT events.ds, events.id, events.quantity, events.score AS score, events.price, events.colour, events.comment, events.active, events.created, events.payload 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events
 LIMIT 5 OFFSET 1000000;

-- partition: --sample 10000
SELECT events.ds, events.id, events.quantity, events.score, events.price, events.colour, events.comment, events.active, events.created, events.payload 
FROM (SELECT events.ds AS ds, events.id AS id, events.quantity AS quantity, events.score AS score, events.price AS price, events.colour AS colour, events.comment AS comment, events.active AS active, events.created AS created, events.payload AS payload 
FROM analytics.events AS events TABLESAMPLE system(0.125) 
WHERE events.ds = '2024-01-01' AND events.colour = 'red') AS events
 LIMIT 20000;

-- partition: push-down query 1
SELECT count(events.ds) AS count_0, min(events.ds) AS min_1, max(events.ds) AS max_2, sum(EXTRACT(epoch FROM events.ds)) AS epoch_sum_3, count(CAST(events.id AS DOUBLE)) AS count_4, min(events.id) AS min_5, max(events.id) AS max_6, coalesce(sum(CASE WHEN (CAST(events.id AS DOUBLE) = 0) THEN 1 ELSE 0 END), 0) AS zeros_7, coalesce(sum(CASE WHEN (CAST(events.id AS DOUBLE) < 0) THEN 1 ELSE 0 END), 0) AS negatives_8, avg(CAST(events.id AS DOUBLE)) AS mean_9, stddev_samp(CAST(events.id AS DOUBLE)) AS std_10, min(CAST(events.id AS DOUBLE)) AS fmin_11, max(CAST(events.id AS DOUBLE)) AS fmax_12, max(abs(CAST(events.id AS DOUBLE))) AS max_abs_13, count(CAST(events.quantity AS DOUBLE)) AS count_14, min(events.quantity) AS min_15, max(events.quantity) AS max_16, coalesce(sum(CASE WHEN (CAST(events.quantity AS DOUBLE) = 0) THEN 1 ELSE 0 END), 0) AS zeros_17, coalesce(sum(CASE WHEN (CAST(events.quantity AS DOUBLE) < 0) THEN 1 ELSE 0 END), 0) AS negatives_18, avg(CAST(events.quantity AS DOUBLE)) AS mean_19, stddev_samp(CAST(events.quantity AS DOUBLE)) AS std_20, min(CAST(events.quantity AS DOUBLE)) AS fmin_21, max(CAST(events.quantity AS DOUBLE)) AS fmax_22, max(abs(CAST(events.quantity AS DOUBLE))) AS max_abs_23, count(CAST(events.score AS DOUBLE)) AS count_24, min(CAST(events.score AS DOUBLE)) AS min_25, max(CAST(events.score AS DOUBLE)) AS max_26, coalesce(sum(CASE WHEN (CAST(events.score AS DOUBLE) = 0) THEN 1 ELSE 0 END), 0) AS zeros_27, coalesce(sum(CASE WHEN (CAST(events.score AS DOUBLE) < 0) THEN 1 ELSE 0 END), 0) AS negatives_28, avg(CASE WHEN (abs(CAST(events.score AS DOUBLE)) < 2.5822498780869086e+120) THEN CAST(events.score AS DOUBLE) END) AS mean_29, stddev_samp(CASE WHEN (abs(CAST(events.score AS DOUBLE)) < 2.5822498780869086e+120) THEN CAST(events.score AS DOUBLE) END) AS std_30, min(CAST(events.score AS DOUBLE)) AS fmin_31, max(CAST(events.score AS DOUBLE)) AS fmax_32, max(abs(CAST(events.score AS DOUBLE))) AS max_abs_33, count(CAST(events.price AS DOUBLE)) AS count_34, min(CAST(events.price AS DOUBLE)) AS min_35, max(CAST(events.price AS DOUBLE)) AS max_36, coalesce(sum(CASE WHEN (CAST(events.price AS DOUBLE) = 0) THEN 1 ELSE 0 END), 0) AS zeros_37, coalesce(sum(CASE WHEN (CAST(events.price AS DOUBLE) < 0) THEN 1 ELSE 0 END), 0) AS negatives_38, avg(CASE WHEN (abs(CAST(events.price AS DOUBLE)) < 2.5822498780869086e+120) THEN CAST(events.price AS DOUBLE) END) AS mean_39, stddev_samp(CASE WHEN (abs(CAST(events.price AS DOUBLE)) < 2.5822498780869086e+120) THEN CAST(events.price AS DOUBLE) END) AS std_40, min(CAST(events.price AS DOUBLE)) AS fmin_41, max(CAST(events.price AS DOUBLE)) AS fmax_42, max(abs(CAST(events.price AS DOUBLE))) AS max_abs_43, count(events.colour) AS count_44, min(char_length(events.colour)) AS min_length_45, avg(CAST(char_length(events.colour) AS DOUBLE)) AS mean_length_46, max(char_length(events.colour)) AS max_length_47, count(events.comment) AS count_48, min(char_length(events.comment)) AS min_length_49, avg(CAST(char_length(events.comment) AS DOUBLE)) AS mean_length_50, max(char_length(events.comment)) AS max_length_51, count(events.active) AS count_52, coalesce(sum(CASE WHEN events.active THEN 1 ELSE 0 END), 0) AS trues_53, count(events.created) AS count_54, min(events.created) AS min_55, max(events.created) AS max_56, sum(EXTRACT(epoch FROM events.created)) AS epoch_sum_57, count(events.payload) AS count_58, min(octet_length(events.payload)) AS min_length_59, avg(CAST(octet_length(events.payload) AS DOUBLE)) AS mean_length_60, max(octet_length(events.payload)) AS max_length_61 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events;

-- partition: push-down query 2
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT events.ds AS v 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE events.ds IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- partition: push-down query 3
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE CAST(EXTRACT(epoch FROM events.ds) * 1000000 AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- partition: push-down query 4
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT events.id AS v 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE events.id IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- partition: push-down query 5
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(events.id AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(events.id AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(events.id AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(events.id AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(events.id AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(events.id AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(events.id AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(events.id AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(events.id AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(events.id AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE CAST(events.id AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- partition: push-down query 6
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT events.quantity AS v 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE events.quantity IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- partition: push-down query 7
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(events.quantity AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(events.quantity AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(events.quantity AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(events.quantity AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(events.quantity AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(events.quantity AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(events.quantity AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(events.quantity AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(events.quantity AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(events.quantity AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE CAST(events.quantity AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- partition: push-down query 8
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT CAST(events.score AS DOUBLE) AS v 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE CAST(events.score AS DOUBLE) IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- partition: push-down query 9
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(events.score AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(events.score AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(events.score AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(events.score AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(events.score AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(events.score AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(events.score AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(events.score AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(events.score AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(events.score AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE CAST(events.score AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- partition: push-down query 10
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT CAST(events.price AS DOUBLE) AS v 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE CAST(events.price AS DOUBLE) IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- partition: push-down query 11
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(events.price AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(events.price AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(events.price AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(events.price AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(events.price AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(events.price AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(events.price AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(events.price AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(events.price AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(events.price AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE CAST(events.price AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- partition: push-down query 12
SELECT grp.v, grp.n, count(*) OVER () AS anon_1 
FROM (SELECT events.colour AS k, events.colour AS v, count(*) AS n 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE events.colour IS NOT NULL GROUP BY events.colour) AS grp ORDER BY grp.n DESC, grp.k
 LIMIT 20;

-- partition: push-down query 13
SELECT grp.v, grp.n, count(*) OVER () AS anon_1 
FROM (SELECT events.comment AS k, events.comment AS v, count(*) AS n 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE events.comment IS NOT NULL GROUP BY events.comment) AS grp ORDER BY grp.n DESC, grp.k
 LIMIT 20;

-- partition: push-down query 14
SELECT run.v, run.upto, run.n, run.d 
FROM (SELECT grp.v AS v, grp.n AS n, sum(grp.n) OVER (ORDER BY grp.v) AS upto, count(*) OVER () AS d 
FROM (SELECT vals.v AS v, count(*) AS n 
FROM (SELECT events.created AS v 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE events.created IS NOT NULL) AS vals GROUP BY vals.v) AS grp) AS run 
WHERE run.upto - run.n < 250 AND run.upto >= 250 OR run.upto - run.n < 251 AND run.upto >= 251 OR run.upto - run.n < 500 AND run.upto >= 500 OR run.upto - run.n < 501 AND run.upto >= 501 OR run.upto - run.n < 750 AND run.upto >= 750 OR run.upto - run.n < 751 AND run.upto >= 751 OR run.d <= 20;

-- partition: push-down query 15
SELECT anon_1.b, count(*) AS count_1 
FROM (SELECT CASE WHEN (CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) < 100.0e0) THEN 1 WHEN (CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) < 200.0e0) THEN 2 WHEN (CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) < 300.0e0) THEN 3 WHEN (CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) < 400.0e0) THEN 4 WHEN (CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) < 500.0e0) THEN 5 WHEN (CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) < 600.0e0) THEN 6 WHEN (CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) < 700.0e0) THEN 7 WHEN (CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) < 800.0e0) THEN 8 WHEN (CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) < 900.0e0) THEN 9 WHEN (CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) < 1000.0e0) THEN 10 ELSE 11 END AS b 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events 
WHERE CAST(EXTRACT(epoch FROM events.created) * 1000000 AS DOUBLE) IS NOT NULL) AS anon_1 GROUP BY anon_1.b;

-- partition: --approx estimates
SELECT approx_count_distinct(EXTRACT(epoch FROM events.ds) * 1000000) AS approx_count_distinct_1, approx_percentile(EXTRACT(epoch FROM events.ds) * 1000000, 0.25) AS approx_percentile_1, approx_percentile(EXTRACT(epoch FROM events.ds) * 1000000, 0.5) AS approx_percentile_2, approx_percentile(EXTRACT(epoch FROM events.ds) * 1000000, 0.75) AS approx_percentile_3, approx_count_distinct(CAST(events.id AS DOUBLE)) AS approx_count_distinct_2, approx_percentile(CAST(events.id AS DOUBLE), 0.25) AS approx_percentile_4, approx_percentile(CAST(events.id AS DOUBLE), 0.5) AS approx_percentile_5, approx_percentile(CAST(events.id AS DOUBLE), 0.75) AS approx_percentile_6, approx_count_distinct(CAST(events.quantity AS DOUBLE)) AS approx_count_distinct_3, approx_percentile(CAST(events.quantity AS DOUBLE), 0.25) AS approx_percentile_7, approx_percentile(CAST(events.quantity AS DOUBLE), 0.5) AS approx_percentile_8, approx_percentile(CAST(events.quantity AS DOUBLE), 0.75) AS approx_percentile_9, approx_count_distinct(CAST(events.score AS DOUBLE)) AS approx_count_distinct_4, approx_percentile(CAST(events.score AS DOUBLE), 0.25) AS approx_percentile_10, approx_percentile(CAST(events.score AS DOUBLE), 0.5) AS approx_percentile_11, approx_percentile(CAST(events.score AS DOUBLE), 0.75) AS approx_percentile_12, approx_count_distinct(CAST(events.price AS DOUBLE)) AS approx_count_distinct_5, approx_percentile(CAST(events.price AS DOUBLE), 0.25) AS approx_percentile_13, approx_percentile(CAST(events.price AS DOUBLE), 0.5) AS approx_percentile_14, approx_percentile(CAST(events.price AS DOUBLE), 0.75) AS approx_percentile_15, approx_count_distinct(EXTRACT(epoch FROM events.created) * 1000000) AS approx_count_distinct_6, approx_percentile(EXTRACT(epoch FROM events.created) * 1000000, 0.25) AS approx_percentile_16, approx_percentile(EXTRACT(epoch FROM events.created) * 1000000, 0.5) AS approx_percentile_17, approx_percentile(EXTRACT(epoch FROM events.created) * 1000000, 0.75) AS approx_percentile_18 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events;
