// Package feature owns optional account features (optional-api-add-ons.txt,
// "Account Features" and "Negative Balance Terms"): the catalogue (NB100,
// the UCB cash-back tiers, the RDC check-deposit tiers), enrolment with
// its exclusivity rules, and terms acceptance. The rules are pure
// functions over an account's locked State (rules.go); storage applies
// their Change in the same transaction that read the state.
package feature

import (
	"slices"
	"strings"
)

// Group names a set of mutually exclusive features: an account holds at
// most one feature of a group at a time.
type Group string

// The exclusive groups.
const (
	NoGroup  Group = ""
	CashBack Group = "UCB" // cash-back reward tiers
	Deposit  Group = "RDC" // remote check deposit tiers (hold periods)
)

// NegBal is the terms identifier of the Negative Balance feature.
const NegBal = "negBal"

// NB100 is the negative balance feature: the account may go down to
// -100.00 (the ledger's overdraft rule reads the enrolment).
const NB100 = "NB100"

// Feature is one entry of the catalogue.
type Feature struct {
	// ID is the catalogue's spelling, the one every answer uses.
	ID    string
	Group Group
	// HoldDays is the check-deposit hold period of an RDC tier.
	HoldDays int
	// Terms is the terms identifier the feature needs accepted when the
	// program enforces it ("" for none).
	Terms string
	// FloorMinor is the lowest balance the feature allows, in minor units
	// (NB100: -10000); zero for features that do not touch the balance.
	FloorMinor int64
}

var catalogue = []Feature{
	{ID: NB100, Terms: NegBal, FloorMinor: -10000},
	{ID: "UCB1", Group: CashBack}, {ID: "UCB2", Group: CashBack},
	{ID: "UCB3", Group: CashBack}, {ID: "UCB4", Group: CashBack},
	{ID: "RDC0", Group: Deposit, HoldDays: 0}, {ID: "RDC1", Group: Deposit, HoldDays: 1},
	{ID: "RDC2", Group: Deposit, HoldDays: 2}, {ID: "RDC3", Group: Deposit, HoldDays: 3},
	{ID: "RDC4", Group: Deposit, HoldDays: 4}, {ID: "RDC5", Group: Deposit, HoldDays: 5},
	{ID: "RDC8", Group: Deposit, HoldDays: 8}, {ID: "RDC10", Group: Deposit, HoldDays: 10},
}

// Catalogue answers every feature in catalogue order.
func Catalogue() []Feature { return slices.Clone(catalogue) }

// IDs answers every feature id in catalogue order and spelling.
func IDs() []string {
	out := make([]string, len(catalogue))
	for i, f := range catalogue {
		out[i] = f.ID
	}
	return out
}

// Lookup finds a feature by id, ignoring case.
func Lookup(id string) (Feature, bool) {
	for _, f := range catalogue {
		if strings.EqualFold(f.ID, id) {
			return f, true
		}
	}
	return Feature{}, false
}

// rank orders feature ids as the catalogue does (unknown ids last).
func rank(id string) int {
	i := slices.IndexFunc(catalogue, func(f Feature) bool { return f.ID == id })
	if i < 0 {
		return len(catalogue)
	}
	return i
}

// Sort orders feature ids as the catalogue does.
func Sort(ids []string) {
	slices.SortStableFunc(ids, func(a, b string) int { return rank(a) - rank(b) })
}
