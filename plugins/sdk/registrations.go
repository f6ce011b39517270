package sdk

import (
	"context"

	"github.com/tandem-sip/tandem/events"
)

// RegistrationsList reads the registrar's location service: the live
// bindings of an AOR, or of every AOR.
var RegistrationsList = Command[events.RegistrationsListRequestV1, events.RegistrationsListReplyV1]{
	Verb:      events.VerbRegistrationsList,
	RequestID: func(r *events.RegistrationsListRequestV1) *string { return &r.RequestID },
	Reply:     func(r *events.RegistrationsListReplyV1) *events.Reply { return &r.Reply },
}

// ListRegistrations returns the live bindings of aor (a sip: or sips:
// URI), none when it has none; or, when aor is "", those of every AOR of
// the location store, at most events.MaxRegistrationsList (truncated says
// some were left out). A node without a registrar answers
// events.ErrConflict.
func (c *Client) ListRegistrations(ctx context.Context, aor string) (regs []events.RegistrationV1, truncated bool, err error) {
	rep, err := Do(ctx, c, RegistrationsList, events.RegistrationsListRequestV1{AOR: aor})
	if err != nil {
		return nil, false, err
	}
	return rep.Registrations, rep.Truncated, nil
}
