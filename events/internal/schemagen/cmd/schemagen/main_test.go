package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/events/internal/schemagen"
)

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "schema")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(out, "tandem.call.v0.gone.json")
	keep := filepath.Join(out, "README")
	for _, p := range []string{stale, keep} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // the second run finds everything up to date
		if err := run(out, "../../../.."); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale schema not removed: %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("non-JSON file removed: %v", err)
	}
	for _, s := range events.Registry {
		if _, err := os.Stat(filepath.Join(out, schemagen.FileName(s.Type))); err != nil {
			t.Error(err)
		}
	}
}
