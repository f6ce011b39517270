package registrar

import (
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// Result is the outcome of Process: the response to send and what changed.
type Result struct {
	// Code and Reason are the response's status.
	Code   int
	Reason string
	// Headers are to be added to the response (Apply does it): the
	// bindings as Contact values with expires (and pub-gruu / temp-gruu),
	// Date, Supported, or WWW-Authenticate, Min-Expires, Unsupported,
	// Retry-After.
	Headers []sipx.Header
	// AOR is the canonical address-of-record, once known.
	AOR string
	// User is the authenticated user ("" without authentication).
	User string
	// Changes are the binding changes applied to the store.
	Changes []BindingChange
	// Events are the events of the changes; they have already been
	// published through the registrar's EventSink.
	Events []events.Event
	// Err says why a request failed, for the log; it is never sent.
	Err error
}

// BindingChange is one binding added, refreshed, removed or expired.
type BindingChange struct {
	Op      ChangeOp
	Binding Binding
}

// ChangeOp is the kind of a BindingChange.
type ChangeOp string

// Change kinds.
const (
	OpAdded     ChangeOp = "added"
	OpRefreshed ChangeOp = "refreshed"
	OpRemoved   ChangeOp = "removed"
	OpExpired   ChangeOp = "expired"
)

// Apply adds the result's headers to res (a response built from the
// REGISTER with Code and Reason) and a To tag when the REGISTER had none
// (RFC 3261 §8.2.6.2).
func (r Result) Apply(res *sipx.Response) {
	if to := res.To(); to != nil && !to.Params.Has("tag") {
		to.Params.Add("tag", sipx.GenerateTag())
	}
	for _, h := range r.Headers {
		res.AppendHeader(h)
	}
}
