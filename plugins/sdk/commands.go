package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/tandem-sip/tandem/events"
)

// Command describes one command of the wire contract: its verb and request
// and reply types, and where the request id and the reply's status sit in
// them. Do sends any Command; the core's commands are the variables below,
// each with a typed Client method. A new command is one more variable (and,
// if wanted, a method).
type Command[Req, Rep any] struct {
	// Verb is the command's verb, e.g. events.VerbCallsHangup.
	Verb string
	// RequestID points at the request's request_id.
	RequestID func(*Req) *string
	// Reply points at the reply's embedded events.Reply.
	Reply func(*Rep) *events.Reply
}

// The core's commands.
var (
	CallsList = Command[events.CallsListRequestV1, events.CallsListReplyV1]{
		Verb:      events.VerbCallsList,
		RequestID: func(r *events.CallsListRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.CallsListReplyV1) *events.Reply { return &r.Reply },
	}
	CallsGet = Command[events.CallsGetRequestV1, events.CallsGetReplyV1]{
		Verb:      events.VerbCallsGet,
		RequestID: func(r *events.CallsGetRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.CallsGetReplyV1) *events.Reply { return &r.Reply },
	}
	CallsHangup = Command[events.CallsHangupRequestV1, events.CallsHangupReplyV1]{
		Verb:      events.VerbCallsHangup,
		RequestID: func(r *events.CallsHangupRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.CallsHangupReplyV1) *events.Reply { return &r.Reply },
	}
)

// ErrNoCore is returned (wrapped, with nats.ErrNoResponders) when no node
// serves a command.
var ErrNoCore = errors.New("sdk: no node serves the command")

// Do sends cmd with req to whichever node takes it (the core's queue group)
// and returns the reply. It waits until ctx's deadline, or the client's
// command timeout when ctx has none. An empty request id is filled with a
// fresh one; commands are idempotent by request id, so to retry safely set
// it yourself and send the same request again. A reply that carries an
// error returns it as an *events.Error (see ErrorCode), along with the
// reply.
func Do[Req, Rep any](ctx context.Context, c *Client, cmd Command[Req, Rep], req Req) (Rep, error) {
	return do(ctx, c, events.CommandSubject(cmd.Verb), cmd, req)
}

// DoOn is Do addressed to one node.
func DoOn[Req, Rep any](ctx context.Context, c *Client, node string, cmd Command[Req, Rep], req Req) (Rep, error) {
	return do(ctx, c, events.NodeCommandSubject(node, cmd.Verb), cmd, req)
}

func do[Req, Rep any](ctx context.Context, c *Client, subject string, cmd Command[Req, Rep], req Req) (Rep, error) {
	if c.ctx.Err() != nil {
		var rep Rep
		return rep, ErrStopped
	}
	return send(ctx, c, subject, cmd, req)
}

// send is do even while the plugin stops: for the clean-up the SDK itself
// does then (a kept claim's release).
func send[Req, Rep any](ctx context.Context, c *Client, subject string, cmd Command[Req, Rep], req Req) (Rep, error) {
	var rep Rep
	if id := cmd.RequestID(&req); *id == "" {
		*id = nuid.Next()
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.commandTimeout)
		defer cancel()
	}
	data, err := json.Marshal(req)
	if err != nil {
		return rep, fmt.Errorf("sdk: %s: encode: %w", cmd.Verb, err)
	}
	msg, err := c.nc.RequestWithContext(ctx, subject, data)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) {
			return rep, fmt.Errorf("sdk: %s: %w: %w", cmd.Verb, ErrNoCore, err)
		}
		return rep, fmt.Errorf("sdk: %s: %w", cmd.Verb, err)
	}
	if err := json.Unmarshal(msg.Data, &rep); err != nil {
		return rep, fmt.Errorf("sdk: %s: decode reply: %w", cmd.Verb, err)
	}
	if e := cmd.Reply(&rep).Error; e != nil {
		return rep, e
	}
	return rep, nil
}

// ErrorCode returns the code of an *events.Error in err's chain: the
// reason a command was refused (events.ErrUnknownCall...).
func ErrorCode(err error) (events.ErrorCode, bool) {
	var e *events.Error
	if errors.As(err, &e) && e != nil {
		return e.Code, true
	}
	return 0, false
}

// ListCalls lists the calls of the node that takes the command.
func (c *Client) ListCalls(ctx context.Context) ([]events.CallInfoV1, error) {
	rep, err := Do(ctx, c, CallsList, events.CallsListRequestV1{})
	return rep.Calls, err
}

// GetCall returns one call with its legs; an unknown call is an
// *events.Error with code events.ErrUnknownCall.
func (c *Client) GetCall(ctx context.Context, callID string) (events.CallInfoV1, error) {
	rep, err := Do(ctx, c, CallsGet, events.CallsGetRequestV1{CallID: callID})
	if err != nil {
		return events.CallInfoV1{}, err
	}
	if rep.Call == nil {
		return events.CallInfoV1{}, fmt.Errorf("sdk: %s: reply without a call", CallsGet.Verb)
	}
	return *rep.Call, nil
}

// Hangup ends a call; cause (300-699, 0 for the core's default) is the
// SIP status towards legs not yet answered, reason goes into the events.
func (c *Client) Hangup(ctx context.Context, callID string, cause int, reason string) error {
	_, err := Do(ctx, c, CallsHangup, events.CallsHangupRequestV1{CallID: callID, Cause: cause, Reason: reason})
	return err
}
