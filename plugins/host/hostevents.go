package host

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/tandem-sip/tandem/events"
)

// The host's event types. They travel with the call events under
// events.EventPrefix, so the events stream keeps them, on
// PluginEventSubject.
const (
	TypePluginStartedV1   = "tandem.plugin.v1.started"   // a plugin is up for the first time
	TypePluginRestartedV1 = "tandem.plugin.v1.restarted" // a plugin is up again after a restart
	TypePluginDownV1      = "tandem.plugin.v1.down"      // a plugin that was up died or failed its health check
)

// Reasons a plugin went down (PluginEventV1.Reason).
const (
	ReasonExited    = "exited"    // the process ended, or the built-in failed
	ReasonUnhealthy = "unhealthy" // a health check failed or timed out
)

// PluginEventV1 is one of the host's events about a plugin. Its envelope
// has no call id; Seq counts the events of this host about this plugin.
type PluginEventV1 struct {
	events.Envelope
	Plugin string `json:"plugin"`
	Kind   Kind   `json:"kind"`
	// PID is the plugin's process id (process plugins).
	PID int `json:"pid,omitempty"`
	// Restarts counts the plugin's launches after its first.
	Restarts uint64 `json:"restarts"`
	// Reason and Error say why the plugin went down (down only).
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
	// Down is how long it was down, in milliseconds (restarted only).
	DownMS int64 `json:"down_ms,omitempty"`
}

// Name is the last token of the event's subject: started, restarted, down.
func (e *PluginEventV1) Name() string {
	return strings.TrimPrefix(e.Type, "tandem.plugin.v1.")
}

// PluginEventSubject is the subject of a plugin event:
// tandem.v1.evt.<node>.plugin.<plugin>.<name>.
func PluginEventSubject(node, plugin, name string) string {
	return events.EventPrefix + "." + node + ".plugin." + plugin + "." + name
}

// PluginEventsFilter matches every plugin event of every node.
const PluginEventsFilter = events.EventPrefix + ".*.plugin.>"

// publishEvent publishes ev (its envelope's Type set) on nc, with the
// envelope id as Nats-Msg-Id. It never blocks; a failure is only logged.
func (h *Host) publishEvent(s *supervisor, ev PluginEventV1) {
	if h.nats.Conn == nil {
		return
	}
	ev.ID = nuid.Next()
	ev.Time = time.Now().UTC()
	ev.Node = h.node
	ev.Seq = s.nextSeq()
	ev.Plugin, ev.Kind = s.cfg.Name, s.cfg.Kind
	data, err := json.Marshal(&ev)
	if err != nil {
		s.log.Error("host: encode event", "err", err)
		return
	}
	m := nats.NewMsg(PluginEventSubject(h.node, s.cfg.Name, ev.Name()))
	m.Header.Set(nats.MsgIdHdr, ev.ID)
	m.Data = data
	if err := h.nats.Conn.PublishMsg(m); err != nil {
		s.log.Warn("host: publish event", "type", ev.Type, "err", err)
	}
}
