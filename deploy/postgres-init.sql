-- Each service owns its database; one PostgreSQL server hosts them in the compose setup.
CREATE DATABASE teams;
CREATE DATABASE consultations;
CREATE DATABASE reporting;
