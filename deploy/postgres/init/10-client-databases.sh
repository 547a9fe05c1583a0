#!/usr/bin/env bash
# One database per client, and one read-only login role per client for Grafana's data source.
#
# The postgres image runs this once, on the first start of an empty data volume (/docker-entrypoint-initdb.d),
# as POSTGRES_USER over the local socket. For each id in CLIENT_DATABASES (space-separated client ids) it creates:
#   - database <id>, which PUBLIC may not connect to;
#   - role grafana_<id> (password from <ID>_GRAFANA_DB_PASSWORD, id upper-cased, '-' as '_'): it may connect to
#     that one database only, read every table of its public schema (also the ones `npm run seed` creates later),
#     runs read-only transactions and has a statement timeout (GRAFANA_DB_STATEMENT_TIMEOUT, default 30s).
# The API and the seed use POSTGRES_USER; Grafana never does. Adding a client to a volume that already exists means
# running the same steps by hand (docs/deployment.md).
#
# Works whether the entrypoint executes it or sources it (a checkout without the executable bit): everything runs in
# a subshell, so its shell options stay its own.

# maple → MAPLE_GRAFANA_DB_PASSWORD, my-shop → MY_SHOP_GRAFANA_DB_PASSWORD
password_variable() {
  printf '%s_GRAFANA_DB_PASSWORD' "$(printf '%s' "$1" | tr 'a-z-' 'A-Z_')"
}

create_client_databases() {
  set -Eeuo pipefail
  local psql=(psql -v ON_ERROR_STOP=1 --quiet --no-psqlrc --no-password --username "${POSTGRES_USER:-postgres}")
  local timeout="${GRAFANA_DB_STATEMENT_TIMEOUT:-30s}"
  local ids="${CLIENT_DATABASES:-}"
  if [ -z "${ids// /}" ]; then
    echo "client databases: CLIENT_DATABASES is empty, nothing to create" >&2
    return 1
  fi

  # Check every id and password before creating anything, so a mistake leaves no half-made cluster behind.
  local id variable
  for id in $ids; do
    if ! [[ "$id" =~ ^[a-z0-9-]+$ ]]; then
      echo "client databases: \"$id\" is not a client id ([a-z0-9-]+)" >&2
      return 1
    fi
    variable="$(password_variable "$id")"
    if [ -z "${!variable:-}" ]; then
      echo "client databases: $variable is not set (Grafana's read-only role for \"$id\" needs a password)" >&2
      return 1
    fi
  done

  local password role
  for id in $ids; do
    variable="$(password_variable "$id")"
    password="${!variable}"
    role="grafana_$id"

    echo "client databases: creating database \"$id\" and read-only role \"$role\""
    "${psql[@]}" --dbname postgres --set db="$id" --set role="$role" --set password="$password" \
      --set timeout="$timeout" <<'SQL'
CREATE DATABASE :"db";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
CREATE ROLE :"role" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT CONNECTION LIMIT 20;
ALTER ROLE :"role" SET default_transaction_read_only = on;
ALTER ROLE :"role" SET statement_timeout = :'timeout';
GRANT CONNECT ON DATABASE :"db" TO :"role";
SQL
    "${psql[@]}" --dbname "$id" --set role="$role" --set owner="${POSTGRES_USER:-postgres}" <<'SQL'
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT ON TABLES TO :"role";
SQL
  done
}

( create_client_databases )
