#!/bin/sh
# Create the Secrets the manifests mount, with new random passwords and tokens:
#   signpost-postgres (password), signpost-redis (redis.conf), signpost-app (.env).
# Usage: TWILIO_AUTH_TOKEN=... deploy/secrets/create.sh [namespace]
# Values go to kubectl on standard input: none is written to disk or shown in `ps`.
# Run it once: PostgreSQL keeps the password it was first started with (rotation:
# docs/operations.md). The TLS certificate (signpost-tls) comes from cert-manager or
# `kubectl create secret tls`.
set -eu
ns="${1:-signpost}"
for name in signpost-app signpost-postgres signpost-redis; do
    if kubectl -n "$ns" get secret "$name" >/dev/null 2>&1; then
        echo "secret $name already exists in $ns; nothing changed" >&2
        exit 1
    fi
done
random() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
postgres_password=$(random)
redis_password=$(random)
printf '%s' "$postgres_password" |
    kubectl -n "$ns" create secret generic signpost-postgres --from-file=password=/dev/stdin
printf 'requirepass %s\n' "$redis_password" |
    kubectl -n "$ns" create secret generic signpost-redis --from-file=redis.conf=/dev/stdin
{
    echo "DATABASE_URL=postgresql://signpost:$postgres_password@signpost-postgres:5432/signpost"
    echo "REDIS_URL=redis://:$redis_password@signpost-redis:6379/0"
    echo "ACTION_SERVER_TOKEN=$(random)"
    echo "STAFF_SECRET=$(random)"
    echo "SMS_ID_SECRET=$(random)"
    echo "TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN:-}"
    echo "TWILIO_ACCOUNT_SID=${TWILIO_ACCOUNT_SID:-}"
    echo "HELPLINE_BRIDGE_TOKEN=$(random)"
    echo "SMS_NUMBER_KEY=$(head -c32 /dev/urandom | base64 | tr '+/' '-_')"
} | kubectl -n "$ns" create secret generic signpost-app --from-file=.env=/dev/stdin
