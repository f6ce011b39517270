package integration

import (
	"testing"

	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// Answer-Mode and Priv-Answer-Mode (RFC 5373) from a caller never reach
// the callee, even with them in headers.allow refused by config; a
// controller's originate may set them.
func TestAnswerModeStripped(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, harness.WithConfig(func(c *config.Config) {
		c.Headers.Allow = append(c.Headers.Allow, "Subject")
	}))
	c := a.Invite(target(n, "bob"), phone.WithHeader("Answer-Mode", "Auto"), phone.WithHeader("Priv-Answer-Mode", "Auto"),
		phone.WithHeader("Subject", "hello"))
	in := b.NextInvite(wait)
	if h := header(in.Req, "Answer-Mode") + header(in.Req, "Priv-Answer-Mode"); h != "" {
		t.Errorf("callee got answer-mode headers %q", h)
	}
	if s := header(in.Req, "Subject"); s != "hello" {
		t.Errorf("allowed header Subject %q", s)
	}
	in.Reject(486)
	c.Expect(486, wait)

	_, _, err := n.Server.Core().Originate(ctx10(t), events.LegsOriginateRequestV1{Target: b.URI("bob"),
		Headers: []events.HeaderV1{{Name: "Answer-Mode", Value: "Auto"}}})
	if err != nil {
		t.Fatal(err)
	}
	in = b.NextInvite(wait)
	if h := header(in.Req, "Answer-Mode"); h != "Auto" {
		t.Errorf("originated INVITE Answer-Mode %q, want Auto", h)
	}
	in.Reject(486)

	cfg := config.Defaults()
	cfg.Headers.Allow = []string{"Answer-Mode"}
	if err := cfg.Validate(); err == nil {
		t.Error("headers.allow with Answer-Mode validated")
	}
}
