package dialogevent

import "testing"

func TestAcceptsDialogInfo(t *testing.T) {
	for _, tt := range []struct {
		accept string
		want   bool
	}{
		{"", true}, // no Accept: the package's default
		{"  ", true},
		{"application/dialog-info+xml", true},
		{"Application/Dialog-Info+XML", true},
		{"application/sdp, application/dialog-info+xml;q=0.5", true},
		{"application/*", true},
		{"*/*;q=0.1", true},
		{"application/dialog-info+xml;q=0", false},
		{"application/dialog-info+xml;q=0.0, */*;q=0", false},
		{"application/dialog-info+xml;q=x", false},
		{"application/dialog-info+xml;q=2", false},
		{"application/dialog-info+xml ; level=1 ; Q=1", true},
		{"application/pidf+xml", false},
		{"application/conference-info+xml, multipart/related", false},
		{"text/*", false},
		{",,,", false},
	} {
		if got := acceptsDialogInfo(tt.accept); got != tt.want {
			t.Errorf("acceptsDialogInfo(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}

// Whatever the Accept headers hold: no panic, and adding the package's
// own type always makes them acceptable.
func FuzzAcceptsDialogInfo(f *testing.F) {
	for _, s := range []string{"", "application/dialog-info+xml;q=0.5", "*/*;q=0", "a/b;q=;;=,", "application/*;q=NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		acceptsDialogInfo(s)
		if !acceptsDialogInfo(s + "," + ContentType) {
			t.Fatalf("%q with %s is not acceptable", s, ContentType)
		}
	})
}
