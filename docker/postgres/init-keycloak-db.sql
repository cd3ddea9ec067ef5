-- Keycloak keeps its data in its own database on the same server.
CREATE DATABASE keycloak OWNER youke;
