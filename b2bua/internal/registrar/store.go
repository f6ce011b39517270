package registrar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
)

// Store is the location service: the bindings of every AOR. Implementations
// are safe for concurrent use. MemStore keeps them in this process;
// KVStore in a JetStream KV bucket shared by every node.
type Store interface {
	// Get returns the AOR's record (bindings possibly expired but not yet
	// swept; the registrar filters by time). A missing AOR is an empty
	// Record and no error.
	Get(ctx context.Context, aor string) (Record, error)
	// Update runs fn on the AOR's current record and stores what it
	// returns, atomically: if fn fails, or the store does, nothing
	// changes. fn may run more than once (optimistic concurrency), so it
	// must be a pure function of its argument. fn receives a copy it may
	// change. A result without bindings removes the AOR. Update returns
	// the record before and after.
	Update(ctx context.Context, aor string, fn func(Record) (Record, error)) (old, new Record, err error)
	// Expire removes every binding expired at now and returns one Change
	// per AOR it changed (Cause CauseExpire). With a shared store, exactly
	// one node's Expire reports a given expiry.
	Expire(ctx context.Context, now time.Time) ([]Change, error)
	// NextExpiry is the earliest expiry of any binding known to this node.
	NextExpiry() (time.Time, bool)
	// Watch calls fn after every change of any record, from this node or
	// (KVStore) another, in order per AOR, from one goroutine at a time.
	// fn must not block nor call Update. stop ends the watch.
	Watch(fn func(Change)) (stop func())
	// Len is the number of bindings known to this node.
	Len() int
	// Close stops the store's goroutines.
	Close() error
}

// Change is a change of one AOR's record.
type Change struct {
	AOR      string
	Old, New Record
}

// ErrStore wraps the failures of a store (as opposed to a refused REGISTER).
var ErrStore = errors.New("registrar: store")

// OpenStore opens the store Config.Store names: a MemStore, or a KVStore
// on nc (the core's NATS connection, natsapi.API.Conn(); required for
// "jetstream"). ctx bounds the loading of the bucket.
func OpenStore(ctx context.Context, cfg Config, nc *nats.Conn, log *slog.Logger) (Store, error) {
	switch cfg.Store {
	case StoreMemory, "":
		return NewMemStore(), nil
	case StoreJetStream:
		if nc == nil {
			return nil, fmt.Errorf("%w: store jetstream needs a NATS connection", ErrStore)
		}
		return NewKVStore(ctx, nc, cfg, log)
	}
	return nil, fmt.Errorf("%w: unknown store %q", ErrStore, cfg.Store)
}
