package b2bua

import (
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

func TestAskedExpiry(t *testing.T) {
	tests := []struct {
		name    string
		expires string // "" for no header
		want    time.Duration
		ok      bool
	}{
		{"no header: the default", "", plugSubDefault, true},
		{"zero: a fetch or unsubscribe", "0", 0, true},
		{"seconds", "600", 600 * time.Second, true},
		{"spaces", " 60 ", 60 * time.Second, true},
		{"above the cap is asked as is", "86400", 86400 * time.Second, true},
		{"negative", "-1", 0, false},
		{"not a number", "soon", 0, false},
		{"too large", "99999999999", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := sipx.NewRequest(sipx.SUBSCRIBE, sipx.Uri{Scheme: "sip", Host: "example.test"})
			if tt.expires != "" {
				req.AppendHeader(sipx.NewHeader("Expires", tt.expires))
			}
			got, ok := askedExpiry(req)
			if got != tt.want || ok != tt.ok {
				t.Errorf("askedExpiry(%q) = %v, %v; want %v, %v", tt.expires, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestEventHeader(t *testing.T) {
	tests := []struct {
		name     string
		hdr      string // header name, "" for none
		value    string
		wantPkg  string
		wantID   string
		wantFull string
	}{
		{"none", "", "", "", "", ""},
		{"package", "Event", "conference", "conference", "", "conference"},
		{"with id", "Event", "dialog;id=7", "dialog", "7", "dialog;id=7"},
		{"spaces and other params", "Event", " presence ; foo=bar ; ID = x1 ", "presence", "x1", "presence ; foo=bar ; ID = x1"},
		{"compact form", "o", "conference", "conference", "", "conference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := sipx.NewRequest(sipx.SUBSCRIBE, sipx.Uri{Scheme: "sip", Host: "example.test"})
			if tt.hdr != "" {
				req.AppendHeader(sipx.NewHeader(tt.hdr, tt.value))
			}
			ev := eventHeader(req)
			if ev != tt.wantFull || eventPackage(ev) != tt.wantPkg || eventID(ev) != tt.wantID {
				t.Errorf("event %q: package %q id %q; want %q, %q, %q", ev, eventPackage(ev), eventID(ev), tt.wantFull, tt.wantPkg, tt.wantID)
			}
		})
	}
}

func TestSameSubscription(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"conference", "conference", true},
		{"conference", "conference;foo=1", true},
		{"dialog;id=1", "dialog; id=1", true},
		{"dialog;id=1", "dialog;id=2", false},
		{"dialog;id=1", "dialog", false},
		{"conference", "dialog", false},
		{"conference", "", false},
	}
	for _, tt := range tests {
		if got := sameSubscription(tt.a, tt.b); got != tt.want {
			t.Errorf("sameSubscription(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestIsTerminated(t *testing.T) {
	tests := []struct {
		state string
		want  bool
	}{
		{"terminated", true},
		{"terminated;reason=timeout", true},
		{" Terminated ;reason=noresource", true},
		{"active;expires=60", false},
		{"pending", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isTerminated(tt.state); got != tt.want {
			t.Errorf("isTerminated(%q) = %v, want %v", tt.state, got, tt.want)
		}
	}
}

func TestPlugSubDefaultState(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name  string
		state plugSubState
		left  time.Duration
		want  string
	}{
		{"active", psActive, 90 * time.Second, "active;expires=90"},
		{"active, rounded", psActive, 89600 * time.Millisecond, "active;expires=90"},
		{"active, past its expiry", psActive, -time.Second, "active;expires=0"},
		{"closing", psClosing, 0, "terminated;reason=timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &plugSub{state: tt.state, expires: now.Add(tt.left)}
			if got := s.defaultState(now); got != tt.want {
				t.Errorf("defaultState = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWireCode(t *testing.T) {
	for in, want := range map[int]int{CodeTimeout: 408, 481: 481, 404: 404} {
		if got := wireCode(in); got != want {
			t.Errorf("wireCode(%d) = %d, want %d", in, got, want)
		}
	}
}
