package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// originator sends calls.originate: over NATS with the SDK, or through
// the REST gateway.
type originator interface {
	originate(ctx context.Context, req events.CallsOriginateRequestV1) (callID, aLegID string, err error)
}

// natsOriginator sends calls.originate with the SDK's Do on the core's
// queue-group subject, as a controller would (sdk.Client.OriginateCall
// fills an empty controller with the client's own; Do sends the request
// as given, so that -controller "" leaves the call unclaimed).
type natsOriginator struct{ c *sdk.Client }

func (o natsOriginator) originate(ctx context.Context, req events.CallsOriginateRequestV1) (string, string, error) {
	rep, err := sdk.Do(ctx, o.c, sdk.CallsOriginate, req)
	if err != nil {
		return "", "", err
	}
	return rep.CallID, rep.ALegID, nil
}

// natsSide is the generator's NATS: the SDK client that sends commands
// (its connection also sends the echo baseline), a second connection that
// answers the echo baseline and watches Tandem's events.
type natsSide struct {
	nc     *nats.Conn // commands and echo requests
	other  *nats.Conn // the echo responder and the event watcher
	inst   *sdk.Instance
	client *sdk.Client

	mu      sync.Mutex               // guards bridged, ended, endWait, evCount
	bridged map[string]time.Time     // call id -> first leg_bridged received
	ended   map[string]time.Time     // call id -> its ended event received
	endWait map[string]chan struct{} // call id -> closed by its ended event (waitEnded)
	evCount int
	dropped func() (int, error) // the watcher's dropped messages
}

// echoSubject is the subject of the echo baseline, answered by the
// generator's second connection: a NATS round trip with no Tandem in it.
const echoSubject = "origload.echo"

func connectNATS(url string) (*natsSide, error) {
	s := &natsSide{bridged: map[string]time.Time{}, ended: map[string]time.Time{}, endWait: map[string]chan struct{}{}}
	var err error
	if s.nc, err = nats.Connect(url, nats.Name("origload")); err != nil {
		return nil, fmt.Errorf("nats %s: %w", url, err)
	}
	if s.other, err = nats.Connect(url, nats.Name("origload-watch")); err != nil {
		s.close()
		return nil, fmt.Errorf("nats %s: %w", url, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.inst, err = sdk.Start(ctx, s.nc, sdk.Plugin{Name: "origload", Start: func(context.Context, *sdk.Client) error { return nil }})
	if err != nil {
		s.close()
		return nil, err
	}
	s.client = s.inst.Client()

	// The echo: a reply the size of calls.originate's.
	echoReply, _ := json.Marshal(events.CallsOriginateReplyV1{
		Reply: events.Reply{RequestID: "0123456789abcdefghijkl"}, CallID: "0123456789abcdefghijkl", ALegID: "0123456789abcdefghijkl-a",
	})
	if _, err := s.other.Subscribe(echoSubject, func(m *nats.Msg) { _ = m.Respond(echoReply) }); err != nil {
		s.close()
		return nil, err
	}
	// Tandem's events: leg_bridged (the controller's view of the bridge)
	// and ended, by call.
	watch := func(name string, into map[string]time.Time) error {
		sub, err := s.other.Subscribe(events.EventPrefix+".*.call.*."+name, func(m *nats.Msg) {
			at := time.Now()
			var env struct {
				CallID string `json:"call_id"`
			}
			if json.Unmarshal(m.Data, &env) != nil || env.CallID == "" {
				return
			}
			s.mu.Lock()
			s.evCount++
			if _, ok := into[env.CallID]; !ok {
				into[env.CallID] = at
				if name == "ended" {
					if ch, ok := s.endWait[env.CallID]; ok {
						close(ch)
						delete(s.endWait, env.CallID)
					}
				}
			}
			s.mu.Unlock()
		})
		if err != nil {
			return err
		}
		_ = sub.SetPendingLimits(1<<20, 1<<30)
		prev := s.dropped
		s.dropped = func() (int, error) {
			n, err := sub.Dropped()
			if prev != nil {
				m, err2 := prev()
				n += m
				if err == nil {
					err = err2
				}
			}
			return n, err
		}
		return nil
	}
	if err := watch("leg_bridged", s.bridged); err != nil {
		s.close()
		return nil, err
	}
	if err := watch("ended", s.ended); err != nil {
		s.close()
		return nil, err
	}
	if err := s.other.Flush(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *natsSide) close() {
	if s.inst != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.inst.Stop(ctx)
		cancel()
	}
	if s.nc != nil {
		s.nc.Close()
	}
	if s.other != nil {
		s.other.Close()
	}
}

// waitEnded waits for callID's ended event, or ctx.
func (s *natsSide) waitEnded(ctx context.Context, callID string) error {
	s.mu.Lock()
	if _, ok := s.ended[callID]; ok {
		s.mu.Unlock()
		return nil
	}
	ch, ok := s.endWait[callID]
	if !ok {
		ch = make(chan struct{})
		s.endWait[callID] = ch
	}
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// eventTimes returns when the leg_bridged and ended events of callID
// arrived (zero if they did not).
func (s *natsSide) eventTimes(callID string) (bridged, ended time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bridged[callID], s.ended[callID]
}

// Baseline probes, sent at the calls' rate in the same run.
const (
	probeEcho    = iota // NATS request to the generator's own responder
	probeGet            // calls.get of an unknown call: Tandem's command path, no call work
	probeRESTGet        // the same through the REST gateway (-via rest only)
	nProbes
)

var probeNames = [nProbes]string{"echo", "calls.get", "REST GET /v1/calls/{id}"}

// probe sends one baseline request and returns whether it got the
// expected answer.
func (s *natsSide) probe(ctx context.Context, kind int, payload []byte) error {
	switch kind {
	case probeEcho:
		_, err := s.nc.RequestWithContext(ctx, echoSubject, payload)
		return err
	default:
		_, err := sdk.Do(ctx, s.client, sdk.CallsGet, events.CallsGetRequestV1{CallID: "origload-no-such-call"})
		if code, ok := sdk.ErrorCode(err); ok && code == events.ErrUnknownCall {
			return nil
		}
		if err == nil {
			return fmt.Errorf("calls.get of an unknown call succeeded")
		}
		return err
	}
}
