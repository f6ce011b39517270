package conference

import (
	"context"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// create answers conference.create: a new ad-hoc room with a random URI
// leased for the granted TTL, its mixer room made on the node asked (the
// app's by default).
func (a *app) create(ctx context.Context, req CreateRequestV1) (CreateReplyV1, error) {
	r, ttl, err := a.newAdhoc(ctx, req)
	if err != nil {
		return CreateReplyV1{}, err
	}
	a.lock()
	defer a.unlock()
	return CreateReplyV1{Room: r.id(), URI: r.uri, ExpiresAt: r.expires.UTC(), TTLMS: ttl.Milliseconds()}, nil
}

// newAdhoc makes an ad-hoc room as req asks, its mixer room included,
// and returns it with the lease granted.
func (a *app) newAdhoc(ctx context.Context, req CreateRequestV1) (*room, time.Duration, error) {
	bad := func(format string, args ...any) error {
		return events.NewError(events.ErrBadRequest, "conference: "+format, args...)
	}
	domain := req.Domain
	if domain == "" {
		domain = a.set.domain
	}
	switch {
	case domain == "":
		return nil, 0, bad("domain missing: no domain in the request or the config for the room's URI")
	case !validHostPort(domain):
		return nil, 0, bad("domain %q is not a host or host:port", domain)
	case req.PIN != "" && !validPIN(req.PIN):
		return nil, 0, bad("pin must be 1 to %d digits", maxPINLen)
	case req.MaxParticipants < 0:
		return nil, 0, bad("max_participants %d: must be 0 (the default) or more", req.MaxParticipants)
	case req.Record && a.set.recordDir == "":
		return nil, 0, bad("record: the app has no record_dir")
	}
	ttl, err := grantLease(time.Duration(req.TTLMS)*time.Millisecond, a.set.adhoc.ttl, a.set.adhoc.maxTTL)
	if err != nil {
		return nil, 0, err
	}
	node := req.Node
	if node == "" {
		node = a.node
	}
	max := req.MaxParticipants
	if max == 0 {
		max = a.set.adhoc.max
	}

	a.lock()
	if a.adhocs >= a.set.adhoc.maxRooms {
		a.unlock()
		return nil, 0, events.NewError(events.ErrConflict, "conference: %d ad-hoc rooms already (adhoc.max_rooms)", a.adhocs)
	}
	user := a.set.adhoc.prefix + newToken()
	r := newRoom(roomSpec{user: user, pin: req.PIN, max: max, record: req.Record}, true, roomURI(user, domain))
	r.node = node
	r.expires = a.now().Add(ttl)
	r.lease = a.after(ttl, func() { a.spawn(func(ctx context.Context) { a.leaseExpired(ctx, r) }) })
	a.rooms[user] = r
	a.adhocs++
	a.unlock()

	if err := a.ensureMixer(ctx, r, node); err != nil {
		a.lock()
		if r.state != roomEnded {
			r.state = roomEnded
			r.lease.Stop()
			delete(a.rooms, user)
			a.adhocs--
		}
		a.unlock()
		return nil, 0, err
	}
	a.log.Info("conference: ad-hoc room leased", "room", user, "uri", r.uri, "ttl", ttl)
	return r, ttl, nil
}

// renew answers conference.renew: the lease runs for the granted TTL from
// now (REQ 4).
func (a *app) renew(_ context.Context, req RenewRequestV1) (RenewReplyV1, error) {
	ttl, err := grantLease(time.Duration(req.TTLMS)*time.Millisecond, a.set.adhoc.ttl, a.set.adhoc.maxTTL)
	if err != nil {
		return RenewReplyV1{}, err
	}
	a.lock()
	defer a.unlock()
	r, err := a.findRoom(req.Room)
	if err != nil {
		return RenewReplyV1{}, err
	}
	switch {
	case !r.adhoc:
		return RenewReplyV1{}, events.NewError(events.ErrConflict, "conference: %s is a static room: it has no lease", r.id())
	case r.state == roomEnded:
		return RenewReplyV1{}, events.NewError(events.ErrConflict, "conference: room %s has ended", r.id())
	}
	r.expires = a.now().Add(ttl)
	r.lease.Stop()
	r.lease = a.after(ttl, func() { a.spawn(func(ctx context.Context) { a.leaseExpired(ctx, r) }) })
	a.emit(r, TypeLeaseRenewedV1, "", &LeaseRenewedV1{Room: r.id(), ExpiresAt: r.expires.UTC()})
	return RenewReplyV1{ExpiresAt: r.expires.UTC(), TTLMS: ttl.Milliseconds()}, nil
}

// leaseExpired ends an ad-hoc room whose lease ran out (REQ 5), unless it
// was renewed meanwhile.
func (a *app) leaseExpired(ctx context.Context, r *room) {
	a.lock()
	live := r.state == roomEnded || leaseLive(a.now(), r.expires)
	a.unlock()
	if live {
		return
	}
	if err := a.endRoom(ctx, r, EndLeaseExpired); err != nil {
		a.log.Debug("conference: lease expired on an ended room", "room", r.id(), "err", err)
	}
}
