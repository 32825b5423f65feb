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
FROM analytics.events TABLESAMPLE (0.125 PERCENT) REPEATABLE (0) AS events
 LIMIT 20000;

-- table: rows streamed
SELECT analytics.events.ds, analytics.events.id, analytics.events.quantity, analytics.events.score AS score, analytics.events.price, analytics.events.colour, analytics.events.comment, analytics.events.active, analytics.events.created, analytics.events.payload 
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
FROM analytics.events TABLESAMPLE (0.125 PERCENT) REPEATABLE (0) AS events 
WHERE events.ds = '2024-01-01' AND events.colour = 'red') AS events
 LIMIT 20000;

-- partition: rows streamed
SELECT events.ds, events.id, events.quantity, events.score AS score, events.price, events.colour, events.comment, events.active, events.created, events.payload 
FROM (SELECT analytics.events.ds AS ds, analytics.events.id AS id, analytics.events.quantity AS quantity, analytics.events.score AS score, analytics.events.price AS price, analytics.events.colour AS colour, analytics.events.comment AS comment, analytics.events.active AS active, analytics.events.created AS created, analytics.events.payload AS payload 
FROM analytics.events 
WHERE analytics.events.ds = '2024-01-01' AND analytics.events.colour = 'red') AS events;
