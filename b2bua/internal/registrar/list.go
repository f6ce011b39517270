package registrar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
)

// ErrBadAOR: the AOR to list is not a SIP URI.
var ErrBadAOR = errors.New("registrar: bad AOR")

// aorLister is a Store that can list the AORs it holds; MemStore and
// KVStore are.
type aorLister interface {
	// aorList returns the AORs with bindings, in no order.
	aorList() []string
}

func (s *MemStore) aorList() []string {
	var out []string
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for aor := range sh.recs {
			out = append(out, aor)
		}
		sh.mu.RUnlock()
	}
	return out
}

func (s *KVStore) aorList() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.cache))
	for aor := range s.cache {
		out = append(out, aor)
	}
	return out
}

// Listed is one live binding and its AOR.
type Listed struct {
	AOR     string
	Binding Binding
	// PubGRUU is the binding's public GRUU when GRUUs were handed out for
	// it, else "".
	PubGRUU string
}

// List returns the live bindings of aor (any SIP URI of it: it is
// canonicalised), by q-value; or, when aor is "", those of every AOR of
// the store, by AOR. At most max are returned (max <= 0: no bound);
// truncated says some were left out. An AOR without bindings is no error.
func (r *Registrar) List(ctx context.Context, aor string, now time.Time, max int) (out []Listed, truncated bool, err error) {
	var aors []string
	if aor != "" {
		c, err := canonicalAORString(aor)
		if err != nil {
			return nil, false, fmt.Errorf("%w: %w", ErrBadAOR, err)
		}
		aors = []string{c}
	} else {
		l, ok := r.store.(aorLister)
		if !ok {
			return nil, false, fmt.Errorf("%w: %T cannot list its AORs", ErrStore, r.store)
		}
		aors = l.aorList()
		slices.Sort(aors)
	}
	for _, a := range aors {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		bs, err := r.Lookup(ctx, a, now)
		if err != nil {
			return nil, false, err
		}
		for _, b := range bs {
			if max > 0 && len(out) == max {
				return out, true, nil
			}
			l := Listed{AOR: a, Binding: b}
			if b.GRUU && b.Instance != "" {
				l.PubGRUU = gruu.PubGRUU(a, b.Instance)
			}
			out = append(out, l)
		}
	}
	return out, false, nil
}
