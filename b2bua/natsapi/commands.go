package natsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
)

// CallController is the core as commands see it; the core implements it.
// Its methods are called from the command goroutines, concurrently with
// each other and with calls' own loops, so they must be safe for that; they
// should return promptly (HangupCall within its ctx).
type CallController interface {
	// ListCalls returns a snapshot of the node's calls.
	ListCalls() []events.CallInfoV1
	// GetCall returns a snapshot of one call; false if the node has none
	// with that id.
	GetCall(callID string) (events.CallInfoV1, bool)
	// HangupCall ends a call. It returns nil, or an *events.Error
	// (ErrUnknownCall, ErrConflict...) which is replied as is, or another
	// error which is replied as ErrInternal.
	HangupCall(ctx context.Context, callID string, cause int, reason string) error
}

// commandWorkers bounds the commands handled at once; beyond it a command
// is handled on its subscription's goroutine, which slows its senders.
const commandWorkers = 64

var commandVerbs = []string{events.VerbCallsList, events.VerbCallsGet, events.VerbCallsHangup}

// ServeCommands answers the call commands (events.VerbCallsList,
// VerbCallsGet, VerbCallsHangup, the control verbs VerbLegsHold ...
// VerbCallsRelease when core also implements LegController, the flow
// verbs VerbLegsOriginate ... VerbLegsUnbridge when it implements
// FlowController, the transfer verbs VerbTransfersBlind and
// VerbTransfersAttended when it implements TransferController, and the
// mixer verbs VerbMixerCreate ... VerbMixerList when it implements
// MixerController) on
// events.CommandSubject(verb), in queue group
// events.CommandQueue, and on events.NodeCommandSubject(node, verb).
// It returns once the subscriptions are in place on the server, and
// unsubscribes when ctx ends (requests already delivered are answered
// with ErrUnavailable). A reply is remembered by request_id for
// Config.IdempotencyTTL: a repeated request_id is answered with the first
// reply without calling core again.
func (a *API) ServeCommands(ctx context.Context, core CallController) error {
	if core == nil {
		return errors.New("natsapi: serve commands: nil core")
	}
	s := &commandServer{api: a, core: core, ctx: ctx}
	var subs []*nats.Subscription
	// unsubscribe drains the subscriptions: requests already on their way
	// are still answered (ErrUnavailable once ctx has ended).
	unsubscribe := func() {
		for _, sub := range subs {
			if err := sub.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) &&
				!errors.Is(err, nats.ErrConnectionDraining) && !errors.Is(err, nats.ErrBadSubscription) {
				a.log.Warn("natsapi: unsubscribe", "subject", sub.Subject, "err", err)
			}
		}
	}
	verbs := commandVerbs
	if _, ok := core.(LegController); ok {
		verbs = append(slices.Clip(verbs), controlVerbs...)
	}
	if _, ok := core.(FlowController); ok {
		verbs = append(slices.Clip(verbs), flowVerbs...)
	}
	if _, ok := core.(TransferController); ok {
		verbs = append(slices.Clip(verbs), transferVerbs...)
	}
	if _, ok := core.(MixerController); ok {
		verbs = append(slices.Clip(verbs), mixerVerbs...)
	}
	if _, ok := core.(CallOriginator); ok {
		verbs = append(slices.Clip(verbs), thirdPartyVerbs...)
	}
	if _, ok := core.(PhoneReferrer); ok {
		verbs = append(slices.Clip(verbs), phoneVerbs...)
	}
	if _, ok := core.(RegistrationLister); ok {
		verbs = append(slices.Clip(verbs), registrationVerbs...)
	}
	for _, verb := range verbs {
		for _, subj := range []string{events.CommandSubject(verb), events.NodeCommandSubject(a.node, verb)} {
			sub, err := a.nc.QueueSubscribe(subj, events.CommandQueue, func(m *nats.Msg) { s.dispatch(verb, m) })
			if err != nil {
				unsubscribe()
				return fmt.Errorf("natsapi: serve commands: subscribe %s: %w", subj, err)
			}
			subs = append(subs, sub)
		}
	}
	fctx, cancel := context.WithTimeout(ctx, a.cfg.CommandTimeout)
	defer cancel()
	if err := a.nc.FlushWithContext(fctx); err != nil {
		unsubscribe()
		return fmt.Errorf("natsapi: serve commands: %w", err)
	}
	context.AfterFunc(ctx, unsubscribe)
	a.log.Debug("natsapi: serving commands", "node", a.node)
	return nil
}

// commandServer is one ServeCommands session.
type commandServer struct {
	api  *API
	core CallController
	ctx  context.Context // the session's; ends the core's work too
}

// dispatch hands m to a worker, or handles it here when all are busy.
func (s *commandServer) dispatch(verb string, m *nats.Msg) {
	a := s.api
	a.workersMu.Lock()
	if a.workersDone {
		a.workersMu.Unlock()
		s.handle(verb, m)
		return
	}
	select {
	case a.cmdSem <- struct{}{}:
		a.workers.Add(1)
		a.workersMu.Unlock()
		go func() {
			defer s.api.workers.Done()
			defer func() { <-s.api.cmdSem }()
			s.handle(verb, m)
		}()
	default:
		a.workersMu.Unlock()
		s.handle(verb, m)
	}
}

// handle decodes, answers (once per request id) and replies.
func (s *commandServer) handle(verb string, m *nats.Msg) {
	a := s.api
	log := a.log.With("verb", verb)
	reqID, callID, run, bad := s.decode(verb, m.Data)
	if a.closing.Load() || s.ctx.Err() != nil {
		s.respond(m, verb, errorReply(verb, reqID, events.NewError(events.ErrUnavailable, "node %s is not serving commands", a.node)), "unavailable", log)
		return
	}
	if bad != nil {
		log.Debug("natsapi: bad command", "err", bad.Message)
		s.respond(m, verb, errorReply(verb, reqID, bad), bad.Code.String(), log)
		return
	}
	log = log.With("request_id", reqID, "call_id", callID)

	result := ""
	ctx, cancel := context.WithTimeout(s.ctx, a.cfg.CommandTimeout)
	defer cancel()
	data, replayed, err := a.replies.do(ctx, verb+"\x00"+reqID, func() ([]byte, bool) {
		rep, e := s.run(ctx, verb, reqID, run, log)
		result = "ok"
		if e != nil {
			result = e.Code.String()
		}
		// Unavailable is transient: a retry should run again.
		return encode(rep, log), e == nil || e.Code != events.ErrUnavailable
	})
	switch {
	case err != nil:
		log.Warn("natsapi: command waited for its first answer in vain", "err", err)
		s.respond(m, verb, errorReply(verb, reqID, events.NewError(events.ErrUnavailable, "first request still running")), "unavailable", log)
		return
	case replayed:
		result = "replayed"
		if data == nil {
			data = encode(errorReply(verb, reqID, events.NewError(events.ErrInternal, "first request failed")), log)
		}
	}
	a.m.commands.WithLabelValues(verb, result).Inc()
	if m.Reply == "" {
		return
	}
	if err := m.Respond(data); err != nil {
		log.Warn("natsapi: command reply", "err", err)
	}
}

// decode parses a request. It returns the request id, the call id (for
// logs), the work to do, or a bad-request error.
func (s *commandServer) decode(verb string, data []byte) (reqID, callID string, run func(context.Context) (any, *events.Error), bad *events.Error) {
	switch verb {
	case events.VerbCallsList:
		var req events.CallsListRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, events.NewError(events.ErrBadRequest, "%s: %v", verb, err)
		}
		return req.RequestID, "", func(context.Context) (any, *events.Error) {
			calls := s.core.ListCalls()
			if calls == nil {
				calls = []events.CallInfoV1{}
			}
			return events.CallsListReplyV1{Reply: events.Reply{RequestID: req.RequestID}, Calls: calls}, nil
		}, nil

	case events.VerbCallsGet:
		var req events.CallsGetRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, events.NewError(events.ErrBadRequest, "%s: %v", verb, err)
		}
		if req.CallID == "" {
			return req.RequestID, "", nil, events.NewError(events.ErrBadRequest, "%s: call_id missing", verb)
		}
		return req.RequestID, req.CallID, func(context.Context) (any, *events.Error) {
			call, ok := s.core.GetCall(req.CallID)
			if !ok {
				e := events.NewError(events.ErrUnknownCall, "no call %q on node %s", req.CallID, s.api.node)
				return errorReply(verb, req.RequestID, e), e
			}
			return events.CallsGetReplyV1{Reply: events.Reply{RequestID: req.RequestID}, Call: &call}, nil
		}, nil

	case events.VerbCallsHangup:
		var req events.CallsHangupRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, events.NewError(events.ErrBadRequest, "%s: %v", verb, err)
		}
		if req.CallID == "" {
			return req.RequestID, "", nil, events.NewError(events.ErrBadRequest, "%s: call_id missing", verb)
		}
		if req.Cause != 0 && (req.Cause < 300 || req.Cause > 699) {
			return req.RequestID, req.CallID, nil, events.NewError(events.ErrBadRequest, "%s: cause %d not in 300-699", verb, req.Cause)
		}
		return req.RequestID, req.CallID, func(ctx context.Context) (any, *events.Error) {
			if err := s.core.HangupCall(ctx, req.CallID, req.Cause, req.Reason); err != nil {
				e := asEventsError(err)
				return errorReply(verb, req.RequestID, e), e
			}
			return events.CallsHangupReplyV1{Reply: events.Reply{RequestID: req.RequestID}}, nil
		}, nil
	}
	if reqID, callID, run, bad, ok := s.decodeControl(verb, data); ok {
		return reqID, callID, run, bad
	}
	if reqID, callID, run, bad, ok := s.decodeFlow(verb, data); ok {
		return reqID, callID, run, bad
	}
	if reqID, callID, run, bad, ok := s.decodeTransfer(verb, data); ok {
		return reqID, callID, run, bad
	}
	if reqID, callID, run, bad, ok := s.decodeThirdParty(verb, data); ok {
		return reqID, callID, run, bad
	}
	if reqID, callID, run, bad, ok := s.decodeMixer(verb, data); ok {
		return reqID, callID, run, bad
	}
	if reqID, callID, run, bad, ok := s.decodeRegistrations(verb, data); ok {
		return reqID, callID, run, bad
	}
	return "", "", nil, events.NewError(events.ErrBadRequest, "unknown verb %q", verb)
}

// run calls the core, turning a panic into ErrInternal.
func (s *commandServer) run(ctx context.Context, verb, reqID string, fn func(context.Context) (any, *events.Error), log *slog.Logger) (rep any, e *events.Error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("natsapi: command panicked", "panic", p)
			e = events.NewError(events.ErrInternal, "%s failed", verb)
			rep = errorReply(verb, reqID, e)
		}
	}()
	start := time.Now()
	rep, e = fn(ctx)
	switch {
	case e == nil:
		log.Debug("natsapi: command done", "took", time.Since(start))
	case e.Code == events.ErrInternal:
		log.Warn("natsapi: command failed", "code", int(e.Code), "err", e.Message)
	default:
		log.Debug("natsapi: command refused", "code", int(e.Code), "err", e.Message)
	}
	return rep, e
}

// respond replies to a request that bypassed the core.
func (s *commandServer) respond(m *nats.Msg, verb string, rep any, result string, log *slog.Logger) {
	s.api.m.commands.WithLabelValues(verb, result).Inc()
	if m.Reply == "" {
		return
	}
	if err := m.Respond(encode(rep, log)); err != nil {
		log.Warn("natsapi: command reply", "err", err)
	}
}

// errorReply is verb's reply type carrying e.
func errorReply(verb, reqID string, e *events.Error) any {
	r := events.Reply{RequestID: reqID, Error: e}
	switch verb {
	case events.VerbCallsList:
		return events.CallsListReplyV1{Reply: r}
	case events.VerbCallsGet:
		return events.CallsGetReplyV1{Reply: r}
	case events.VerbCallsHangup:
		return events.CallsHangupReplyV1{Reply: r}
	}
	if rep := controlErrorReply(verb, r); rep != nil {
		return rep
	}
	if rep := flowErrorReply(verb, r); rep != nil {
		return rep
	}
	if rep := transferErrorReply(verb, r); rep != nil {
		return rep
	}
	if rep := thirdPartyErrorReply(verb, r); rep != nil {
		return rep
	}
	if rep := mixerErrorReply(verb, r); rep != nil {
		return rep
	}
	if rep := registrationsErrorReply(verb, r); rep != nil {
		return rep
	}
	return r
}

// asEventsError keeps a core's *events.Error and wraps anything else as
// ErrInternal.
func asEventsError(err error) *events.Error {
	var e *events.Error
	if errors.As(err, &e) && e != nil {
		if e.Name == "" {
			c := *e
			c.Name = c.Code.String()
			return &c
		}
		return e
	}
	return events.NewError(events.ErrInternal, "%v", err)
}

func encode(v any, log *slog.Logger) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		log.Error("natsapi: encode reply", "err", err)
		data, _ = json.Marshal(events.Reply{Error: events.NewError(events.ErrInternal, "encode reply")})
	}
	return data
}
