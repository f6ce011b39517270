package conference

import (
	"testing"
	"time"
)

func TestGrantLease(t *testing.T) {
	const def, max = 10 * time.Minute, time.Hour
	tests := []struct {
		asked, want time.Duration
		err         bool
	}{
		{0, def, false},
		{time.Second, time.Second, false},
		{max, max, false},
		{2 * max, max, false}, // REQ 3: the domain grants less
		{-time.Millisecond, 0, true},
	}
	for _, tt := range tests {
		got, err := grantLease(tt.asked, def, max)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("grantLease(%v) = %v, %v; want %v err=%v", tt.asked, got, err, tt.want, tt.err)
		}
	}
	now := time.Now()
	if !leaseLive(now, now.Add(time.Nanosecond)) || leaseLive(now, now) || leaseLive(now.Add(time.Second), now) {
		t.Error("leaseLive")
	}
}

// Tokens are random, URI-safe and as long as promised.
func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := newToken()
		if len(tok) != 16 || !validUser(tok) || seen[tok] {
			t.Fatalf("token %q", tok)
		}
		seen[tok] = true
	}
}
