#!/usr/bin/env bash
# A complete integration against a verdant sandbox (docs/sandbox.md): a
# customer by magic values, an account and a card, the card's shipment to
# activation, a cash load at the sandbox merchant, adjustments, and an OFAC
# review, with the webhooks each step sends going to a receiver.
#
# Environment:
#   BASE_URL       the server, e.g. http://127.0.0.1:8080 (started with --sandbox or --demo)
#   CLIENT_ID      the partner's client id
#   CLIENT_SECRET  the partner's client secret
#   PROGRAM_CODE   one of the partner's programs (with reload settings, for the cash load)
#   ADMIN_TOKEN    optional: the operator token, to subscribe WEBHOOK_URL to every event type
#   WEBHOOK_URL    optional: the receiver; default the sandbox's own receive-and-validate hook
#   RUN            optional: a suffix making this run's customer ids unique (default: time and pid)
#
# Each step prints "### <step>" then the server's answer (on stdout); the
# script stops at the first answer that is not a success (curl --fail-with-body).
# Needs bash and curl only. go test ./cmd/verdant -run Walkthrough runs it
# against the real binary and checks every answer and webhook.
set -euo pipefail

: "${BASE_URL:?}" "${CLIENT_ID:?}" "${CLIENT_SECRET:?}" "${PROGRAM_CODE:?}"
RUN=${RUN:-$(date +%s)$$}
SIM="$BASE_URL/programs/$PROGRAM_CODE/simulations"
WEBHOOK_URL=${WEBHOOK_URL:-$SIM/webhooks/receiver}

exec 3>&1 # the steps' answers, also from inside $(...)

# uuid: a random version-4 UUID (adjustment identifiers are UUIDs).
uuid() {
  printf '%04x%04x-%04x-4%03x-%04x-%04x%04x%04x\n' $RANDOM $RANDOM $RANDOM $((RANDOM % 4096)) \
    $((RANDOM % 16384 + 32768)) $RANDOM $RANDOM $RANDOM
}

# field NAME: the first string value of "NAME" in the JSON on stdin.
field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | sed -E 's/.*:"(.*)"/\1/'; }

# step TITLE CURL-ARGS...: one call, its answer printed under its title.
step() {
  local title=$1
  shift
  echo "### $title" >&3
  local out
  out=$(curl -sS --fail-with-body "$@") || { echo "$out" >&3; return 1; }
  echo "$out" >&3
  printf '%s' "$out"
}

TOKEN=$(step "authentication" -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials \
  "$BASE_URL/authentication" | field access_token)
AUTH="Authorization: Bearer $TOKEN"
JSON="Content-Type: application/json"
call() { step "$1" -H "$AUTH" -H "$JSON" "${@:2}"; }

# 0. The receiver: subscribed by the operator to every event type.
if [[ -n "${ADMIN_TOKEN:-}" ]]; then
  step "subscribe the receiver" -H "Authorization: Bearer $ADMIN_TOKEN" -H "$JSON" \
    -d "{\"url\":\"$WEBHOOK_URL\",\"eventTypes\":[\"transaction\",\"accountUpdated\",\"mailTracking\",\"cardUpdate\",\"customerUpdated\",\"caseUpdated\"]}" \
    "$BASE_URL/admin/v1/programs/$PROGRAM_CODE/webhooks" >/dev/null
fi

# 1. Customers by magic values: an SSN starting 10 is Verified; the last
#    name Ofacmatch is held for an OFAC review (OFACMatch-Pending).
CUSTOMER="wt-$RUN"
HELD="wt-held-$RUN"
call "customer verified" -d '{"firstname":"Ann","lastname":"Doe","zipcode":"10001","socialsecuritynumber":"101-23-4567"}' \
  "$BASE_URL/customers/$CUSTOMER" >/dev/null
call "customer held for OFAC review" -d '{"firstname":"Sam","lastname":"Ofacmatch","zipcode":"10001"}' \
  "$BASE_URL/customers/$HELD" >/dev/null

# 2. An account for each, and a physical card (the PAN is answered here only).
ACCOUNT=$(call "account" -d "{\"holder\":{\"customerId\":\"$CUSTOMER\",\"firstName\":\"Ann\",\"lastName\":\"Doe\",\"zipCode\":\"10001\"}}" \
  "$SIM/accounts" | field accountIdentifier)
call "account of the held customer" -d "{\"holder\":{\"customerId\":\"$HELD\",\"firstName\":\"Sam\",\"lastName\":\"Ofacmatch\",\"zipCode\":\"10001\"}}" \
  "$SIM/accounts" >/dev/null
CARD=$(call "card" -d '{"type":"physical"}' "$SIM/accounts/$ACCOUNT/paymentInstruments" | field paymentInstrumentIdentifier)

# 3. The card's shipment, then its activation.
for stage in ordered printing shipped delivered; do
  call "shipment $stage" -d "{\"status\":\"$stage\"}" "$SIM/paymentInstruments/$CARD/shipment" >/dev/null
done
call "delivery status" "$BASE_URL/programs/$PROGRAM_CODE/accounts/$ACCOUNT/paymentInstruments/$CARD/deliveryStatus" >/dev/null
call "activation" -X POST "$SIM/paymentInstruments/$CARD/activation" >/dev/null

# 4. A cash load at the sandbox merchant (the program's reload fee applies).
call "cash load" -d "{\"accountIdentifier\":\"$ACCOUNT\",\"amount\":\"40.00\"}" "$SIM/retailLoads" >/dev/null

# 5. Adjustments: a credit and a debit, then the balances.
ACCT="$BASE_URL/programs/$PROGRAM_CODE/accounts/$ACCOUNT"
call "adjustment credit" -d "{\"adjustmentIdentifier\":\"$(uuid)\",\"amount\":\"12.86\",\"currency\":\"USD\",\"adjustmentType\":\"promo\",\"adjustmentDescription\":\"Welcome bonus\"}" \
  "$ACCT/adjustments" >/dev/null
call "adjustment debit" -d "{\"adjustmentIdentifier\":\"$(uuid)\",\"amount\":\"5.00\",\"currency\":\"USD\",\"adjustmentType\":\"instructionDebit\",\"adjustmentDescription\":\"Card fee\"}" \
  "$ACCT/adjustments" >/dev/null
call "balances" "$ACCT/balances" >/dev/null

# 6. The OFAC review of the held customer: cleared, so Verified.
call "ofac review" -d '{"decision":"clear"}' "$SIM/customers/$HELD/ofacReview" >/dev/null
call "customer after review" "$BASE_URL/customers/$HELD" >/dev/null
echo "### done" >&3
