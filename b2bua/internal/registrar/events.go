package registrar

import (
	"time"

	"github.com/tandem-sip/tandem/events"
)

// bindingInfo is the wire form of a binding.
func bindingInfo(aor string, b Binding, version uint64, now time.Time) events.BindingInfoV1 {
	q := ""
	if b.Q != qNone {
		q = formatQ(b.Q)
	}
	return events.BindingInfoV1{
		AOR:           aor,
		Contact:       b.Contact,
		Instance:      b.Instance,
		RegID:         b.RegID,
		Q:             q,
		Expires:       int64(b.ExpiresIn(now)),
		SIPCallID:     b.CallID,
		CSeq:          b.CSeq,
		Source:        b.Source,
		Transport:     b.Transport,
		User:          b.User,
		RecordVersion: version,
	}
}

func envelope(typ string, now time.Time) events.Envelope {
	return events.Envelope{Type: typ, Time: now.UTC()}
}

// publishChanges publishes the events of a REGISTER's changes.
func (r *Registrar) publishChanges(chs []BindingChange, rec Record, now time.Time, star bool) []events.Event {
	out := make([]events.Event, 0, len(chs))
	for _, c := range chs {
		info := bindingInfo(rec.AOR, c.Binding, rec.Version, now)
		var ev events.Event
		switch c.Op {
		case OpAdded:
			ev = &events.BindingAddedV1{Envelope: envelope(events.TypeBindingAddedV1, now), Binding: info}
		case OpRefreshed:
			ev = &events.BindingRefreshedV1{Envelope: envelope(events.TypeBindingRefreshedV1, now), Binding: info}
		case OpRemoved:
			reason := "unregistered"
			if star {
				reason = "wildcard"
			}
			info.Expires = 0
			ev = &events.BindingRemovedV1{Envelope: envelope(events.TypeBindingRemovedV1, now), Binding: info, Reason: reason}
		case OpExpired:
			info.Expires = 0
			r.m.expired.Inc()
			ev = &events.BindingExpiredV1{Envelope: envelope(events.TypeBindingExpiredV1, now), Binding: info}
		}
		r.sink.Publish(ev)
		out = append(out, ev)
	}
	return out
}

// publishMinted publishes the GRUUs handed out for the bindings the
// REGISTER touched (not those of other instances listed in the 2xx): a
// temp-gruu every time, the pub-gruu when the binding is new.
func (r *Registrar) publishMinted(minted []mintedGRUU, intents []intent, chs []BindingChange) []events.Event {
	var out []events.Event
	for _, m := range minted {
		added := false
		for _, c := range chs {
			if c.Op == OpAdded && c.Binding.Key == m.key {
				added = true
			}
		}
		touched := false
		for _, it := range intents {
			if it.key == m.key {
				touched = true
				break
			}
		}
		if !touched {
			continue
		}
		b := m.binding
		now := b.Updated
		if added {
			r.m.minted.WithLabelValues("pub").Inc()
			ev := &events.GRUUMintedV1{Envelope: envelope(events.TypeGRUUMintedV1, now),
				AOR: m.aor, Instance: b.Instance, Kind: "pub", URI: m.pub}
			r.sink.Publish(ev)
			out = append(out, ev)
		}
		if m.temp != "" {
			r.m.minted.WithLabelValues("temp").Inc()
			ev := &events.GRUUMintedV1{Envelope: envelope(events.TypeGRUUMintedV1, now),
				AOR: m.aor, Instance: b.Instance, Kind: "temp", URI: m.temp, SIPCallID: b.CallID, FirstCSeq: b.FirstCSeq}
			r.sink.Publish(ev)
			out = append(out, ev)
		}
	}
	return out
}

// publishExpired publishes the expiries of a sweep.
func (r *Registrar) publishExpired(ch Change, now time.Time) {
	for _, b := range ch.Old.Bindings {
		if ch.New.find(b.Key) >= 0 {
			continue
		}
		info := bindingInfo(ch.AOR, b, ch.New.Version, now)
		info.Expires = 0
		r.m.expired.Inc()
		r.log.Debug("registrar: binding expired", "aor", ch.AOR, "contact", b.Contact)
		r.sink.Publish(&events.BindingExpiredV1{Envelope: envelope(events.TypeBindingExpiredV1, now), Binding: info})
	}
}
