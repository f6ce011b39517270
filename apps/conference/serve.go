package conference

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// commandTimeout bounds one command of the app (a merge waits for two
// re-INVITEs).
const commandTimeout = 30 * time.Second

// handler runs one verb: JSON request in, JSON reply out.
type handler func(ctx context.Context, data []byte) []byte

// handlers are the app's verbs, declared once.
func (a *app) handlers() map[string]handler {
	return map[string]handler{
		VerbList:   serveCommand(CmdList, a.list),
		VerbCreate: serveCommand(CmdCreate, a.create),
		VerbRenew:  serveCommand(CmdRenew, a.renew),
		VerbEnd:    serveCommand(CmdEnd, a.roomCommand(VerbEnd)),
		VerbLock:   serveCommand(CmdLock, a.roomCommand(VerbLock)),
		VerbUnlock: serveCommand(CmdUnlock, a.roomCommand(VerbUnlock)),
		VerbMute:   serveCommand(CmdMute, a.participantCommand(VerbMute)),
		VerbUnmute: serveCommand(CmdUnmute, a.participantCommand(VerbUnmute)),
		VerbDeaf:   serveCommand(CmdDeaf, a.participantCommand(VerbDeaf)),
		VerbUndeaf: serveCommand(CmdUndeaf, a.participantCommand(VerbUndeaf)),
		VerbKick:   serveCommand(CmdKick, a.participantCommand(VerbKick)),
		VerbDial:   serveCommand(CmdDial, a.dial),
		VerbMerge:  serveCommand(CmdMerge, a.merge),
	}
}

// serveCommand turns fn into a handler of cmd: the request is decoded
// (bad JSON: ErrBadRequest), fn runs, and the reply carries the request id
// and fn's error as an *events.Error.
func serveCommand[Req, Rep any](cmd sdk.Command[Req, Rep], fn func(context.Context, Req) (Rep, error)) handler {
	return func(ctx context.Context, data []byte) []byte {
		var (
			req Req
			rep Rep
			err error
		)
		if jerr := json.Unmarshal(data, &req); jerr != nil {
			err = events.NewError(events.ErrBadRequest, "conference: %s: %v", cmd.Verb, jerr)
		} else {
			rep, err = fn(ctx, req)
		}
		r := cmd.Reply(&rep)
		r.RequestID = *cmd.RequestID(&req)
		if err != nil {
			r.Error = errorOf(err)
		}
		out, merr := json.Marshal(rep)
		if merr != nil {
			return errorReply(*cmd.RequestID(&req), events.NewError(events.ErrInternal, "conference: encode reply: %v", merr))
		}
		return out
	}
}

// errorReply is a reply of any verb carrying only an error.
func errorReply(requestID string, e *events.Error) []byte {
	out, _ := json.Marshal(events.Reply{RequestID: requestID, Error: e})
	return out
}

// commands serves the app's verbs, remembering replies for repeats.
type commands struct {
	a        *app
	handlers map[string]handler
	replies  *replies
}

func newCommands(a *app) *commands {
	return &commands{a: a, handlers: a.handlers(), replies: newReplies(RepliesTTL, maxReplies, a.now)}
}

// dispatch answers one request on subject (CommandFilter).
func (c *commands) dispatch(ctx context.Context, subject string, data []byte) []byte {
	verb := strings.TrimPrefix(subject, events.CommandPrefix+".")
	var id struct {
		RequestID string `json:"request_id"`
	}
	_ = json.Unmarshal(data, &id) // a bad request is the handler's to report
	h, ok := c.handlers[verb]
	if !ok {
		return errorReply(id.RequestID, events.NewError(events.ErrBadRequest, "conference: unknown verb %q", verb))
	}
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	key := ""
	if id.RequestID != "" {
		key = verb + "\x00" + id.RequestID
	}
	out := c.replies.do(ctx, key, func() []byte { return h(ctx, data) })
	if out == nil {
		return errorReply(id.RequestID, events.NewError(events.ErrInternal, "conference: %s: the first request with this id is still running", verb))
	}
	return out
}

// serve subscribes to the app's commands on nc in queue group queue; each
// request is answered in a goroutine the plugin owns (spawn). The
// subscription is drained when ctx ends.
func (c *commands) serve(nc *nats.Conn, queue string) (*nats.Subscription, error) {
	return nc.QueueSubscribe(CommandFilter, queue, func(m *nats.Msg) {
		if m.Reply == "" {
			return
		}
		ok := c.a.spawn(func(ctx context.Context) {
			if err := m.Respond(c.dispatch(ctx, m.Subject, m.Data)); err != nil {
				c.a.log.Warn("conference: reply failed", "subject", m.Subject, "err", err)
			}
		})
		if !ok {
			_ = m.Respond(errorReply("", events.NewError(events.ErrUnavailable, "conference: the app is stopping")))
		}
	})
}
