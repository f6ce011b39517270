package events

// Events of legs in the mixer (call events of the leg's call).
const (
	TypeMixerJoinedV1  = "tandem.mixer.v1.joined"
	TypeMixerLeftV1    = "tandem.mixer.v1.left"
	TypeMixerTalkingV1 = "tandem.mixer.v1.talking"
	TypeMixerDigitV1   = "tandem.mixer.v1.digit"
)

// MixerJoinedV1: the leg is in RoomID; Tandem terminates its media.
type MixerJoinedV1 struct {
	Envelope
	RoomID string `json:"room_id"`
	Codec  string `json:"codec"`
}

func (*MixerJoinedV1) Name() string { return "mixer_joined" }

// MixerLeftV1: the leg left RoomID (command, room ended, leg ended).
type MixerLeftV1 struct {
	Envelope
	RoomID string `json:"room_id"`
	Why    string `json:"why"` // "command", "room_ended", "leg_ended"
}

func (*MixerLeftV1) Name() string { return "mixer_left" }

// MixerTalkingV1: the participant started or stopped talking.
type MixerTalkingV1 struct {
	Envelope
	RoomID  string `json:"room_id"`
	Talking bool   `json:"talking"`
}

func (*MixerTalkingV1) Name() string { return "mixer_talking" }

// MixerDigitV1: the participant sent an RFC 4733 telephone-event digit.
type MixerDigitV1 struct {
	Envelope
	RoomID string `json:"room_id"`
	Digit  string `json:"digit"`
}

func (*MixerDigitV1) Name() string { return "mixer_digit" }
