package plugins_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// wait bounds every wait; nothing waits for it to pass.
const wait = 10 * time.Second

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	buildOut  []byte
)

// TestMain removes the built plugin.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// prefixRouter builds plugins/examples/prefixrouter with go build, once,
// and returns its path and SHA-256.
func prefixRouter(t *testing.T) (path, sum string) {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "tandem-e2e-"); buildErr != nil {
			return
		}
		buildOut, buildErr = exec.Command("go", "build", "-o", filepath.Join(buildDir, "prefixrouter"),
			"github.com/tandem-sip/tandem/plugins/examples/prefixrouter").CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	path = filepath.Join(buildDir, "prefixrouter")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return path, hex.EncodeToString(s[:])
}

// call is a call placed from a phone and taken by another.
type call struct {
	*phone.Call
	in *phone.Incoming
	id string // Tandem's call id
}

// ring places a call from a to user at the node and waits until callee
// rings; the callee must be the phone the call is routed to.
func ring(t *testing.T, n *harness.Node, a, callee *phone.Phone, user string) *call {
	t.Helper()
	c := a.Invite("sip:" + user + "@" + n.SIPAddr)
	in := callee.NextInvite(wait)
	in.Ringing()
	c.Expect(180, wait)
	return &call{Call: c, in: in, id: callID(t, n, c.CallID())}
}

// answer answers a ringing call and acknowledges it.
func (c *call) answer(t *testing.T, callee *phone.Phone) {
	t.Helper()
	c.in.Answer(callee.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	c.in.ExpectRequest(sip.ACK, wait)
}

// hangup ends a connected call from the caller.
func (c *call) hangup(t *testing.T) {
	t.Helper()
	bye := c.Bye()
	c.in.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
}

// callID is Tandem's id of the call whose A leg has SIP Call-ID sipCallID.
func callID(t *testing.T, n *harness.Node, sipCallID string) string {
	t.Helper()
	return n.Events.Await(events.TypeLegCreatedV1, func(e harness.Event) bool {
		var lc events.LegCreatedV1
		return e.Decode(&lc) == nil && lc.Side == events.SideA && lc.SIPCallID == sipCallID
	}, wait).CallID
}

// routedBy returns who routed a call and where to.
func routedBy(t *testing.T, n *harness.Node, id string) events.CallRoutedV1 {
	t.Helper()
	var r events.CallRoutedV1
	e := n.Events.Await(events.TypeCallRoutedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if err := e.Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}
