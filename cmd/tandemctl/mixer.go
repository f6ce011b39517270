package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/tandem-sip/tandem/events"
)

// Mixer commands: mixer create, destroy, list, join, leave, set. Rooms are
// a node's own: with several nodes, the global --node says whose. Each
// sends the global --controller.

// Bounds the core enforces too; checked here to fail early with a usage
// error.
const (
	maxRoomID = 128
	minGainDB = -60
	maxGainDB = 20
)

// checkRoomID returns a usage error for a ROOM_ID the core would refuse.
func checkRoomID(cmd, id string) error {
	switch {
	case id == "":
		return usageErrorf("%s: ROOM_ID is empty", cmd)
	case len(id) > maxRoomID:
		return usageErrorf("%s: ROOM_ID is %d bytes, at most %d", cmd, len(id), maxRoomID)
	case strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return usageErrorf("%s: ROOM_ID %q contains a space or a control character", cmd, id)
	}
	return nil
}

// mixerCreate: tandemctl mixer create ROOM_ID [--record PATH].
func mixerCreate(a *app, args []string) error {
	fs := a.flagSet("mixer create")
	record := fs.String("record", "", "record the room's mix to this WAV `file` on the node (an absolute path)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("mixer create takes one ROOM_ID")
	}
	room := pos[0]
	if err := checkRoomID("mixer create", room); err != nil {
		return err
	}
	if *record != "" && (!filepath.IsAbs(*record) || strings.IndexByte(*record, 0) >= 0) {
		return usageErrorf("mixer create: --record %q is not an absolute path (the file is the node's)", *record)
	}
	var rep events.MixerCreateReplyV1
	raw, err := a.request("mixer create", events.VerbMixerCreate, events.MixerCreateRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), RoomID: room, RecordPath: *record,
	}, &rep, &rep.Reply)
	if *record != "" {
		return a.done(raw, err, "room %s: created, recording to %s", room, *record)
	}
	return a.done(raw, err, "room %s: created", room)
}

// mixerDestroy: tandemctl mixer destroy ROOM_ID.
func mixerDestroy(a *app, args []string) error {
	room, err := a.oneID("mixer destroy", "ROOM_ID", args)
	if err != nil {
		return err
	}
	if err := checkRoomID("mixer destroy", room); err != nil {
		return err
	}
	var rep events.MixerDestroyReplyV1
	raw, err := a.request("mixer destroy", events.VerbMixerDestroy, events.MixerDestroyRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), RoomID: room,
	}, &rep, &rep.Reply)
	return a.done(raw, err, "room %s: destroyed (its legs stay up, alone)", room)
}

// mixerList: tandemctl mixer list.
func mixerList(a *app, args []string) error {
	fs := a.flagSet("mixer list")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("mixer list takes no arguments, got %q", pos)
	}
	var rep events.MixerListReplyV1
	raw, err := a.request("mixer list", events.VerbMixerList,
		events.MixerListRequestV1{RequestID: a.requestID()}, &rep, &rep.Reply)
	if a.g.json {
		return a.printRaw(raw, err)
	}
	if err != nil {
		return err
	}
	return printRoomTable(a.stdout, rep.Rooms)
}

// printRoomTable prints rooms as a table, one participant a line; a room
// without any has one line of its own.
func printRoomTable(w io.Writer, rooms []events.MixerRoomV1) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROOM\tRECORDING\tLEG\tCALL\tCODEC\tMUTED\tDEAF\tTALKING")
	for _, r := range rooms {
		if len(r.Participants) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\t-\n", dash(r.RoomID), dash(r.Recording))
		}
		for _, p := range r.Participants {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", dash(r.RoomID), dash(r.Recording),
				dash(p.LegID), dash(p.CallID), dash(p.Codec), yesNo(p.Muted), yesNo(p.Deaf), yesNo(p.Talking))
		}
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// mixerJoin: tandemctl mixer join LEG_ID ROOM_ID [--muted] [--deaf].
func mixerJoin(a *app, args []string) error {
	fs := a.flagSet("mixer join")
	muted := fs.Bool("muted", false, "join muted: the others do not hear the leg")
	deaf := fs.Bool("deaf", false, "join deaf: the leg hears nothing")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] == "" {
		return usageErrorf("mixer join takes a LEG_ID and a ROOM_ID")
	}
	leg, room := pos[0], pos[1]
	if err := checkRoomID("mixer join", room); err != nil {
		return err
	}
	var rep events.MixerJoinReplyV1
	raw, err := a.request("mixer join", events.VerbMixerJoin, events.MixerJoinRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: leg, RoomID: room, Muted: *muted, Deaf: *deaf,
	}, &rep, &rep.Reply)
	how := ""
	switch {
	case *muted && *deaf:
		how = ", muted and deaf"
	case *muted:
		how = ", muted"
	case *deaf:
		how = ", deaf"
	}
	return a.done(raw, err, "leg %s: in room %s%s", leg, room, how)
}

// mixerLeave: tandemctl mixer leave LEG_ID.
func mixerLeave(a *app, args []string) error {
	leg, err := a.oneID("mixer leave", "LEG_ID", args)
	if err != nil {
		return err
	}
	var rep events.MixerLeaveReplyV1
	raw, err := a.request("mixer leave", events.VerbMixerLeave, events.MixerLeaveRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: leg,
	}, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: left its room (it stays up, alone)", leg)
}

// mixerSet: tandemctl mixer set LEG_ID [--mute|--unmute] [--deaf|--undeaf]
// [--gain-db N].
func mixerSet(a *app, args []string) error {
	fs := a.flagSet("mixer set")
	mute := fs.Bool("mute", false, "mute the leg: the others no longer hear it")
	unmute := fs.Bool("unmute", false, "unmute the leg")
	deaf := fs.Bool("deaf", false, "make the leg deaf: it hears nothing")
	undeaf := fs.Bool("undeaf", false, "let the leg hear the room again")
	gain := fs.Float64("gain-db", 0, "how loud the others hear the leg, in `dB` (-60 to 20; 0 is as sent)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] == "" {
		return usageErrorf("mixer set takes one LEG_ID")
	}
	leg := pos[0]
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	req := events.MixerSetRequestV1{RequestID: a.requestID(), Controller: a.controller(), LegID: leg}
	var what []string
	switch {
	case *mute && *unmute:
		return usageErrorf("mixer set: --mute and --unmute together")
	case *mute || *unmute:
		req.Muted = mute
		what = append(what, map[bool]string{true: "muted", false: "unmuted"}[*mute])
	}
	switch {
	case *deaf && *undeaf:
		return usageErrorf("mixer set: --deaf and --undeaf together")
	case *deaf || *undeaf:
		req.Deaf = deaf
		what = append(what, map[bool]string{true: "deaf", false: "hearing"}[*deaf])
	}
	if set["gain-db"] {
		if !(*gain >= minGainDB && *gain <= maxGainDB) { // NaN too
			return usageErrorf("mixer set: --gain-db %v not between %d and %d", *gain, minGainDB, maxGainDB)
		}
		req.GainDB = gain
		what = append(what, "gain "+strconv.FormatFloat(*gain, 'g', -1, 64)+" dB")
	}
	if len(what) == 0 {
		return usageErrorf("mixer set: nothing to set (--mute, --unmute, --deaf, --undeaf or --gain-db)")
	}
	var rep events.MixerSetReplyV1
	raw, err := a.request("mixer set", events.VerbMixerSet, req, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: %s", leg, strings.Join(what, ", "))
}
