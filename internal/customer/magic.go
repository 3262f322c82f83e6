package customer

import (
	"strings"

	"github.com/verdant-baas/verdant/internal/sanctions"
)

// Magic identity values (sandbox only, docs/sandbox.md). The publisher's
// non-production KYC rules choose the identity-check outcome by the first
// digits of the SSN; verdant maps each row onto its own profile statuses.
// Rows whose identity check fails end in FailedVerification (an identity
// that fails is not screened, as on the real path); rows that pass the
// identity check but fail OFAC, or fail it in a way the publisher lets an
// ID check cure while OFAC also fails, are held for an OFAC review that
// the ofacReview simulation (or an operator) decides.
type magicRow struct {
	Prefix string
	Status Status
	Code   int
	Detail string
}

// DetailIdentityFailed is the detail code of a sandbox identity check that
// failed (SSN prefixes 451, 452, 991).
const DetailIdentityFailed = 105

// MagicSSNs is the SSN-prefix table, longest prefixes first.
var MagicSSNs = []magicRow{
	{Prefix: "451", Status: Failed, Code: DetailIdentityFailed, Detail: "Identity could not be verified (sandbox 451)."},
	{Prefix: "554", Status: Failed, Code: DetailUnder18, Detail: "Customer is under 18 years of age (sandbox 554)."},
	{Prefix: "452", Status: Failed, Code: DetailIdentityFailed, Detail: "Identity could not be verified and OFAC failed (sandbox 452)."},
	{Prefix: "401", Status: OFACPending, Code: DetailOFACPending, Detail: "Potential OFAC match under review (sandbox 401)"},
	{Prefix: "992", Status: OFACPending, Code: DetailOFACPending, Detail: "Potential OFAC match under review (sandbox 992)"},
	{Prefix: "991", Status: Failed, Code: DetailIdentityFailed, Detail: "Identity needs an ID verification (sandbox 991)."},
	{Prefix: "10", Status: Verified, Code: DetailSuccess, Detail: "Success"},
}

// MagicLastName is the last name that always screens as an OFAC match in
// sandbox (compared case-insensitively).
const MagicLastName = "Ofacmatch"

// magicMatch is the sanctions match recorded for a magic value's review.
var magicMatch = sanctions.Match{EntryID: 0, Name: "SANDBOX OFAC MATCH", PrimaryName: "SANDBOX OFAC MATCH",
	Programs: "SANDBOX", NameScore: 1, Score: 1, ListVersion: "sandbox"}

// Magic answers the outcome a sandbox magic value chooses for p, and
// whether one applies: the magic last name first, then the SSN prefix.
func Magic(p Profile) (magicRow, bool) {
	if strings.EqualFold(p.LastName, MagicLastName) {
		return magicRow{Status: OFACPending, Code: DetailOFACPending,
			Detail: "Potential OFAC match under review (sandbox last name)"}, true
	}
	if p.SSN == "" {
		return magicRow{}, false
	}
	for _, r := range MagicSSNs {
		if strings.HasPrefix(p.SSN, r.Prefix) {
			return r, true
		}
	}
	return magicRow{}, false
}
