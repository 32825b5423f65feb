-- table: row count
SELECT count(*) AS `count_1` 
FROM `analytics`.`events`;

-- table: head
SELECT `events`.`ds`, `events`.`id`, `events`.`quantity`, `events`.`score` AS `score`, `events`.`price`, `events`.`colour`, `events`.`comment`, `events`.`active`, `events`.`created`, `events`.`payload` 
FROM `analytics`.`events`
 LIMIT 5;

-- table: tail
SELECT `events`.`ds`, `events`.`id`, `events`.`quantity`, `events`.`score` AS `score`, `events`.`price`, `events`.`colour`, `events`.`comment`, `events`.`active`, `events`.`created`, `events`.`payload` 
FROM `analytics`.`events`
 LIMIT 5 OFFSET 1000000;

-- table: --sample 10000
SELECT `events`.`ds`, `events`.`id`, `events`.`quantity`, `events`.`score`, `events`.`price`, `events`.`colour`, `events`.`comment`, `events`.`active`, `events`.`created`, `events`.`payload` 
FROM `analytics`.`events` AS `events` TABLESAMPLE SYSTEM (0.125 PERCENT)
 LIMIT 20000;

-- table: rows streamed
SELECT `events`.`ds`, `events`.`id`, `events`.`quantity`, `events`.`score` AS `score`, `events`.`price`, `events`.`colour`, `events`.`comment`, `events`.`active`, `events`.`created`, `events`.`payload` 
FROM `analytics`.`events`;

-- partition: row count
SELECT count(*) AS `count_1` 
FROM (SELECT `events`.`ds` AS `ds`, `events`.`id` AS `id`, `events`.`quantity` AS `quantity`, `events`.`score` AS `score`, `events`.`price` AS `price`, `events`.`colour` AS `colour`, `events`.`comment` AS `comment`, `events`.`active` AS `active`, `events`.`created` AS `created`, `events`.`payload` AS `payload` 
FROM `analytics`.`events` 
WHERE `events`.`ds` = DATE '2024-01-01' AND `events`.`colour` = 'red') AS `events`;

-- partition: head
SELECT `events`.`ds`, `events`.`id`, `events`.`quantity`, `events`.`score` AS `score`, `events`.`price`, `events`.`colour`, `events`.`comment`, `events`.`active`, `events`.`created`, `events`.`payload` 
FROM (SELECT `events`.`ds` AS `ds`, `events`.`id` AS `id`, `events`.`quantity` AS `quantity`, `events`.`score` AS `score`, `events`.`price` AS `price`, `events`.`colour` AS `colour`, `events`.`comment` AS `comment`, `events`.`active` AS `active`, `events`.`created` AS `created`, `events`.`payload` AS `payload` 
FROM `analytics`.`events` 
WHERE `events`.`ds` = DATE '2024-01-01' AND `events`.`colour` = 'red') AS `events`
 LIMIT 5;

-- partition: tail
SELECT `events`.`ds`, `events`.`id`, `events`.`quantity`, `events`.`score` AS `score`, `events`.`price`, `events`.`colour`, `events`.`comment`, `events`.`active`, `events`.`created`, `events`.`payload` 
FROM (SELECT `events`.`ds` AS `ds`, `events`.`id` AS `id`, `events`.`quantity` AS `quantity`, `events`.`score` AS `score`, `events`.`price` AS `price`, `events`.`colour` AS `colour`, `events`.`comment` AS `comment`, `events`.`active` AS `active`, `events`.`created` AS `created`, `events`.`payload` AS `payload` 
FROM `analytics`.`events` 
WHERE `events`.`ds` = DATE '2024-01-01' AND `events`.`colour` = 'red') AS `events`
 LIMIT 5 OFFSET 1000000;

-- partition: --sample 10000
SELECT `events`.`ds`, `events`.`id`, `events`.`quantity`, `events`.`score`, `events`.`price`, `events`.`colour`, `events`.`comment`, `events`.`active`, `events`.`created`, `events`.`payload` 
FROM (SELECT `events`.`ds` AS `ds`, `events`.`id` AS `id`, `events`.`quantity` AS `quantity`, `events`.`score` AS `score`, `events`.`price` AS `price`, `events`.`colour` AS `colour`, `events`.`comment` AS `comment`, `events`.`active` AS `active`, `events`.`created` AS `created`, `events`.`payload` AS `payload` 
FROM `analytics`.`events` AS `events` TABLESAMPLE SYSTEM (0.125 PERCENT) 
WHERE `events`.`ds` = DATE '2024-01-01' AND `events`.`colour` = 'red') AS `events`
 LIMIT 20000;

-- partition: rows streamed
SELECT `events`.`ds`, `events`.`id`, `events`.`quantity`, `events`.`score` AS `score`, `events`.`price`, `events`.`colour`, `events`.`comment`, `events`.`active`, `events`.`created`, `events`.`payload` 
FROM (SELECT `events`.`ds` AS `ds`, `events`.`id` AS `id`, `events`.`quantity` AS `quantity`, `events`.`score` AS `score`, `events`.`price` AS `price`, `events`.`colour` AS `colour`, `events`.`comment` AS `comment`, `events`.`active` AS `active`, `events`.`created` AS `created`, `events`.`payload` AS `payload` 
FROM `analytics`.`events` 
WHERE `events`.`ds` = DATE '2024-01-01' AND `events`.`colour` = 'red') AS `events`;
