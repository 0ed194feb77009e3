-- One PostgreSQL 16 server, two databases: Airflow's metadata and the wirefeed warehouse.
CREATE DATABASE airflow;
CREATE DATABASE wirefeed;
