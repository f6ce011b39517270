package loadkit

import (
	"sync"

	"github.com/emiago/sipgo/sip"
)

// NewCall finds the call (T, a pointer) of a new INVITE in users by user
// and files it in calls by the INVITE's Call-ID; an INVITE of no call
// (or without a Call-ID) is answered 404 and gets the zero T. It sends
// 100 at once, as a UAS should (which also stops sipgo's own 100 timer
// before the To-tag is added).
func NewCall[T any](users, calls *sync.Map, user string, req *sip.Request, tx sip.ServerTransaction) T {
	var x T
	found := false
	if req.CallID() != nil {
		if v, ok := users.Load(user); ok {
			x, found = v.(T), true
		}
	}
	if !found {
		Reply(tx, req, 404, "Not Found")
		return x
	}
	Reply(tx, req, 100, "Trying")
	calls.Store(req.CallID().Value(), x)
	return x
}

// Lookup finds the call (T) of an in-dialog request in calls by Call-ID;
// the zero T when there is none.
func Lookup[T any](calls *sync.Map, req *sip.Request) T {
	var x T
	if req.CallID() == nil || req.CSeq() == nil || req.To() == nil {
		return x
	}
	if v, ok := calls.Load(req.CallID().Value()); ok {
		x = v.(T)
	}
	return x
}

// ToTag is req's To-tag, "" when it has none.
func ToTag(req *sip.Request) string {
	if to := req.To(); to != nil {
		t, _ := to.Params.Get("tag")
		return t
	}
	return ""
}
