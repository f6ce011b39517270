package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage: tandemctl"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"calls"}, "calls: which one? calls list, calls show, calls hangup"},
		{[]string{"calls", "delete"}, `unknown command "calls delete"`},
		{[]string{"calls", "show"}, "calls show takes one CALL_ID"},
		{[]string{"calls", "show", "a", "b"}, "calls show takes one CALL_ID"},
		{[]string{"calls", "list", "extra"}, "calls list takes no arguments"},
		{[]string{"calls", "list", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"--timeout", "soon", "calls", "list"}, "invalid value"},
		{[]string{"--timeout", "0s", "calls", "list"}, "--timeout must be positive"},
		{[]string{"calls", "hangup", "c1", "--cause", "200"}, "not a SIP failure code"},
		{[]string{"events", "watch", "--type", "leg_ended,bogus"}, `unknown event type "bogus"`},
		{[]string{"events", "watch", "--count", "-1"}, "--count must not be negative"},
		{[]string{"calls", "transfer", "l1", "sip:a@b"}, `unknown command "calls transfer": use transfers blind LEG_ID TARGET or transfers attended LEG_ID OTHER_LEG_ID`},
		{[]string{"calls", "originate", "sip:a@b"}, "calls originate takes two sip: or sips: URIs, A and B"},
	} {
		r := runCLI(t, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"calls", "hangup", "-h"}, {"help", "calls", "hangup"}} {
		r := runCLI(t, append([]string{"--password", "hunter2"}, args...)...)
		if r.code != exitOK || !strings.Contains(r.stderr, "usage: tandemctl") {
			t.Errorf("%q: exit %d stderr %q", args, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "hunter2") {
			t.Errorf("%q: help shows the password", args)
		}
	}
	r := runCLI(t, "--password", "hunter2", "calls", "hangup", "-h")
	if !strings.Contains(r.stderr, "-cause code") || !strings.Contains(r.stderr, "(default 5s)") || strings.Contains(r.stderr, "hunter2") {
		t.Errorf("calls hangup -h: %q", r.stderr)
	}
}

func TestVersion(t *testing.T) {
	r := runCLI(t, "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "tandemctl ") || !strings.Contains(r.stdout, "NATS API tandem.v1") {
		t.Errorf("exit %d stdout %q", r.code, r.stdout)
	}
	r = runCLI(t, "--json", "version")
	var v versionInfo
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v.API != "tandem.v1" || v.Version == "" || v.Go == "" {
		t.Errorf("--json: %q (%v)", r.stdout, err)
	}
}
