package b2bua

import (
	"context"
	"errors"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/registrar"
	"github.com/tandem-sip/tandem/events"
)

// ListRegistrations returns the live bindings of aor, or, when aor is "",
// of every AOR of the location store, at most
// events.MaxRegistrationsList of them; truncated says some were left out.
// It is ErrConflict when the registrar is off, ErrBadRequest for an aor
// that is not a SIP URI, ErrUnavailable when the store fails.
func (c *Core) ListRegistrations(ctx context.Context, aor string) ([]events.RegistrationV1, bool, error) {
	if c.registrar == nil {
		return nil, false, events.NewError(events.ErrConflict, "node %s has no registrar", c.cfg.Node)
	}
	ls, truncated, err := c.registrar.List(ctx, aor, time.Now(), events.MaxRegistrationsList)
	switch {
	case errors.Is(err, registrar.ErrBadAOR):
		return nil, false, events.NewError(events.ErrBadRequest, "aor %q: not a SIP URI", aor)
	case err != nil:
		return nil, false, events.NewError(events.ErrUnavailable, "b2bua: list registrations: %v", err)
	}
	out := make([]events.RegistrationV1, 0, len(ls))
	for _, l := range ls {
		out = append(out, events.RegistrationV1{
			AOR:       l.AOR,
			Contact:   l.Binding.Contact,
			Instance:  l.Binding.Instance,
			RegID:     l.Binding.RegID,
			ExpiresAt: l.Binding.Expires.UTC().Format(time.RFC3339),
			GRUU:      l.PubGRUU,
			Source:    l.Binding.Source,
		})
	}
	return out, truncated, nil
}
