#!/usr/bin/env bash
# EXPLAIN (ANALYZE, BUFFERS) of every shape of the admin users list (Login.Api/Data/UserListSql.cs) on 100,000 users
# in one account (plus 20,000 in another, so account scoping has something to skip). It starts a scratch Postgres of
# its own (initdb in a temp folder, Unix socket only, removed at the end), applies login-db's migrations in DbUp's
# order (file name), seeds with generate_series and prints the plans. Each query is PREPAREd and run under
# plan_cache_mode = force_generic_plan: the plan Npgsql's auto-prepare (MaxAutoPrepare = 32) ends up with, the
# harder case for a prefix search.
#   bash bench/admin-search-explain.sh            # all plans, full output
#   USERS=200000 bash bench/admin-search-explain.sh
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-100000}
PORT=${PORT:-55433}
WORK=$(mktemp -d)
# initdb and postgres refuse root: run them as the postgres user then (as the AppHost's local Postgres does).
as_pg() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK"
trap 'as_pg pg_ctl -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
LOCALE=C.UTF-8
if locale -a 2>/dev/null | grep -qi '^en_US.utf8$'; then LOCALE=en_US.UTF-8; fi
as_pg initdb -D "$WORK/data" -U postgres --auth=trust -E UTF8 --locale="$LOCALE" >/dev/null
as_pg pg_ctl -D "$WORK/data" -l "$WORK/log" -w -o "-k $WORK -p $PORT -c listen_addresses='' -c shared_buffers=128MB -c fsync=off" start >/dev/null
PSQL=(psql -X -q -h "$WORK" -p "$PORT" -U postgres -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE DATABASE login" postgres
for f in $(ls Login.Api/Data/Migrations/*.sql | sort); do "${PSQL[@]}" -f "$f" login >/dev/null; done
echo "Postgres $(postgres --version | awk '{print $3}'), database locale $LOCALE, $USERS users in account big"

"${PSQL[@]}" login <<SQL
INSERT INTO accounts (id, key, name) VALUES ('00000000-0000-0000-0000-0000000000b1', 'big', 'Big'), ('00000000-0000-0000-0000-0000000000b2', 'other', 'Other');
INSERT INTO users (id, account_id, username, email, roles, web_access, status, locked_until, security_stamp, given_name, family_name,
                   created_at, last_login_at, last_login_method, last_login_device)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-0000000000b1', 'user' || lpad(i::text, 6, '0'), 'mail' || i || '@example' || (i % 50) || '.test',
       CASE WHEN i % 20 = 0 THEN '{AccountManager,User}'::text[] ELSE '{User}'::text[] END, i % 10 <> 0,
       CASE WHEN i % 33 = 0 THEN 'disabled' ELSE 'active' END, CASE WHEN i % 97 = 0 THEN now() + interval '1 hour' END, gen_random_uuid(),
       CASE WHEN i % 5 <> 0 THEN (ARRAY['Ana','Ben','Chloé','Dario','Emma','Filip','Greta','Hiro','Ivana','Jonas'])[1 + i % 10] || (i % 97) END,
       CASE WHEN i % 5 <> 0 THEN (ARRAY['Smith','Müller','García','Rossi','Kovač','Nowak','Sato','Yılmaz','Ivanova','Silva'])[1 + (i / 10) % 10] || (i % 89) END,
       now() - i * interval '1 minute', CASE WHEN i % 10 < 7 THEN now() - (i % 5000) * interval '1 minute' END,
       CASE WHEN i % 10 < 7 THEN (ARRAY['password','passkey','sso'])[1 + i % 3] END, CASE WHEN i % 10 < 7 THEN 'Firefox on Linux' END
FROM generate_series(1, $USERS) i;
INSERT INTO users (id, account_id, username, email, security_stamp)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-0000000000b2', 'other' || i, 'other' || i || '@example.test', gen_random_uuid()
FROM generate_series(1, 20000) i;
INSERT INTO teams (id, account_id, name) VALUES ('00000000-0000-0000-0000-00000000007e', '00000000-0000-0000-0000-0000000000b1', 'Support');
INSERT INTO team_members (team_id, user_id)
SELECT '00000000-0000-0000-0000-00000000007e', id FROM users WHERE account_id = '00000000-0000-0000-0000-0000000000b1' AND created_at IS NOT NULL
  AND right(username, 2) = '50';
VACUUM ANALYZE;
SQL

# The list's SELECT (UserStore.SelectUser) and the two statements per page (count, page) as UserListSql builds them.
SELECT_USER="SELECT u.id, u.account_id, a.key AS account_key, a.name AS account_name, u.username, u.email, u.phone, u.password_hash,
  u.preferred_language, u.roles, u.web_access, CASE WHEN a.status = 'active' THEN u.status ELSE 'disabled' END AS status,
  u.failed_attempts, u.locked_until, u.security_stamp, a.sso_enforced, u.otp_channel, u.totp_secret, a.second_factor_fallback,
  EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id) AS has_passkey, a.passkey_policy,
  u.given_name, u.family_name, u.created_at, u.last_login_at, u.last_login_method, u.last_login_device
  FROM users u JOIN accounts a ON a.id = u.account_id"
prefix() { # $1 = column, parameter \$2 = the typed prefix
  echo "(lower($1) COLLATE \"C\" >= lower(\$2) COLLATE \"C\" AND lower($1) COLLATE \"C\" < (lower(\$2) || chr(1114111)) COLLATE \"C\")"
}
SEARCH="($(prefix u.username) OR $(prefix u.email) OR $(prefix u.given_name) OR $(prefix u.family_name))"

# plan TITLE FILTERS ORDER_BY OFFSET PARAM_TYPES PARAM_VALUES [search]  (account id is \$1, the prefix \$2 when searching)
plan() {
  local title=$1 where=$2 order=$3 offset=$4 types=$5 values=$6 search=${7:-}
  local from="FROM users u" page
  [[ $where == *"a.status"* ]] && from="FROM users u JOIN accounts a ON a.id = u.account_id"
  if [ -n "$search" ]; then
    where="AND $SEARCH $where"
    page="WITH matches AS MATERIALIZED (SELECT u.id, u.username, u.given_name, u.family_name, u.created_at, u.last_login_at $from
        WHERE u.account_id = \$1 $where),
      page AS (SELECT u.id FROM matches u ORDER BY $order OFFSET $offset LIMIT 25)
      $SELECT_USER JOIN page p ON p.id = u.id ORDER BY $order"
  else
    page="$SELECT_USER WHERE u.account_id = \$1 $where ORDER BY $order OFFSET $offset LIMIT 25"
  fi
  echo; echo "### $title"
  "${PSQL[@]}" login <<SQL
SET plan_cache_mode = force_generic_plan;
PREPARE c($types) AS SELECT count(*) $from WHERE u.account_id = \$1 $where;
PREPARE p($types) AS $page;
\echo '-- count'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) EXECUTE c($values);
\echo '-- page'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) EXECUTE p($values);
SQL
}
A="'00000000-0000-0000-0000-0000000000b1'"
BY_USERNAME='lower(u.username) COLLATE "C"'
plan "No search, by username, page 1" "" "$BY_USERNAME" 0 uuid "$A"
plan "No search, by username, page 400 (offset 9975)" "" "$BY_USERNAME" 9975 uuid "$A"
plan "Prefix search 'user0123' (username)" "" "$BY_USERNAME" 0 "uuid,text" "$A,'user0123'" search
plan "Prefix search 'MAIL777' (email, upper case typed)" "" "$BY_USERNAME" 0 "uuid,text" "$A,'MAIL777'" search
plan "Prefix search 'kovač1' (family name, non-ASCII)" "" "$BY_USERNAME" 0 "uuid,text" "$A,'kovač1'" search
plan "Prefix search 'e' (broad: 10,000 matches), by last sign-in desc" "" "u.last_login_at DESC NULLS LAST, u.id DESC" 0 "uuid,text" "$A,'e'" search
plan "Prefix search 'ana' + role AccountManager" "AND \$3 = ANY (u.roles)" "$BY_USERNAME" 0 "uuid,text,text" "$A,'ana','AccountManager'" search
plan "Role AccountManager + status disabled" "AND \$2 = ANY (u.roles) AND (u.status = 'disabled' OR a.status <> 'active')" "$BY_USERNAME" 0 "uuid,text" "$A,'AccountManager'"
plan "Locked" "AND u.locked_until > \$2" "$BY_USERNAME" 0 "uuid,timestamptz" "$A,now()"
plan "Web access no" "AND u.web_access = \$2" "$BY_USERNAME" 0 "uuid,boolean" "$A,false"
plan "Team" "AND EXISTS (SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = u.id AND t.id = \$2 AND t.account_id = \$1)" "$BY_USERNAME" 0 "uuid,uuid" "$A,'00000000-0000-0000-0000-00000000007e'"
plan "Sort by name asc" "" 'lower(u.family_name) COLLATE "C", lower(u.given_name) COLLATE "C", lower(u.username) COLLATE "C"' 0 uuid "$A"
plan "Sort by last sign-in desc" "" "u.last_login_at DESC NULLS LAST, u.id DESC" 0 uuid "$A"
plan "Sort by created desc, page 40" "" "u.created_at DESC, u.id DESC" 975 uuid "$A"
