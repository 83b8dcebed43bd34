#!/usr/bin/env bash
# Makes the secrets docker-compose.yml runs with, once per clone (docs/security.md):
#   - each app's Dapr API token and app API token (<APP>_DAPR_API_TOKEN, <APP>_APP_API_TOKEN),
#   - the Redis password (REDIS_PASSWORD: Redis's default user, for redis-cli and the health
#     check), a Redis user per sidecar (<APP>_REDIS_PASSWORD) and one for notifications'
#     own keys (NOTIFICATIONS_APP_REDIS_PASSWORD), each limited to its own keys, and the
#     config file that gives them to Redis (.dapr-credentials/redis.conf: off Redis's
#     command line),
#   - the dashboard's operator token (OPERATOR_TOKEN),
#   - the certificate authority of Dapr's mTLS: a root certificate, which every sidecar
#     trusts (DAPR_TRUST_ANCHORS), and an issuer certificate and key, with which Dapr
#     Sentry signs the sidecars' certificates (in .dapr-credentials/, DAPR_CREDENTIALS).
# They go into .env (or the file given), which docker compose reads; git ignores both.
# What the file has already stays as it is: run it again and it only adds what is missing,
# so your own settings in .env (APPROVAL_TIMEOUT_SECONDS=60, OPERATOR_TOKEN=...) are kept.
# To start afresh: rm -r .env .dapr-credentials
#
#   scripts/compose-env.sh && docker compose up
#
# Why before `docker compose up`, and not by compose itself: Dapr's sidecars take their
# trust anchors from the environment only, so the CA must exist before they start.
# Needs openssl.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
env_file=${1:-$root/.env}
dir=$(mkdir -p "$(dirname "$env_file")" && cd "$(dirname "$env_file")" && pwd)
credentials=$dir/.dapr-credentials
# docker-compose.yml mounts ${DAPR_CREDENTIALS}: relative to the repository, or absolute.
if [ "$dir" = "$root" ]; then credentials_ref=./.dapr-credentials; else credentials_ref=$credentials; fi
command -v openssl >/dev/null || { echo "compose-env.sh: openssl is needed" >&2; exit 1; }

umask 077 # the files made here: readable by you only
touch "$env_file"
chmod 600 "$env_file" # also a .env that was there before: it holds secrets now
added=()
has() { grep -q "^$1=" "$env_file"; }
add() { has "$1" || { printf '%s=%s\n' "$1" "$2" >>"$env_file"; added+=("$1"); }; }
random() { openssl rand -hex 32; }

for app in order-processor notifications inventory payments shipping; do
  prefix=$(printf '%s' "$app" | tr 'a-z-' 'A-Z_')
  add "${prefix}_DAPR_API_TOKEN" "$(random)"
  add "${prefix}_APP_API_TOKEN" "$(random)"
  add "${prefix}_REDIS_PASSWORD" "$(random)"
done
add NOTIFICATIONS_APP_REDIS_PASSWORD "$(random)"
add REDIS_PASSWORD "$(random)"
add OPERATOR_TOKEN "$(random)"

# Dapr's CA, as Sentry would make it itself (root and issuer, both CAs, EC P-256 keys, a year):
# made here because the sidecars must have the root before they start. The root's key is
# thrown away once it signed the issuer. The certificate files are readable by anyone who
# can reach them (Sentry, placement and the scheduler run as another user in their
# containers, which mount them one by one): the folder is yours alone.
if ! has DAPR_TRUST_ANCHORS || [ ! -s "$credentials/issuer.key" ]; then
  mkdir -p "$credentials" && chmod 700 "$credentials"
  work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/root.key" 2>/dev/null
  openssl req -x509 -new -key "$work/root.key" -subj "/O=localhost" -days 365 \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$credentials/ca.crt"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$credentials/issuer.key" 2>/dev/null
  openssl req -new -key "$credentials/issuer.key" -subj "/O=spiffe:\/\/localhost\/ns\/default\/dapr-sentry" -out "$work/issuer.csr"
  printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n' >"$work/issuer.ext"
  openssl x509 -req -in "$work/issuer.csr" -CA "$credentials/ca.crt" -CAkey "$work/root.key" -CAcreateserial \
    -CAserial "$work/root.srl" -days 365 -extfile "$work/issuer.ext" -out "$credentials/issuer.crt" 2>/dev/null
  chmod 644 "$credentials/ca.crt" "$credentials/issuer.crt" "$credentials/issuer.key"
  # One line: docker compose turns the \n in a double-quoted value into line breaks.
  tmp=$(mktemp "$dir/.env.XXXXXX")
  grep -v -e '^DAPR_TRUST_ANCHORS=' -e '^DAPR_CREDENTIALS=' "$env_file" >"$tmp" || true
  mv "$tmp" "$env_file"
  add DAPR_TRUST_ANCHORS "\"$(awk '{ printf "%s\\n", $0 }' "$credentials/ca.crt")\""
fi
add DAPR_CREDENTIALS "$credentials_ref"

# Redis's settings, with the passwords of .env (written again each run, so it follows
# changed ones). Each sidecar logs in as its app (REDIS_USERNAME, the components'
# redisUsername) and reaches its own keys only: its state under "<app id>||" (Dapr's key
# prefix), and for order-processor (publishing) and notifications (subscribing) the
# pub/sub streams; notifications itself its "dashboard:" keys, and pub/sub channels (Socket.IO's
# adapter; Dapr's pub/sub uses streams, not channels).
# Any command but the administrative and dangerous ones (INFO aside, which Dapr's
# components read at start). Readable by Redis's user in its container, like the
# certificates: the folder is yours alone.
mkdir -p "$credentials" && chmod 700 "$credentials"
value() { grep "^$1=" "$env_file" | tail -n 1 | cut -d= -f2-; }
commands='-@all +@all -@admin -@dangerous +info'
{
  printf 'appendonly yes\nprotected-mode no\n'
  printf 'user default on >%s ~* &* +@all\n' "$(value REDIS_PASSWORD)"
  printf 'user order-processor on >%s resetchannels ~order-processor||* ~notifications %s\n' "$(value ORDER_PROCESSOR_REDIS_PASSWORD)" "$commands"
  printf 'user notifications on >%s resetchannels ~notifications ~notifications-deadletter %s\n' "$(value NOTIFICATIONS_REDIS_PASSWORD)" "$commands"
  printf 'user inventory on >%s resetchannels ~inventory||* %s\n' "$(value INVENTORY_REDIS_PASSWORD)" "$commands"
  printf 'user payments on >%s resetchannels ~payments||* %s\n' "$(value PAYMENTS_REDIS_PASSWORD)" "$commands"
  printf 'user shipping on >%s resetchannels ~shipping||* %s\n' "$(value SHIPPING_REDIS_PASSWORD)" "$commands"
  printf 'user notifications-app on >%s allchannels ~dashboard:* %s\n' "$(value NOTIFICATIONS_APP_REDIS_PASSWORD)" "$commands"
} >"$credentials/redis.conf"
chmod 644 "$credentials/redis.conf"

if [ ${#added[@]} -eq 0 ]; then
  echo "compose-env.sh: $env_file has every secret docker-compose.yml needs" >&2
else
  echo "compose-env.sh: wrote ${added[*]} to $env_file" >&2
fi
