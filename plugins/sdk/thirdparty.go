package sdk

import (
	"context"

	"github.com/tandem-sip/tandem/events"
)

// CallsOriginate is third-party call control (RFC 3725): the core calls two
// parties and connects them.
var CallsOriginate = Command[events.CallsOriginateRequestV1, events.CallsOriginateReplyV1]{
	Verb:      events.VerbCallsOriginate,
	RequestID: func(r *events.CallsOriginateRequestV1) *string { return &r.RequestID },
	Reply:     func(r *events.CallsOriginateReplyV1) *events.Reply { return &r.Reply },
}

// OriginateCall calls a, then b, and connects them (flow events.Flow4 when
// req.Flow is 0); the call is claimed by the client's controller. It
// returns once a's INVITE is sent: the call and a's leg. If b fails, a is
// hung up.
func (c *Client) OriginateCall(ctx context.Context, req events.CallsOriginateRequestV1) (callID, aLegID string, err error) {
	if req.Controller == "" {
		req.Controller = c.Controller()
	}
	rep, err := Do(ctx, c, CallsOriginate, req)
	if err != nil {
		return "", "", err
	}
	return rep.CallID, rep.ALegID, nil
}
