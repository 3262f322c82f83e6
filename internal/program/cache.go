package program

import (
	"context"
	"sync"
)

// copies holds programs as last read from the store, by code. A copy
// may be stale as soon as it is taken: another node may change the
// program at any moment, and no message tells this one. So a copy never
// decides anything alone: the caller records the Version it decided with,
// and the transaction that acts on the decision reads the program's
// version and refuses to act if it moved (the ledger's postings:
// ledger.Request.ProgramVersion, ledger.ErrProgramChanged). A caller told
// so forgets the copy and decides again on a fresh read.
type copies struct {
	mu sync.RWMutex
	m  map[string]Program
}

// maxCopies bounds the memory the copies take; past it they start over.
const maxCopies = 4096

func (c *copies) get(code string) (Program, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.m[code]
	return p, ok
}

func (c *copies) put(p Program) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCopies {
		c.m = map[string]Program{}
	}
	if old, ok := c.m[p.Code]; !ok || old.Version <= p.Version {
		c.m[p.Code] = p
	}
}

func (c *copies) forget(code string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, code)
}

// ForPartnerCached is ForPartner answered from this node's copy of the
// program when it has one. The copy may be out of date: use it only for
// a decision whose transaction checks the program's Version (see copies),
// and call Forget when told it moved. An unknown program is never
// remembered, so one created meanwhile is found at once.
func (s *Service) ForPartnerCached(ctx context.Context, partnerID, code string) (Program, error) {
	if p, ok := s.copies.get(code); ok {
		if p.PartnerID != partnerID {
			return Program{}, ErrUnknownProgram
		}
		return p, nil
	}
	return s.ForPartner(ctx, partnerID, code)
}

// Forget drops this node's copy of a program (after its version moved).
func (s *Service) Forget(code string) { s.copies.forget(code) }
