package conference

import (
	"context"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// coreAPI is what the app asks of Tandem's core, each command addressed to
// a node ("" for whichever node takes it): the mixer's rooms are a node's,
// and a leg joins a room of its own node (natsapi.MixerController). The
// production implementation is sdkCore; tests use a fake. Methods are
// called concurrently, never with the app's lock held.
type coreAPI interface {
	CreateRoom(ctx context.Context, node, room, recordPath string) error
	DestroyRoom(ctx context.Context, node, room string) error
	Join(ctx context.Context, node, legID, room string, muted, deaf bool) error
	Set(ctx context.Context, node, legID string, muted, deaf *bool) error
	Hangup(ctx context.Context, node, legID, reason string) error
	Originate(ctx context.Context, node string, req events.LegsOriginateRequestV1) (callID, legID string, err error)
	GetCall(ctx context.Context, node, callID string) (events.CallInfoV1, error)
	// Notify sends a NOTIFY in subscription subID and returns the
	// subscriber's final response code.
	Notify(ctx context.Context, node, subID string, headers []events.HeaderV1, body []byte) (int, error)
	// Publish publishes one of the app's events.
	Publish(subject string, data []byte) error
}

// sdkCore is coreAPI over the plugin's client. The mixer commands are
// the SDK's (sdk.MixerCreate...), sent with DoOn to the room's node rather
// than through Client.CreateRoom and the like, which address the client's
// own node: a room lives on its first participant's node.
type sdkCore struct {
	c   *sdk.Client
	ctl string // the controller name commands carry
	nc  *nats.Conn
}

// on sends cmd to node, or to whichever node takes it when node is "".
func on[Req, Rep any](ctx context.Context, c *sdk.Client, node string, cmd sdk.Command[Req, Rep], req Req) (Rep, error) {
	if node == "" {
		return sdk.Do(ctx, c, cmd, req)
	}
	return sdk.DoOn(ctx, c, node, cmd, req)
}

func (s sdkCore) CreateRoom(ctx context.Context, node, room, recordPath string) error {
	_, err := on(ctx, s.c, node, sdk.MixerCreate, events.MixerCreateRequestV1{Controller: s.ctl, RoomID: room, RecordPath: recordPath})
	return err
}

func (s sdkCore) DestroyRoom(ctx context.Context, node, room string) error {
	_, err := on(ctx, s.c, node, sdk.MixerDestroy, events.MixerDestroyRequestV1{Controller: s.ctl, RoomID: room})
	return err
}

func (s sdkCore) Join(ctx context.Context, node, legID, room string, muted, deaf bool) error {
	_, err := on(ctx, s.c, node, sdk.MixerJoin, events.MixerJoinRequestV1{Controller: s.ctl, LegID: legID, RoomID: room, Muted: muted, Deaf: deaf})
	return err
}

func (s sdkCore) Set(ctx context.Context, node, legID string, muted, deaf *bool) error {
	_, err := on(ctx, s.c, node, sdk.MixerSet, events.MixerSetRequestV1{Controller: s.ctl, LegID: legID, Muted: muted, Deaf: deaf})
	return err
}

func (s sdkCore) Hangup(ctx context.Context, node, legID, reason string) error {
	_, err := on(ctx, s.c, node, sdk.LegsHangup, events.LegsHangupRequestV1{Controller: s.ctl, LegID: legID, Reason: reason})
	return err
}

func (s sdkCore) Originate(ctx context.Context, node string, req events.LegsOriginateRequestV1) (string, string, error) {
	req.Controller = s.ctl
	rep, err := on(ctx, s.c, node, sdk.LegsOriginate, req)
	return rep.CallID, rep.LegID, err
}

func (s sdkCore) GetCall(ctx context.Context, node, callID string) (events.CallInfoV1, error) {
	rep, err := on(ctx, s.c, node, sdk.CallsGet, events.CallsGetRequestV1{CallID: callID})
	if err != nil {
		return events.CallInfoV1{}, err
	}
	if rep.Call == nil {
		return events.CallInfoV1{}, events.NewError(events.ErrInternal, "calls.get: reply without a call")
	}
	return *rep.Call, nil
}

func (s sdkCore) Notify(ctx context.Context, node, subID string, headers []events.HeaderV1, body []byte) (int, error) {
	rep, err := on(ctx, s.c, node, sdk.LegsRequest, events.LegsRequestRequestV1{
		Controller: s.ctl, LegID: subID, Method: "NOTIFY", Headers: headers, ContentType: confInfoType, Body: string(body),
	})
	return rep.Code, err
}

func (s sdkCore) Publish(subject string, data []byte) error { return s.nc.Publish(subject, data) }
