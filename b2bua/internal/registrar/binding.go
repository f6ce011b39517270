package registrar

import (
	"slices"
	"time"
)

// Binding is one contact of an AOR in the location service. Bindings are
// values: a Record's slice is never modified in place once stored.
type Binding struct {
	// Key identifies the binding within its AOR: the instance and reg-id
	// when the Contact has +sip.instance, else the Contact URI
	// (contactKey). A REGISTER for the same key updates the binding.
	Key string `json:"key"`
	// Contact is the Contact URI exactly as registered: opaque, never
	// rewritten (a GRUU in it keeps its gr parameter and the rest).
	Contact string `json:"contact"`
	Display string `json:"display,omitempty"`
	// Params are the other Contact header parameters as registered
	// (";k=v" each), returned with the binding (callee capabilities).
	Params string `json:"params,omitempty"`
	// Instance is the +sip.instance value, normalised (urn:uuid:...), ""
	// without; RawInstance as the UA wrote it (quoted, with <>).
	Instance    string `json:"instance,omitempty"`
	RawInstance string `json:"raw_instance,omitempty"`
	RegID       uint32 `json:"reg_id,omitempty"`
	// Q is the q-value in thousandths, -1 when the Contact had none.
	Q int `json:"q"`
	// CallID and CSeq are those of the last REGISTER that touched the
	// binding; FirstCSeq is the CSeq of the first REGISTER with this
	// CallID for this binding. Temp-gruus are valid while they match.
	CallID    string `json:"call_id"`
	CSeq      uint32 `json:"cseq"`
	FirstCSeq uint32 `json:"first_cseq"`
	// GRUU reports that GRUUs were handed out for the binding (it has an
	// instance and was registered with Supported: gruu).
	GRUU bool `json:"gruu,omitempty"`
	// Registered is when the binding was created; Updated when it was last
	// refreshed; Expires when it ends.
	Registered time.Time `json:"registered"`
	Updated    time.Time `json:"updated"`
	Expires    time.Time `json:"expires"`
	// Source is the transport address the REGISTER came from and
	// Transport its transport: the flow (RFC 5626) a request to the
	// binding can use.
	Source    string `json:"source,omitempty"`
	Transport string `json:"transport,omitempty"`
	// User is the authenticated user that registered it ("" without
	// authentication).
	User string `json:"user,omitempty"`
}

// ExpiresIn is the binding's remaining life in whole seconds, rounded up,
// 0 when it has expired.
func (b Binding) ExpiresIn(now time.Time) uint32 {
	d := b.Expires.Sub(now)
	if d <= 0 {
		return 0
	}
	s := (d + time.Second - 1) / time.Second
	if s > maxExpires {
		return maxExpires
	}
	return uint32(s)
}

// Record is an AOR's bindings.
type Record struct {
	AOR      string    `json:"aor"`
	Bindings []Binding `json:"bindings"`
	// Version orders the writes of every record: it grows with every change
	// (the KV revision with JetStream; a process-wide counter in memory).
	Version uint64 `json:"-"`
	// Cause is what made the last change: CauseRegister or CauseExpire.
	Cause string `json:"cause,omitempty"`
}

// Causes of a Record change.
const (
	CauseRegister = "register"
	CauseExpire   = "expire"
)

// clone returns a copy whose slice can be changed.
func (r Record) clone() Record {
	r.Bindings = slices.Clone(r.Bindings)
	return r
}

// find returns the index of the binding with key, or -1.
func (r Record) find(key string) int {
	return slices.IndexFunc(r.Bindings, func(b Binding) bool { return b.Key == key })
}

// nextExpiry is the earliest expiry of the record's bindings.
func (r Record) nextExpiry() (time.Time, bool) {
	var t time.Time
	for i, b := range r.Bindings {
		if i == 0 || b.Expires.Before(t) {
			t = b.Expires
		}
	}
	return t, len(r.Bindings) > 0
}

// withoutExpired returns r without the bindings expired at now, and those.
func (r Record) withoutExpired(now time.Time) (Record, []Binding) {
	var gone []Binding
	keep := r.Bindings[:0:0]
	for _, b := range r.Bindings {
		if b.Expires.After(now) {
			keep = append(keep, b)
		} else {
			gone = append(gone, b)
		}
	}
	if gone == nil {
		return r, nil
	}
	r.Bindings = keep
	return r, gone
}

// ordered returns the live bindings at now, by q-value (highest first; a
// Contact without q counts as 1.0, RFC 3261 §16.6 ranks them with the
// highest), then most recently updated first.
func (r Record) ordered(now time.Time) []Binding {
	out := make([]Binding, 0, len(r.Bindings))
	for _, b := range r.Bindings {
		if b.Expires.After(now) {
			out = append(out, b)
		}
	}
	slices.SortStableFunc(out, func(a, b Binding) int {
		if qa, qb := effQ(a.Q), effQ(b.Q); qa != qb {
			return qb - qa
		}
		return b.Updated.Compare(a.Updated)
	})
	return out
}

func effQ(q int) int {
	if q == qNone {
		return 1000
	}
	return q
}
