package ledger

import (
	"slices"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/money"
)

// Direction says which way an adjustment moves money for the customer.
type Direction int

// The directions. A Credit moves money from the program's funding account
// to the customer; a Debit moves it from the customer to program funding.
const (
	Credit Direction = 1
	Debit  Direction = -1
)

func (d Direction) String() string {
	if d == Credit {
		return "credit"
	}
	return "debit"
}

// rule is one row of the publisher's adjustment table.
type rule struct {
	dir      Direction
	reversal string // the type that reverses this one ("" when none)
}

// rules is the adjustment table of optional-api-add-ons.txt ("Adjustments"),
// with the reversal rows as types of their own. achOut reverses with
// achOutReversal (the page prints anyDebitOutReversal, a typo decided in
// the contract's decisions).
var rules = map[string]rule{
	"disbursement":         {Credit, "disbursementReversal"},
	"disbursementReversal": {Debit, "disbursement"},
	"anyDebitOut":          {Debit, "anyDebitOutReversal"},
	"anyDebitOutReversal":  {Credit, "anyDebitOut"},
	"achOut":               {Debit, "achOutReversal"},
	"achOutReversal":       {Credit, "achOut"},
	"promo":                {Credit, "promoReversal"},
	"promoReversal":        {Debit, "promo"},
	"instructionCredit":    {Credit, ""},
	"instructionDebit":     {Debit, ""},
}

// The postings verdant makes itself for retail cash loads. They are not
// adjustment types: a partner cannot send them (ParseRequest refuses them)
// and Types does not list them.
const (
	TypeRetailLoad     = "retailLoad"
	TypeRetailLoadVoid = "retailLoadVoid"
)

// platformRules are the directions of the platform's own postings.
var platformRules = map[string]rule{
	TypeRetailLoad:     {Credit, TypeRetailLoadVoid},
	TypeRetailLoadVoid: {Debit, TypeRetailLoad},
}

// IsAdjustmentType reports whether t is a type of the adjustment table
// (one a partner may send).
func IsAdjustmentType(t string) bool { _, ok := rules[t]; return ok }

// Types answers every adjustment type, sorted.
func Types() []string {
	out := make([]string, 0, len(rules))
	for t := range rules {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// DirectionOf answers the direction of an adjustment type or of one of the
// platform's postings; ok is false for an unknown type.
func DirectionOf(adjustmentType string) (d Direction, ok bool) {
	r, ok := ruleOf(adjustmentType)
	return r.dir, ok
}

// ReversalOf answers the type that reverses adjustmentType ("" when the
// type has none, like instructionCredit).
func ReversalOf(adjustmentType string) string { r, _ := ruleOf(adjustmentType); return r.reversal }

func ruleOf(t string) (rule, bool) {
	if r, ok := rules[t]; ok {
		return r, true
	}
	r, ok := platformRules[t]
	return r, ok
}

// sandboxTypes are open to every program on a sandbox server: the page
// makes instructionCredit and instructionDebit "available to all partners
// in the Partner Integration Environment (PIE) only", to fund and drain
// test accounts.
var sandboxTypes = map[string]bool{"instructionCredit": true, "instructionDebit": true}

// Enabled reports whether a program may post adjustmentType: configured
// says whether the program's configuration lists it. On a sandbox server
// (verdant's PIE) instructionCredit and instructionDebit are enabled for
// every program; in production every type needs the configuration.
func Enabled(adjustmentType string, configured, sandbox bool) bool {
	return configured || sandbox && sandboxTypes[adjustmentType]
}

// NB100 is the account feature that lets a debit take the balance down to
// NegativeFloorNB100 when the request asks for debitToNegative.
const NB100 = "NB100"

// NB100Terms is the terms identifier NB100 needs accepted where the
// program enforces it (the feature catalogue's negBal).
const NB100Terms = "negBal"

// NegativeFloorNB100 is the lowest available balance an NB100 account may
// reach, in minor units (-100.00).
const NegativeFloorNB100 = -100_00

// Floor is the lowest available balance a posting may leave: zero, or
// -100.00 when the request sets debitToNegative and the account is
// enrolled in NB100. Both are needed: enrolment alone never lets a
// partner overdraw by accident.
func Floor(debitToNegative, enrolledNB100 bool) int64 {
	if debitToNegative && enrolledNB100 {
		return NegativeFloorNB100
	}
	return 0
}

// Delta is the change an adjustment makes to the customer's balance: the
// amount in its direction, less the fee.
func Delta(d Direction, amount, fee int64) int64 {
	return int64(d)*amount - fee
}

// Overdraft is THE overdraft rule: a posting that lowers the available
// balance may not leave it below floor. A posting that raises the balance
// (or leaves it unchanged) is always allowed, even on an account that is
// already below the floor, because refusing a credit never helps anyone.
// It answers true when the posting must be declined (insufficientFunds).
func Overdraft(available, delta, floor int64) bool {
	return delta < 0 && available+delta < floor
}

// MaxBalance is the highest balance an account may hold, in minor units
// (ten trillion dollars). Amounts are bounded one by one (money.MaxMinor);
// this bounds their sum, so no sequence of credits can overflow int64 in a
// balance, a program's funding account or a reconciliation total.
const MaxBalance = 1_000_000_000_000_000

// AboveCeiling reports whether a posting would take a balance above
// MaxBalance. Debits never do.
func AboveCeiling(posted, delta int64) bool {
	next, ok := money.CheckedAdd(posted, delta)
	return delta > 0 && (!ok || next > MaxBalance)
}

// MaxProgramBalance bounds a program's own ledger accounts (funding and
// fee income) both ways, in minor units (ten quadrillion dollars). Every
// credit moves its amount out of funding and every fee into fee income,
// with no customer balance in between to stop a stream of them, so these
// accounts are bounded themselves. The bound leaves int64 room for the
// postings in flight on every node when it is checked (the schema's CHECK
// on ledger_program_balances, at four times this, is the hard stop).
const MaxProgramBalance = 1_000_000_000_000_000_000

// BeyondProgramBound reports whether a posting that moves a program
// account's balance by delta would take it beyond ±MaxProgramBalance.
// A posting that brings an account back towards zero is always allowed.
func BeyondProgramBound(balance, delta int64) bool {
	next, ok := money.CheckedAdd(balance, delta)
	return !ok || delta > 0 && next > MaxProgramBalance || delta < 0 && next < -MaxProgramBalance
}

// Entry is one leg of a posting: a signed amount on one ledger account.
// Positive increases the account's balance.
type Entry struct {
	Account string // customer account id, or a program account (FundingAccount, FeeAccount)
	Amount  int64
}

// FundingAccount is the ledger account a program funds its customers from.
func FundingAccount(programCode string) string { return "program:" + programCode + ":funding" }

// FeeAccount is the ledger account a program's fees are collected into.
func FeeAccount(programCode string) string { return "program:" + programCode + ":fees" }

// Legs answers the balanced entries of an adjustment: the amount between
// the program's funding account and the customer (in the type's
// direction), and the fee from the customer to the program's fee income.
// The entries always sum to zero. A negative fee is a refund, which only
// the platform's own postings use (a retail void refunds its load's fees);
// partners' fees are never negative (ParseRequest).
func Legs(programCode, accountID string, d Direction, amount, fee int64) []Entry {
	out := []Entry{
		{accountID, int64(d) * amount},
		{FundingAccount(programCode), -int64(d) * amount},
	}
	if fee != 0 {
		out = append(out, Entry{accountID, -fee}, Entry{FeeAccount(programCode), fee})
	}
	return out
}

// The adjustment statuses and reasons of the contract.
const (
	StatusCompleted = "completed"
	StatusDeclined  = "declined"
	StatusPending   = "pending"

	ReasonSuccess           = "success"
	ReasonInsufficientFunds = "insufficientFunds"
	ReasonTimeout           = "timeout"
)

// The BaaS answer of a declined adjustment: HTTP 200 with a non-zero code,
// as every business decline of the family (the contract's convention), in the
// 4/xxx family of account-level declines (4/105 is the account's status).
const (
	CodeDeclined             = 4
	SubCodeInsufficientFunds = 10
)

// Outcome answers the BaaS code, subCode and description of a recorded
// adjustment: 0/0 "Success" when completed, 4/10 "Insufficient funds."
// when declined (insufficientFunds is the only reason verdant declines).
func Outcome(a Adjustment) (code, subCode int, description string) {
	if a.Status == StatusDeclined {
		return CodeDeclined, SubCodeInsufficientFunds, "Insufficient funds."
	}
	return 0, 0, "Success"
}

// ErrAccountStatus is answered for an account whose status takes no
// adjustments (closed, locked, restricted, pending): BaaS code 4 subCode
// 105, as the account-features page answers a closed account.
func ErrAccountStatus(status string) *apperr.Error {
	return &apperr.Error{Kind: apperr.Declined, Code: 4, SubCode: 105,
		Message: "accountStatus is " + status + "."}
}

// TakesAdjustments reports whether an account in status may be adjusted.
func TakesAdjustments(status string) bool { return status == "normal" }
