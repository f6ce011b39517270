package natsapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// fakeRegistrar is a core that also implements natsapi.RegistrationLister:
// alice has one binding, "sip:off@example.com" is a registrar that is off,
// "sip:boom@example.com" a broken store.
type fakeRegistrar struct{ *fakeCore }

var _ natsapi.RegistrationLister = fakeRegistrar{}

var aliceBinding = events.RegistrationV1{AOR: "sip:alice@example.com", Contact: "sip:alice@192.0.2.1:5060",
	Instance: "urn:uuid:1", RegID: 1, ExpiresAt: "2026-01-01T00:00:00Z", GRUU: "sip:alice@example.com;gr=urn:uuid:1", Source: "192.0.2.1:5060"}

func (fakeRegistrar) ListRegistrations(_ context.Context, aor string) ([]events.RegistrationV1, bool, error) {
	switch aor {
	case "", "sip:alice@example.com":
		return []events.RegistrationV1{aliceBinding}, aor == "", nil
	case "sip:off@example.com":
		return nil, false, events.NewError(events.ErrConflict, "no registrar")
	case "sip:boom@example.com":
		return nil, false, errors.New("store exploded")
	}
	return nil, false, nil
}

// registrations.list replies the core's bindings (an empty list, not
// null, for an AOR without any), refuses an AOR that is not a SIP URI
// before the core sees it, and carries the core's errors typed.
func TestRegistrationsList(t *testing.T) {
	e := startAPI(t)
	nc := serveCore(t, e, fakeRegistrar{newFakeCore()})
	for _, tt := range []struct {
		subj      string
		aor       string
		want      events.ErrorCode
		n         int
		truncated bool
	}{
		{events.CommandSubject(events.VerbRegistrationsList), "", 0, 1, true},
		{events.NodeCommandSubject(testNode, events.VerbRegistrationsList), "sip:alice@example.com", 0, 1, false},
		{events.CommandSubject(events.VerbRegistrationsList), "sip:nobody@example.com", 0, 0, false},
		{events.CommandSubject(events.VerbRegistrationsList), "alice", events.ErrBadRequest, 0, false},
		{events.CommandSubject(events.VerbRegistrationsList), "sip:off@example.com", events.ErrConflict, 0, false},
		{events.CommandSubject(events.VerbRegistrationsList), "sip:boom@example.com", events.ErrInternal, 0, false},
	} {
		var rep events.RegistrationsListReplyV1
		raw := request(t, nc, tt.subj, events.RegistrationsListRequestV1{RequestID: "r-" + tt.aor, AOR: tt.aor}, &rep)
		wantCode(t, rep.Reply, tt.want)
		if rep.RequestID != "r-"+tt.aor || len(rep.Registrations) != tt.n || rep.Truncated != tt.truncated {
			t.Errorf("%q: reply %s", tt.aor, raw)
		}
		if tt.want == 0 && !strings.Contains(string(raw), `"registrations":[`) {
			t.Errorf("%q: reply %s has no registrations list", tt.aor, raw)
		}
		if tt.n == 1 && rep.Registrations[0] != aliceBinding {
			t.Errorf("%q: binding %+v, want %+v", tt.aor, rep.Registrations[0], aliceBinding)
		}
	}
}

// A core without a registrar interface does not get the verb.
func TestRegistrationsListNeedsLister(t *testing.T) {
	e := startAPI(t)
	nc := serveCore(t, e, newFakeCore())
	_, err := nc.RequestWithContext(ctxT(t, 5*time.Second), events.CommandSubject(events.VerbRegistrationsList), []byte(`{}`))
	if !errors.Is(err, nats.ErrNoResponders) {
		t.Errorf("err = %v, want no responders", err)
	}
}
