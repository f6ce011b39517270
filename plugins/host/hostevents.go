package host

import (
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/tandem-sip/tandem/events"
)

// info is what every event of s's plugin says about it.
func (s *supervisor) info(inst instance, restarts uint64) events.PluginInfoV1 {
	return events.PluginInfoV1{Plugin: s.cfg.Name, Kind: string(s.cfg.Kind), PID: inst.pid(), Restarts: restarts}
}

// publishEvent fills in ev's envelope (its Type already set) and publishes
// it on events.PluginEventSubject, with the envelope id as Nats-Msg-Id. It
// runs on s's run loop (which owns s.seq) and never blocks; a failure is
// only logged.
func (h *Host) publishEvent(s *supervisor, ev events.Event) {
	if h.nats.Conn == nil {
		return
	}
	env := ev.Env()
	env.ID = nuid.Next()
	env.Time = time.Now().UTC()
	env.Node = h.node
	env.Seq = s.nextSeq()
	data, err := json.Marshal(ev)
	if err != nil {
		s.log.Error("host: encode event", "err", err)
		return
	}
	m := nats.NewMsg(events.PluginEventSubject(h.node, s.cfg.Name, ev.Name()))
	m.Header.Set(nats.MsgIdHdr, env.ID)
	m.Data = data
	if err := h.nats.Conn.PublishMsg(m); err != nil {
		s.log.Warn("host: publish event", "type", env.Type, "err", err)
	}
}
