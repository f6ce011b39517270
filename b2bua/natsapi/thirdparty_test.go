package natsapi_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// fakeReferrer is a core that also implements natsapi.PhoneReferrer: the
// phone "sip:bob@example.com" takes REFERs, "sip:old@example.com" answers
// them with 501 (and is called instead with fallback "originate"), and
// every other phone is not registered. It records every call it gets.
type fakeReferrer struct {
	*fakeCore

	mu  sync.Mutex // guards log
	log []string
}

var _ natsapi.PhoneReferrer = (*fakeReferrer)(nil)

func (f *fakeReferrer) ReferPhone(_ context.Context, req events.PhonesReferRequestV1) (events.PhonesReferReplyV1, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, fmt.Sprintf("refer %s %s %s %v %q", req.Phone, req.Target, req.Controller, req.NoSubscription, req.Fallback))
	switch {
	case req.Phone == "sip:bob@example.com":
		return events.PhonesReferReplyV1{
			// the request id is the API's to set
			Reply: events.Reply{RequestID: "not-mine"}, Mode: events.ReferModeRefer, ReferID: "r1", NoSubscription: req.NoSubscription,
		}, nil
	case req.Phone == "sip:old@example.com" && req.Fallback == events.ReferFallbackOriginate:
		return events.PhonesReferReplyV1{Mode: events.ReferModeOriginate, CallID: "c9", ALegID: "c9-o1", ReferRefused: 501}, nil
	case req.Phone == "sip:old@example.com":
		return events.PhonesReferReplyV1{}, events.NewError(events.ErrConflict, "phone %s answered the REFER with 501 Not Implemented", req.Phone)
	}
	return events.PhonesReferReplyV1{}, events.NewError(events.ErrConflict, "phone %s is not registered here (404)", req.Phone)
}

func (f *fakeReferrer) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// phones.refer reaches the core with its options and replies which way the
// call went; a bad fallback, phone or target is refused before the core
// sees it, naming the field.
func TestPhonesRefer(t *testing.T) {
	e := startAPI(t)
	core := &fakeReferrer{fakeCore: newFakeCore()}
	nc := serveCore(t, e, core)
	const bob, old, carol = "sip:bob@example.com", "sip:old@example.com", "sip:carol@example.com"
	for _, tt := range []struct {
		req     any // a request, or raw JSON
		id      string
		want    events.ErrorCode
		wantRep events.PhonesReferReplyV1 // without the request id
		msg     string                    // in the error message
	}{
		{req: events.PhonesReferRequestV1{RequestID: "p1", Controller: "crm", Phone: bob, Target: carol}, id: "p1",
			wantRep: events.PhonesReferReplyV1{Mode: events.ReferModeRefer, ReferID: "r1"}},
		{req: events.PhonesReferRequestV1{RequestID: "p2", Phone: bob, Target: carol, NoSubscription: true}, id: "p2",
			wantRep: events.PhonesReferReplyV1{Mode: events.ReferModeRefer, ReferID: "r1", NoSubscription: true}},
		{req: events.PhonesReferRequestV1{RequestID: "p3", Phone: old, Target: carol, Fallback: events.ReferFallbackOriginate}, id: "p3",
			wantRep: events.PhonesReferReplyV1{Mode: events.ReferModeOriginate, CallID: "c9", ALegID: "c9-o1", ReferRefused: 501}},
		{req: events.PhonesReferRequestV1{RequestID: "p4", Phone: old, Target: carol}, id: "p4", want: events.ErrConflict, msg: "501"},
		{req: events.PhonesReferRequestV1{RequestID: "p5", Phone: "sip:nobody@example.com", Target: carol}, id: "p5", want: events.ErrConflict},
		{req: events.PhonesReferRequestV1{RequestID: "p6", Phone: bob, Target: carol, Fallback: "legs"}, id: "p6",
			want: events.ErrBadRequest, msg: `phones.refer: fallback "legs": want "originate" or none`},
		{req: []byte(`{"request_id":"p7","phone":"sip:bob@example.com","target":"sip:carol@example.com","fallback":"Originate"}`), id: "p7",
			want: events.ErrBadRequest, msg: "fallback"},
		{req: []byte(`{"request_id":"p8","phone":"sip:bob@example.com","target":"sip:carol@example.com","fallback":1}`), id: "", // a request that does not parse has no request id
			want: events.ErrBadRequest},
		{req: events.PhonesReferRequestV1{RequestID: "p9", Phone: "tel:+15550100", Target: carol}, id: "p9", want: events.ErrBadRequest, msg: "phone"},
		{req: events.PhonesReferRequestV1{RequestID: "p10", Phone: bob, Target: ""}, id: "p10", want: events.ErrBadRequest, msg: "target"},
	} {
		var rep events.PhonesReferReplyV1
		raw := request(t, nc, events.CommandSubject(events.VerbPhonesRefer), tt.req, &rep)
		wantCode(t, rep.Reply, tt.want)
		if rep.RequestID != tt.id {
			t.Errorf("%s: reply %s, want request id %q", tt.id, raw, tt.id)
		}
		if tt.want != 0 {
			if rep.Error != nil && !strings.Contains(rep.Error.Message, tt.msg) {
				t.Errorf("%s: error %q does not contain %q", tt.id, rep.Error.Message, tt.msg)
			}
			continue
		}
		rep.Reply = events.Reply{}
		if !reflect.DeepEqual(rep, tt.wantRep) {
			t.Errorf("%s: reply %s, want %+v", tt.id, raw, tt.wantRep)
		}
	}
	want := []string{
		`refer sip:bob@example.com sip:carol@example.com crm false ""`,
		`refer sip:bob@example.com sip:carol@example.com  true ""`,
		`refer sip:old@example.com sip:carol@example.com  false "originate"`,
		`refer sip:old@example.com sip:carol@example.com  false ""`,
		`refer sip:nobody@example.com sip:carol@example.com  false ""`,
	}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
}
