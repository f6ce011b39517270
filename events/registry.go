package events

import "slices"

// Command and decision type strings. Like the event types they carry their
// version, which the Go type name repeats. Commands and decisions travel on
// the subjects of subjects.go; the type string names the message, e.g. for a
// schema; only RouteRequestV1, which embeds an Envelope, also carries it in
// its Type field.
const (
	TypeCallsListRequestV1   = "tandem.cmd.v1.calls.list.request"
	TypeCallsListReplyV1     = "tandem.cmd.v1.calls.list.reply"
	TypeCallsGetRequestV1    = "tandem.cmd.v1.calls.get.request"
	TypeCallsGetReplyV1      = "tandem.cmd.v1.calls.get.reply"
	TypeCallsHangupRequestV1 = "tandem.cmd.v1.calls.hangup.request"
	TypeCallsHangupReplyV1   = "tandem.cmd.v1.calls.hangup.reply"

	TypeRouteRequestV1  = "tandem.decide.v1.route.request"
	TypeRouteDecisionV1 = "tandem.decide.v1.route.decision"
)

// Kind is the role of a wire type.
type Kind string

// Kinds of wire types.
const (
	KindEvent           Kind = "event"            // published on EventSubject, kept in Stream
	KindCommandRequest  Kind = "command_request"  // sent on CommandSubject / NodeCommandSubject
	KindCommandReply    Kind = "command_reply"    // the reply to a command request
	KindDecisionRequest Kind = "decision_request" // asked by the core on DecidePrefix.<what>
	KindDecisionAnswer  Kind = "decision_answer"  // a plugin's reply to a decision request
)

// Spec describes one wire type.
type Spec struct {
	// Type is the type string, e.g. TypeCallCreatedV1. It names the schema
	// file schema/<Type>.json.
	Type string
	// Name is the type's subject token: an event's Name() (the last token of
	// EventSubject), a command's verb (VerbCallsList; request and reply
	// share it) or a decision's <what> (DecideRoute is DecidePrefix+"."+Name).
	Name string
	// Kind is the type's role.
	Kind Kind
	// New returns a pointer to a new zero value of the type.
	New func() any
}

// Registry lists every wire type of this package, events first, then
// commands, then decisions. Schemas are generated from it; a type that is not
// listed here has no schema. Do not modify it at run time.
var Registry = []Spec{
	{Type: TypeCallCreatedV1, Name: "created", Kind: KindEvent, New: func() any { return new(CallCreatedV1) }},
	{Type: TypeCallRoutedV1, Name: "routed", Kind: KindEvent, New: func() any { return new(CallRoutedV1) }},
	{Type: TypeLegCreatedV1, Name: "leg_created", Kind: KindEvent, New: func() any { return new(LegCreatedV1) }},
	{Type: TypeLegRingingV1, Name: "leg_ringing", Kind: KindEvent, New: func() any { return new(LegRingingV1) }},
	{Type: TypeLegAnsweredV1, Name: "leg_answered", Kind: KindEvent, New: func() any { return new(LegAnsweredV1) }},
	{Type: TypeCallConnectedV1, Name: "connected", Kind: KindEvent, New: func() any { return new(CallConnectedV1) }},
	{Type: TypeLegHeldV1, Name: "leg_held", Kind: KindEvent, New: func() any { return new(LegHeldV1) }},
	{Type: TypeLegResumedV1, Name: "leg_resumed", Kind: KindEvent, New: func() any { return new(LegResumedV1) }},
	{Type: TypeLegEndedV1, Name: "leg_ended", Kind: KindEvent, New: func() any { return new(LegEndedV1) }},
	{Type: TypeCallEndedV1, Name: "ended", Kind: KindEvent, New: func() any { return new(CallEndedV1) }},
	{Type: TypeCallClaimedV1, Name: "claimed", Kind: KindEvent, New: func() any { return new(CallClaimedV1) }},
	{Type: TypeCallReleasedV1, Name: "released", Kind: KindEvent, New: func() any { return new(CallReleasedV1) }},
	{Type: TypeBindingAddedV1, Name: "binding_added", Kind: KindEvent, New: func() any { return new(BindingAddedV1) }},
	{Type: TypeBindingRefreshedV1, Name: "binding_refreshed", Kind: KindEvent, New: func() any { return new(BindingRefreshedV1) }},
	{Type: TypeBindingRemovedV1, Name: "binding_removed", Kind: KindEvent, New: func() any { return new(BindingRemovedV1) }},
	{Type: TypeBindingExpiredV1, Name: "binding_expired", Kind: KindEvent, New: func() any { return new(BindingExpiredV1) }},
	{Type: TypeGRUUMintedV1, Name: "gruu_minted", Kind: KindEvent, New: func() any { return new(GRUUMintedV1) }},
	{Type: TypeLegBridgedV1, Name: "leg_bridged", Kind: KindEvent, New: func() any { return new(LegBridgedV1) }},
	{Type: TypeLegUnbridgedV1, Name: "leg_unbridged", Kind: KindEvent, New: func() any { return new(LegUnbridgedV1) }},
	{Type: TypeLegMovedV1, Name: "leg_moved", Kind: KindEvent, New: func() any { return new(LegMovedV1) }},
	{Type: TypeCallParkedV1, Name: "parked", Kind: KindEvent, New: func() any { return new(CallParkedV1) }},
	{Type: TypeMixerJoinedV1, Name: "mixer_joined", Kind: KindEvent, New: func() any { return new(MixerJoinedV1) }},
	{Type: TypeMixerLeftV1, Name: "mixer_left", Kind: KindEvent, New: func() any { return new(MixerLeftV1) }},
	{Type: TypeMixerTalkingV1, Name: "mixer_talking", Kind: KindEvent, New: func() any { return new(MixerTalkingV1) }},
	{Type: TypeMixerDigitV1, Name: "mixer_digit", Kind: KindEvent, New: func() any { return new(MixerDigitV1) }},
	{Type: TypeTransferRequestedV1, Name: "transfer_requested", Kind: KindEvent, New: func() any { return new(TransferRequestedV1) }},
	{Type: TypeTransferProgressV1, Name: "transfer_progress", Kind: KindEvent, New: func() any { return new(TransferProgressV1) }},
	{Type: TypeTransferCompletedV1, Name: "transfer_completed", Kind: KindEvent, New: func() any { return new(TransferCompletedV1) }},
	{Type: TypeTransferFailedV1, Name: "transfer_failed", Kind: KindEvent, New: func() any { return new(TransferFailedV1) }},
	{Type: TypeTransferRolledBackV1, Name: "transfer_rolled_back", Kind: KindEvent, New: func() any { return new(TransferRolledBackV1) }},
	{Type: TypePluginStartedV1, Name: "started", Kind: KindEvent, New: func() any { return new(PluginStartedV1) }},
	{Type: TypePluginRestartedV1, Name: "restarted", Kind: KindEvent, New: func() any { return new(PluginRestartedV1) }},
	{Type: TypePluginDownV1, Name: "down", Kind: KindEvent, New: func() any { return new(PluginDownV1) }},
	{Type: TypeSubscriptionCreatedV1, Name: "subscription_created", Kind: KindEvent, New: func() any { return new(SubscriptionCreatedV1) }},
	{Type: TypeSubscriptionRefreshedV1, Name: "subscription_refreshed", Kind: KindEvent, New: func() any { return new(SubscriptionRefreshedV1) }},
	{Type: TypeSubscriptionEndedV1, Name: "subscription_ended", Kind: KindEvent, New: func() any { return new(SubscriptionEndedV1) }},

	{Type: TypeCallsListRequestV1, Name: VerbCallsList, Kind: KindCommandRequest, New: func() any { return new(CallsListRequestV1) }},
	{Type: TypeCallsListReplyV1, Name: VerbCallsList, Kind: KindCommandReply, New: func() any { return new(CallsListReplyV1) }},
	{Type: TypeCallsGetRequestV1, Name: VerbCallsGet, Kind: KindCommandRequest, New: func() any { return new(CallsGetRequestV1) }},
	{Type: TypeCallsGetReplyV1, Name: VerbCallsGet, Kind: KindCommandReply, New: func() any { return new(CallsGetReplyV1) }},
	{Type: TypeCallsHangupRequestV1, Name: VerbCallsHangup, Kind: KindCommandRequest, New: func() any { return new(CallsHangupRequestV1) }},
	{Type: TypeCallsHangupReplyV1, Name: VerbCallsHangup, Kind: KindCommandReply, New: func() any { return new(CallsHangupReplyV1) }},
	{Type: TypeLegsHoldRequestV1, Name: VerbLegsHold, Kind: KindCommandRequest, New: func() any { return new(LegsHoldRequestV1) }},
	{Type: TypeLegsHoldReplyV1, Name: VerbLegsHold, Kind: KindCommandReply, New: func() any { return new(LegsHoldReplyV1) }},
	{Type: TypeLegsResumeRequestV1, Name: VerbLegsResume, Kind: KindCommandRequest, New: func() any { return new(LegsResumeRequestV1) }},
	{Type: TypeLegsResumeReplyV1, Name: VerbLegsResume, Kind: KindCommandReply, New: func() any { return new(LegsResumeReplyV1) }},
	{Type: TypeLegsDTMFRequestV1, Name: VerbLegsDTMF, Kind: KindCommandRequest, New: func() any { return new(LegsDTMFRequestV1) }},
	{Type: TypeLegsDTMFReplyV1, Name: VerbLegsDTMF, Kind: KindCommandReply, New: func() any { return new(LegsDTMFReplyV1) }},
	{Type: TypeLegsRequestRequestV1, Name: VerbLegsRequest, Kind: KindCommandRequest, New: func() any { return new(LegsRequestRequestV1) }},
	{Type: TypeLegsRequestReplyV1, Name: VerbLegsRequest, Kind: KindCommandReply, New: func() any { return new(LegsRequestReplyV1) }},
	{Type: TypeLegsHangupRequestV1, Name: VerbLegsHangup, Kind: KindCommandRequest, New: func() any { return new(LegsHangupRequestV1) }},
	{Type: TypeLegsHangupReplyV1, Name: VerbLegsHangup, Kind: KindCommandReply, New: func() any { return new(LegsHangupReplyV1) }},
	{Type: TypeCallsClaimRequestV1, Name: VerbCallsClaim, Kind: KindCommandRequest, New: func() any { return new(CallsClaimRequestV1) }},
	{Type: TypeCallsClaimReplyV1, Name: VerbCallsClaim, Kind: KindCommandReply, New: func() any { return new(CallsClaimReplyV1) }},
	{Type: TypeCallsReleaseRequestV1, Name: VerbCallsRelease, Kind: KindCommandRequest, New: func() any { return new(CallsReleaseRequestV1) }},
	{Type: TypeCallsReleaseReplyV1, Name: VerbCallsRelease, Kind: KindCommandReply, New: func() any { return new(CallsReleaseReplyV1) }},
	{Type: TypeLegsOriginateRequestV1, Name: VerbLegsOriginate, Kind: KindCommandRequest, New: func() any { return new(LegsOriginateRequestV1) }},
	{Type: TypeLegsOriginateReplyV1, Name: VerbLegsOriginate, Kind: KindCommandReply, New: func() any { return new(LegsOriginateReplyV1) }},
	{Type: TypeLegsAnswerRequestV1, Name: VerbLegsAnswer, Kind: KindCommandRequest, New: func() any { return new(LegsAnswerRequestV1) }},
	{Type: TypeLegsAnswerReplyV1, Name: VerbLegsAnswer, Kind: KindCommandReply, New: func() any { return new(LegsAnswerReplyV1) }},
	{Type: TypeLegsRejectRequestV1, Name: VerbLegsReject, Kind: KindCommandRequest, New: func() any { return new(LegsRejectRequestV1) }},
	{Type: TypeLegsRejectReplyV1, Name: VerbLegsReject, Kind: KindCommandReply, New: func() any { return new(LegsRejectReplyV1) }},
	{Type: TypeLegsRedirectRequestV1, Name: VerbLegsRedirect, Kind: KindCommandRequest, New: func() any { return new(LegsRedirectRequestV1) }},
	{Type: TypeLegsRedirectReplyV1, Name: VerbLegsRedirect, Kind: KindCommandReply, New: func() any { return new(LegsRedirectReplyV1) }},
	{Type: TypeLegsBridgeRequestV1, Name: VerbLegsBridge, Kind: KindCommandRequest, New: func() any { return new(LegsBridgeRequestV1) }},
	{Type: TypeLegsBridgeReplyV1, Name: VerbLegsBridge, Kind: KindCommandReply, New: func() any { return new(LegsBridgeReplyV1) }},
	{Type: TypeLegsUnbridgeRequestV1, Name: VerbLegsUnbridge, Kind: KindCommandRequest, New: func() any { return new(LegsUnbridgeRequestV1) }},
	{Type: TypeLegsUnbridgeReplyV1, Name: VerbLegsUnbridge, Kind: KindCommandReply, New: func() any { return new(LegsUnbridgeReplyV1) }},
	{Type: TypeTransfersBlindRequestV1, Name: VerbTransfersBlind, Kind: KindCommandRequest, New: func() any { return new(TransfersBlindRequestV1) }},
	{Type: TypeTransfersBlindReplyV1, Name: VerbTransfersBlind, Kind: KindCommandReply, New: func() any { return new(TransfersBlindReplyV1) }},
	{Type: TypeTransfersAttendedRequestV1, Name: VerbTransfersAttended, Kind: KindCommandRequest, New: func() any { return new(TransfersAttendedRequestV1) }},
	{Type: TypeTransfersAttendedReplyV1, Name: VerbTransfersAttended, Kind: KindCommandReply, New: func() any { return new(TransfersAttendedReplyV1) }},
	{Type: TypeMixerCreateRequestV1, Name: VerbMixerCreate, Kind: KindCommandRequest, New: func() any { return new(MixerCreateRequestV1) }},
	{Type: TypeMixerCreateReplyV1, Name: VerbMixerCreate, Kind: KindCommandReply, New: func() any { return new(MixerCreateReplyV1) }},
	{Type: TypeMixerDestroyRequestV1, Name: VerbMixerDestroy, Kind: KindCommandRequest, New: func() any { return new(MixerDestroyRequestV1) }},
	{Type: TypeMixerDestroyReplyV1, Name: VerbMixerDestroy, Kind: KindCommandReply, New: func() any { return new(MixerDestroyReplyV1) }},
	{Type: TypeMixerJoinRequestV1, Name: VerbMixerJoin, Kind: KindCommandRequest, New: func() any { return new(MixerJoinRequestV1) }},
	{Type: TypeMixerJoinReplyV1, Name: VerbMixerJoin, Kind: KindCommandReply, New: func() any { return new(MixerJoinReplyV1) }},
	{Type: TypeMixerLeaveRequestV1, Name: VerbMixerLeave, Kind: KindCommandRequest, New: func() any { return new(MixerLeaveRequestV1) }},
	{Type: TypeMixerLeaveReplyV1, Name: VerbMixerLeave, Kind: KindCommandReply, New: func() any { return new(MixerLeaveReplyV1) }},
	{Type: TypeMixerSetRequestV1, Name: VerbMixerSet, Kind: KindCommandRequest, New: func() any { return new(MixerSetRequestV1) }},
	{Type: TypeMixerSetReplyV1, Name: VerbMixerSet, Kind: KindCommandReply, New: func() any { return new(MixerSetReplyV1) }},
	{Type: TypeMixerListRequestV1, Name: VerbMixerList, Kind: KindCommandRequest, New: func() any { return new(MixerListRequestV1) }},
	{Type: TypeMixerListReplyV1, Name: VerbMixerList, Kind: KindCommandReply, New: func() any { return new(MixerListReplyV1) }},
	{Type: TypeCallsOriginateRequestV1, Name: VerbCallsOriginate, Kind: KindCommandRequest, New: func() any { return new(CallsOriginateRequestV1) }},
	{Type: TypeCallsOriginateReplyV1, Name: VerbCallsOriginate, Kind: KindCommandReply, New: func() any { return new(CallsOriginateReplyV1) }},
	{Type: TypePhonesReferRequestV1, Name: VerbPhonesRefer, Kind: KindCommandRequest, New: func() any { return new(PhonesReferRequestV1) }},
	{Type: TypePhonesReferReplyV1, Name: VerbPhonesRefer, Kind: KindCommandReply, New: func() any { return new(PhonesReferReplyV1) }},
	{Type: TypeRegistrationsListRequestV1, Name: VerbRegistrationsList, Kind: KindCommandRequest, New: func() any { return new(RegistrationsListRequestV1) }},
	{Type: TypeRegistrationsListReplyV1, Name: VerbRegistrationsList, Kind: KindCommandReply, New: func() any { return new(RegistrationsListReplyV1) }},

	{Type: TypeRouteRequestV1, Name: "route", Kind: KindDecisionRequest, New: func() any { return new(RouteRequestV1) }},
	{Type: TypeRouteDecisionV1, Name: "route", Kind: KindDecisionAnswer, New: func() any { return new(RouteDecisionV1) }},
	{Type: TypeReferRequestV1, Name: "refer", Kind: KindDecisionRequest, New: func() any { return new(ReferRequestV1) }},
	{Type: TypeReferDecisionV1, Name: "refer", Kind: KindDecisionAnswer, New: func() any { return new(ReferDecisionV1) }},
	{Type: TypeSubscribeRequestV1, Name: "subscribe", Kind: KindDecisionRequest, New: func() any { return new(SubscribeRequestV1) }},
	{Type: TypeSubscribeDecisionV1, Name: "subscribe", Kind: KindDecisionAnswer, New: func() any { return new(SubscribeDecisionV1) }},
}

// Lookup returns the Spec of a type string.
func Lookup(typ string) (Spec, bool) {
	i := slices.IndexFunc(Registry, func(s Spec) bool { return s.Type == typ })
	if i < 0 {
		return Spec{}, false
	}
	return Registry[i], true
}

// ErrorCodes returns every defined ErrorCode in ascending order.
func ErrorCodes() []ErrorCode {
	codes := make([]ErrorCode, 0, len(errorNames))
	for c := range errorNames {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}
