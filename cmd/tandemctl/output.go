package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// printRaw is the --json output of a command: the reply as the server sent
// it, on one line, on stdout (errors included, which then also go to stderr
// through err).
func (a *app) printRaw(raw []byte, err error) error {
	if raw == nil {
		return err
	}
	var buf bytes.Buffer
	if cerr := json.Compact(&buf, raw); cerr != nil {
		buf.Reset()
		buf.Write(raw)
	}
	buf.WriteByte('\n')
	if _, werr := a.stdout.Write(buf.Bytes()); werr != nil && err == nil {
		err = werr
	}
	return err
}

// printCallTable prints calls as a table, one call a line.
func printCallTable(w io.Writer, calls []events.CallInfoV1) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CALL ID\tNODE\tSTATE\tCREATED\tCONNECTED\tA\tB")
	for _, c := range calls {
		a, b := remoteURI(c, events.SideA), remoteURI(c, events.SideB)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			dash(c.CallID), dash(c.Node), dash(c.State), dash(shortTime(c.CreatedAt)), dash(shortTime(c.ConnectedAt)), dash(a), dash(b))
	}
	return tw.Flush()
}

// remoteURI is the remote URI of the call's last leg on side.
func remoteURI(c events.CallInfoV1, side string) string {
	uri := ""
	for _, l := range c.Legs {
		if l.Side == side {
			uri = l.RemoteURI
		}
	}
	return uri
}

// printCall prints one call and its legs.
func printCall(w io.Writer, c events.CallInfoV1) error {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	fmt.Fprintf(tw, "call:\t%s\n", dash(c.CallID))
	fmt.Fprintf(tw, "node:\t%s\n", dash(c.Node))
	fmt.Fprintf(tw, "state:\t%s\n", dash(c.State))
	fmt.Fprintf(tw, "created:\t%s\n", dash(c.CreatedAt))
	fmt.Fprintf(tw, "connected:\t%s\n", dash(c.ConnectedAt))
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(c.Legs) == 0 {
		_, err := fmt.Fprintln(w, "\nno legs")
		return err
	}
	for _, l := range c.Legs {
		fmt.Fprintf(w, "\nleg %s (%s)\n", dash(strings.ToUpper(l.Side)), dash(l.LegID))
		tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
		fmt.Fprintf(tw, "  state:\t%s\n", dash(l.State))
		fmt.Fprintf(tw, "  remote uri:\t%s\n", dash(l.RemoteURI))
		fmt.Fprintf(tw, "  local uri:\t%s\n", dash(l.LocalURI))
		fmt.Fprintf(tw, "  contact:\t%s\n", dash(l.Contact))
		fmt.Fprintf(tw, "  sip call-id:\t%s\n", dash(l.SIPCallID))
		fmt.Fprintf(tw, "  local tag:\t%s\n", dash(l.LocalTag))
		fmt.Fprintf(tw, "  remote tag:\t%s\n", dash(l.RemoteTag))
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// shortTime trims an RFC 3339 time to the second; anything else is kept.
func shortTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.Format(time.RFC3339)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// envelopeKeys are the JSON keys of events.Envelope, which an event line
// shows in its fixed columns.
var envelopeKeys = map[string]bool{"type": true, "id": true, "time": true, "node": true, "call_id": true, "leg_id": true, "seq": true}

// eventLine is the human one-liner of an event named name:
//
//	2025-01-02T10:00:00.000Z node-1 call-7 #5 leg_ended leg=l2 side=b code=200 reason=bye
//
// The event's own fields follow as key=value in the order they were sent.
func eventLine(name string, env events.Envelope, data []byte) string {
	var b strings.Builder
	b.WriteString(env.Time.UTC().Format("2006-01-02T15:04:05.000Z"))
	fmt.Fprintf(&b, " %s %s #%d %s", dash(env.Node), dash(env.CallID), env.Seq, name)
	if env.LegID != "" {
		b.WriteString(" leg=" + value(env.LegID))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return b.String()
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			break
		}
		if envelopeKeys[key] {
			continue
		}
		var s string
		if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
			b.WriteString(" " + key + "=" + value(s))
			continue
		}
		var cb bytes.Buffer
		if json.Compact(&cb, raw) == nil {
			raw = cb.Bytes()
		}
		b.WriteString(" " + key + "=" + string(raw))
	}
	return b.String()
}

// value quotes s when it would not read as one token.
func value(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\r\n\"=\\") || !strconv.CanBackquote(s) {
		return strconv.Quote(s)
	}
	return s
}
