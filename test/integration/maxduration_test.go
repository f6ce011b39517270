package integration

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/test/harness"
)

// A connected call that outlives max_call_duration is ended by Tandem with
// BYE to both parties (the safety net for a lost BYE).
func TestMaxCallDuration(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, harness.WithConfig(func(c *config.Config) { c.MaxCallDuration = 300 * time.Millisecond }))
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	_, end := ended(t, n, id)
	if end.HungUpBy != "core" || end.Reason != "max call duration" || end.DurationMS < 300 {
		t.Errorf("ended %+v, want by core after max call duration", end)
	}
}
