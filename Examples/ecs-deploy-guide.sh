#!/usr/bin/env bash
# The second seed workflow, an ECS deploy tool's guide, with the `lattice` CLI in place of
# `aws vpc-lattice` (every command below also runs as `aws vpc-lattice ...`):
# create the topology, list services, target groups and targets, update the health check,
# send access logs to S3, tag, troubleshoot ResourceNotFoundException, then clean up.
#
#   Examples/ecs-deploy-guide.sh                      on a local Lattice started for the run
#   Examples/ecs-deploy-guide.sh --endpoint-url URL   on that endpoint
#   AWS_PROFILE=... AWS_REGION=... Examples/ecs-deploy-guide.sh --real   on your account
#
# LATTICE names the CLI binary (default: .build/release/lattice, built if missing), and
# LOCAL_LATTICE the local server (default: .build/release/local-lattice).
# WAIT=sleep waits as scripts that do not poll do: every wait is a plain `sleep SLEEP_SECONDS`
# (default 4; on a real account give minutes), and the local Lattice started for the run
# settles by time alone, in SETTLE_SECONDS (default 3), as the service does. The default,
# WAIT=poll, polls until each deletion is done.
# The IAM permissions these commands need are in Examples/iam-policy.json.
set -euo pipefail
cd "$(dirname "$0")/.."

LATTICE=${LATTICE:-.build/release/lattice}
ENDPOINT=""
REAL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --endpoint-url) ENDPOINT=$2; shift 2 ;;
    --real) REAL=1; shift ;;
    *) echo "usage: $0 [--endpoint-url URL | --real]" >&2; exit 2 ;;
  esac
done
WAIT=${WAIT:-poll}
case "$WAIT" in
  poll|sleep) ;;
  *) echo "WAIT is poll or sleep, not '$WAIT'" >&2; exit 2 ;;
esac
[ -x "$LATTICE" ] || swift build $(sh scripts/release-flags.sh) --product lattice >/dev/null
CLIENT_VPC=${CLIENT_VPC:-vpc-0c11e4700000c11e4}
PROVIDER_VPC=${PROVIDER_VPC:-vpc-0a0b1de4000000001}
SECURITY_GROUP=${SECURITY_GROUP:-sg-0c11e47000000c11e}
LOG_BUCKET=${LOG_BUCKET:-arn:aws:s3:::ecs-deploy-access-logs}

if [ -z "$ENDPOINT" ] && [ -z "$REAL" ]; then
  LOCAL_LATTICE=${LOCAL_LATTICE:-.build/release/local-lattice}
  [ -x "$LOCAL_LATTICE" ] || swift build $(sh scripts/release-flags.sh) --product local-lattice >/dev/null
  PORTFILE=$(mktemp)
  # The local Lattice enforces the least-privilege policy of Examples/iam-policy.json (actions),
  # as IAM would for the deploy role: the guide's whole flow must work with just that.
  SETTLING=()
  # Time alone settles: no number of looks would.
  [ "$WAIT" = sleep ] && SETTLING=(--settle-seconds "${SETTLE_SECONDS:-3}" --settle-observations 1000000000)
  "$LOCAL_LATTICE" --port-file "$PORTFILE" --identity-policy Examples/iam-policy.json ${SETTLING[@]+"${SETTLING[@]}"} >/dev/null &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true; rm -f "$PORTFILE"' EXIT
  for _ in $(seq 100); do [ -s "$PORTFILE" ] && break; sleep 0.05; done
  ENDPOINT=$(cat "$PORTFILE")
  export AWS_ACCESS_KEY_ID=AKIDLOCALLATTICE AWS_SECRET_ACCESS_KEY=local-lattice-secret AWS_REGION=us-east-1
  echo "# local Lattice at $ENDPOINT${SETTLING[*]:+ (${SETTLING[*]})}"
fi

lattice() { "$LATTICE" ${ENDPOINT:+--endpoint-url "$ENDPOINT"} "$@"; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }
step() { printf '\n## %s\n' "$*"; }
# Deletions finish asynchronously (DELETE_IN_PROGRESS): poll until the Get answers
# ResourceNotFoundException (exit 254), at most 120 times; or, with WAIT=sleep, just sleep.
wait_gone() {
  if [ "$WAIT" = sleep ]; then
    sleep "${SLEEP_SECONDS:-4}"
    return 0
  fi
  for _ in $(seq 120); do
    lattice "$@" >/dev/null 2>&1 || return 0
    sleep "${POLL_SECONDS:-0.1}"
  done
  echo "still there after 120 polls: $*" >&2; return 1
}

step "1. Service network (auth NONE) and the client VPC association"
SN=$(lattice create-service-network --name ecs-network --auth-type NONE --tags '{"team":"platform"}' | field '["id"]')
SNVA=$(lattice create-service-network-vpc-association --service-network-identifier "$SN" \
  --vpc-identifier "$CLIENT_VPC" --security-group-ids "$SECURITY_GROUP" | field '["id"]')
echo "service network $SN, VPC association $SNVA"

step "2. Service, IP target group, HTTP:80 listener, association"
SVC=$(lattice create-service --name provider-svc | field '["id"]')
TG=$(lattice create-target-group --name provider-tg --type IP --config "{
  \"port\": 8080, \"protocol\": \"HTTP\", \"vpcIdentifier\": \"$PROVIDER_VPC\",
  \"healthCheck\": {\"enabled\": true, \"protocol\": \"HTTP\", \"port\": 8080, \"path\": \"/health\",
                    \"healthyThresholdCount\": 2, \"unhealthyThresholdCount\": 2, \"matcher\": {\"httpCode\": \"200\"}}}" | field '["id"]')
LISTENER=$(lattice create-listener --service-identifier "$SVC" --name http-80 --protocol HTTP --port 80 \
  --default-action "{\"forward\": {\"targetGroups\": [{\"targetGroupIdentifier\": \"$TG\", \"weight\": 1}]}}" | field '["id"]')
SNSA=$(lattice create-service-network-service-association --service-identifier "$SVC" --service-network-identifier "$SN" | field '["id"]')
echo "service $SVC, target group $TG, listener $LISTENER, association $SNSA"

step "3. Register the ECS task IPs"
lattice register-targets --target-group-identifier "$TG" --targets '[{"id":"10.0.1.10","port":8080},{"id":"10.0.1.11","port":8080},{"id":"10.0.1.12","port":8080}]' >/dev/null

step "4. List services, target groups and targets"
lattice list-services --output table
lattice list-target-groups --output text
lattice list-targets --target-group-identifier "$TG"

step "5. Update the health check"
lattice update-target-group --target-group-identifier "$TG" --health-check '{"path": "/healthz", "healthCheckIntervalSeconds": 10, "healthyThresholdCount": 3}' \
  | field '["config"]["healthCheck"]["path"]'

step "6. Access logs to S3"
ALS=$(lattice create-access-log-subscription --resource-identifier "$SN" --destination-arn "$LOG_BUCKET" | field '["id"]')
lattice list-access-log-subscriptions --resource-identifier "$SN" --output text

step "7. Tags"
SVC_ARN=$(lattice get-service --service-identifier "$SVC" | field '["arn"]')
lattice tag-resource --resource-arn "$SVC_ARN" --tags '{"env":"staging","owner":"ecs-deploy"}'
lattice list-tags-for-resource --resource-arn "$SVC_ARN"

step "8. Troubleshooting: ResourceNotFoundException (exit 254, with a hint)"
set +e
lattice get-service --service-identifier svc-00000000000000000
echo "exit status $?"
set -e

step "8b. Troubleshooting: AccessDeniedException (exit 254, with the IAM action to grant)"
# The deploy role's policy (Examples/iam-policy.json) grants no auth-policy actions, so putting
# an auth policy on the service is refused; the hint names the action to add to the policy.
set +e
lattice put-auth-policy --resource-identifier "$SVC" --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}'  # not granted: troubleshooting
echo "exit status $?"
set -e

step "9. Clean up"
lattice deregister-targets --target-group-identifier "$TG" --targets '[{"id":"10.0.1.10","port":8080},{"id":"10.0.1.11","port":8080},{"id":"10.0.1.12","port":8080}]' >/dev/null
lattice delete-access-log-subscription --access-log-subscription-identifier "$ALS"
lattice delete-service-network-service-association --service-network-service-association-identifier "$SNSA" >/dev/null
wait_gone get-service-network-service-association --service-network-service-association-identifier "$SNSA"
lattice delete-listener --service-identifier "$SVC" --listener-identifier "$LISTENER"
lattice delete-service --service-identifier "$SVC" >/dev/null
wait_gone get-service --service-identifier "$SVC"
lattice delete-target-group --target-group-identifier "$TG" >/dev/null
wait_gone get-target-group --target-group-identifier "$TG"
lattice delete-service-network-vpc-association --service-network-vpc-association-identifier "$SNVA" >/dev/null
wait_gone get-service-network-vpc-association --service-network-vpc-association-identifier "$SNVA"
lattice delete-service-network --service-network-identifier "$SN"
echo "left: $(lattice list-service-networks --output text | wc -l) service networks, $(lattice list-services --output text | wc -l) services, $(lattice list-target-groups --output text | wc -l) target groups"
echo "done"
