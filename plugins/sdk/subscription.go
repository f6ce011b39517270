package sdk

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
)

// Subscription is one event subscription or decision handler of a plugin.
// It ends when the plugin stops, or earlier with Stop.
type Subscription struct {
	c      *Client
	sub    *nats.Subscription
	closed <-chan nats.SubStatus
}

// subscribe subscribes (in queue group queue when not "") and tracks the
// subscription for stop.
func (c *Client) subscribe(subject, queue string, handler nats.MsgHandler) (*Subscription, error) {
	if c.failure() != nil {
		return nil, ErrStopped
	}
	var (
		sub *nats.Subscription
		err error
	)
	if queue == "" {
		sub, err = c.nc.Subscribe(subject, handler)
	} else {
		sub, err = c.nc.QueueSubscribe(subject, queue, handler)
	}
	if err != nil {
		return nil, fmt.Errorf("sdk: subscribe %s: %w", subject, err)
	}
	s := &Subscription{c: c, sub: sub, closed: sub.StatusChanged(nats.SubscriptionClosed)}
	if !c.track(s) {
		_ = sub.Unsubscribe()
		return nil, ErrStopped
	}
	return s, nil
}

// Subject is the subject subscribed to.
func (s *Subscription) Subject() string { return s.sub.Subject }

// Stop drains the subscription (messages already received are still
// handled) and waits until it is gone or ctx ends.
func (s *Subscription) Stop(ctx context.Context) error {
	s.c.untrack(s)
	if err := s.startDrain(); err != nil {
		return err
	}
	return s.wait(ctx)
}

// startDrain begins draining; a subscription whose connection is gone is
// already over.
func (s *Subscription) startDrain() error {
	err := s.sub.Drain()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrBadSubscription):
		return nil
	}
	return fmt.Errorf("sdk: drain %s: %w", s.sub.Subject, err)
}

// wait waits for the drained subscription to close.
func (s *Subscription) wait(ctx context.Context) error {
	if !s.sub.IsValid() {
		return nil
	}
	select {
	case <-s.closed:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sdk: drain %s: %w", s.sub.Subject, ctx.Err())
	}
}
