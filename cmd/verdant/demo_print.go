package main

import (
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
)

// demoHeader says what the demo made and the credentials to use.
const demoHeader = `
== verdant demo: a sandbox (one-time codes are visible, and 000000 always verifies) ==
Partner "Demo Fintech" owns program %[3]s. Customer profile %[4]s (Nancy Yang, Verified) holds
account %[5]s: funded with 250.00 USD, NB100 enrolled with the negBal terms accepted,
and physical card %[6]s (number %[7]s, shipped). Merchant %[8]s (store %[9]s,
user %[10]s) takes cash reloads for the program; care case %[11]s is open.

client id:       %[1]s
client secret:   %[2]s
program code:    %[3]s
customer id:     %[4]s
account:         %[5]s
card:            %[6]s
card number:     %[7]s (demo only: a card number is otherwise shown once, when issued)
operator token:  %[12]s
These stay the same across restarts (kept in the data directory).

Try it: paste these lines into bash, in order (a code goes to one address at most once every 30 s):
`

// printDemo prints the world and one curl line for every capability.
func printDemo(w io.Writer, world demoWorld, base, adminToken string) {
	fmt.Fprintf(w, demoHeader, world.ClientID, world.ClientSecret, demoProgram, demoCustomer, world.AccountID,
		world.CardID, demoPAN, demoMerchant, demoStore, demoUser, world.CaseNumber, adminToken)
	for _, l := range demoLines(world, base, adminToken) {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w)
}

// demoLines are the printed lines: a "#" comment naming the capability,
// then its commands. Every line works as printed against this server.
func demoLines(world demoWorld, base, adminToken string) []string {
	prog := base + "/programs/" + demoProgram
	acct := prog + "/accounts/" + world.AccountID
	bearer := `curl -sS -H "Authorization: Bearer $TOKEN"`
	send := bearer + ` -H 'Content-Type: application/json'`
	admin := `curl -sS -H 'Authorization: Bearer ` + adminToken + `'`
	body := func(v string) string { return `-d '` + v + `'` }
	now := time.Now().UTC().Format("2006-01-02T15:04:05Z")
	lines := []string{
		"# Partner OAuth: an access token for the client credentials",
		`TOKEN=$(curl -sS -u '` + world.ClientID + `:` + world.ClientSecret + `' -d grant_type=client_credentials ` +
			base + `/authentication | sed -E 's/.*"access_token":"([^"]+)".*/\1/')`,
		"# Customer profiles: the demo customer, and a new one (screened against the OFAC list)",
		bearer + " " + base + "/customers/" + demoCustomer,
		send + " " + body(`{"firstname":"Ann","lastname":"Lee","zipcode":"10001"}`) + " " + base + "/customers",
		"# Account, ledger: the account, an adjustment (idempotent by its identifier), balances, transactions",
		bearer + " " + acct,
		send + " " + body(`{"adjustmentIdentifier":"`+uuid.NewString()+`","amount":"12.86","currency":"USD",`+
			`"adjustmentType":"promo","adjustmentDescription":"Acme Cashback"}`) + " " + acct + "/adjustments",
		bearer + " " + acct + "/balances",
		bearer + " " + acct + "/transactions",
		"# Features and terms: the account's features, then enrol a cash-back tier",
		bearer + " " + acct + "/features",
		send + " -X PUT " + body(`{"authorize":true}`) + " " + acct + "/features/UCB1",
		"# Contact verification (OTP): send a code, read it as an operator (sandbox), check it, see the status",
		`VID=$(curl -sS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ` +
			body(`{"contactType":"email","communicationType":"email","contactHandle":"nancy.yang@example.com"}`) + " " +
			prog + `/contactVerifications | sed -E 's/.*"contactVerificationIdentifier":"([^"]+)".*/\1/')`,
		admin + " '" + base + "/admin/v1/messages?to=nancy.yang@example.com&limit=1'",
		send + " -X PUT " + body(`{"verificationCode":"000000"}`) + ` "` + prog + `/contactVerifications/$VID"`,
		bearer + ` "` + prog + `/verification/status/$VID"`,
		"# Address verification (USPS Publication 28 standardisation, offline ZIP data)",
		send + " " + body(`{"addressLine1":"215 Main Street Suite 200","city":"Los Angeles","state":"CA","zipCode":"91107"}`) +
			" " + prog + "/addressVerification",
		"# Card delivery status of the shipped card",
		bearer + " " + acct + "/paymentInstruments/" + world.CardID + "/deliveryStatus",
		"# Customer lookup by card number: customerId is the linked profile's id",
		send + " " + body(`{"accountNumber":"`+demoPAN+`"}`) + " " + base + "/customers/accounts/search",
		"# Retail reload validation at the demo merchant's store (moves no money)",
		send + ` -H 'X-GD-RequestId: ` + uuid.NewString() + `' ` + body(`{"accountNumber":"`+demoPAN+
			`","transactionAmount":"40.00","paymentProgramType":"Regular","metadata":{"merchantId":"`+demoMerchant+
			`","storeId":"`+demoStore+`","userId":"`+demoUser+`","requestDateTime":"`+now+`","registerId":"01"}}`) +
			" " + base + "/card/details",
		"# Customer care: open a support case",
		send + " " + body(`{"subject":"Card question","firstName":"Nancy","lastName":"Yang",`+
			`"customerQuestion":"How do I activate my card?","emailAddress":"nancy.yang@example.com",`+
			`"accountIdentifier":"`+world.AccountID+`"}`) + " " + prog + "/customerCare/cases",
		"# Operator API: the account with its ledger view, the seeded care case, partners and programs",
		admin + " " + base + "/admin/v1/programs/" + demoProgram + "/accounts/" + world.AccountID,
		admin + " " + base + "/admin/v1/cases/" + world.CaseNumber,
		admin + " " + base + "/admin/v1/partners",
		admin + " " + base + "/admin/v1/programs",
		"# Operations: health (mode sandbox); the API reference is " + base + "/docs",
		`curl -sS ` + base + "/healthCheck",
	}
	return lines
}
