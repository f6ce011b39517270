package natsapi

import (
	"context"
	"encoding/json"

	"github.com/tandem-sip/tandem/events"
)

// RegistrationLister is the registrar part of the core: registrations.list
// reads the location service. ServeCommands serves
// events.VerbRegistrationsList only when its core implements it; an aor,
// when set, is a sip: or sips: URI with a host.
type RegistrationLister interface {
	// ListRegistrations returns the live bindings of aor, or of every AOR
	// when aor is "" (bounded; truncated says some were left out). It
	// returns an *events.Error (ErrConflict when the registrar is off...)
	// replied as is, or another error replied as ErrInternal. It reads a
	// store and must not block beyond ctx.
	ListRegistrations(ctx context.Context, aor string) (regs []events.RegistrationV1, truncated bool, err error)
}

var registrationVerbs = []string{events.VerbRegistrationsList}

// decodeRegistrations parses a registrations.list; ok is false for another
// verb.
func (s *commandServer) decodeRegistrations(verb string, data []byte) (reqID, callID string, run func(context.Context) (any, *events.Error), bad *events.Error, ok bool) {
	if verb != events.VerbRegistrationsList {
		return "", "", nil, nil, false
	}
	rl, _ := s.core.(RegistrationLister)
	var req events.RegistrationsListRequestV1
	if err := json.Unmarshal(data, &req); err != nil {
		return "", "", nil, events.NewError(events.ErrBadRequest, "%s: %v", verb, err), true
	}
	if req.AOR != "" {
		if e := checkSIPURI(req.AOR); e != "" {
			return req.RequestID, "", nil, events.NewError(events.ErrBadRequest, "%s: aor %s: %s", verb, quote(req.AOR), e), true
		}
	}
	return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
		regs, truncated, err := rl.ListRegistrations(ctx, req.AOR)
		if err != nil {
			return verbDone(verb)(req.RequestID, err, nil)
		}
		if regs == nil {
			regs = []events.RegistrationV1{}
		}
		return events.RegistrationsListReplyV1{Reply: events.Reply{RequestID: req.RequestID}, Registrations: regs, Truncated: truncated}, nil
	}, nil, true
}

// registrationsErrorReply is registrations.list's reply type carrying r;
// nil for another verb.
func registrationsErrorReply(verb string, r events.Reply) any {
	if verb == events.VerbRegistrationsList {
		return events.RegistrationsListReplyV1{Reply: r}
	}
	return nil
}
