package registrar

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// kvMaxAttempts bounds the compare-and-set retries of one Update.
const kvMaxAttempts = 16

// errNothingExpired aborts an expiry transaction that finds nothing to do.
var errNothingExpired = errors.New("registrar: nothing expired")

// KVStore keeps the bindings in a JetStream KV bucket, one key per AOR
// holding the AOR's Record as JSON. Updates are compare-and-set on the
// key's revision, so concurrent REGISTERs on any nodes are serialised per
// AOR and each applies atomically. A watcher keeps a copy of the whole
// bucket in memory: Get and Lookup are local and Watch reports every
// node's changes. The bucket is file-backed: bindings survive a restart of
// the server and of the node.
//
// Lock order: mu, then expiryIndex.mu or watchers.mu.
type KVStore struct {
	kv     jetstream.KeyValue
	log    *slog.Logger
	expiry *expiryIndex
	watch  watchers
	count  atomic.Int64

	mu    sync.RWMutex // guards cache
	cache map[string]kvEntry

	cancel context.CancelFunc
	done   chan struct{} // closed when the watcher goroutine returns
}

type kvEntry struct {
	rec Record
	rev uint64
}

// NewKVStore opens (creating it if needed) the bucket cfg.Bucket with
// cfg.Replicas copies on the connection nc (e.g. natsapi.API.Conn()), loads
// it and starts watching it. It returns once the copy is complete; ctx
// bounds that.
func NewKVStore(ctx context.Context, nc *nats.Conn, cfg Config, log *slog.Logger) (*KVStore, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("%w: jetstream: %w", ErrStore, err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      cfg.Bucket,
		Description: "Tandem registrar bindings, one key per address-of-record",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    max(cfg.Replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: bucket %s: %w", ErrStore, cfg.Bucket, err)
	}
	wctx, cancel := context.WithCancel(context.Background())
	w, err := kv.WatchAll(wctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("%w: watch %s: %w", ErrStore, cfg.Bucket, err)
	}
	s := &KVStore{
		kv:     kv,
		log:    log,
		expiry: newExpiryIndex(),
		cache:  make(map[string]kvEntry),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	// the initial values, up to the nil that marks their end
	for loaded := false; !loaded; {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				cancel()
				return nil, fmt.Errorf("%w: watch %s ended while loading", ErrStore, cfg.Bucket)
			}
			if e == nil {
				loaded = true
				break
			}
			s.applyEntry(e, false)
		case <-ctx.Done():
			_ = w.Stop()
			cancel()
			return nil, fmt.Errorf("%w: loading %s: %w", ErrStore, cfg.Bucket, ctx.Err())
		}
	}
	go s.run(w)
	log.Info("registrar: bindings loaded", "bucket", cfg.Bucket, "aors", s.aors(), "bindings", s.Len())
	return s, nil
}

// run applies the bucket's changes until Close.
func (s *KVStore) run(w jetstream.KeyWatcher) {
	defer close(s.done)
	defer func() { _ = w.Stop() }()
	for e := range w.Updates() {
		if e != nil {
			s.applyEntry(e, true)
		}
	}
}

// kvKey is the bucket key of an AOR: unpadded base64url, which KV keys
// accept whatever the AOR holds.
func kvKey(aor string) string { return base64.RawURLEncoding.EncodeToString([]byte(aor)) }

// applyEntry puts a bucket entry in the cache, if newer than what it has.
func (s *KVStore) applyEntry(e jetstream.KeyValueEntry, notify bool) {
	raw, err := base64.RawURLEncoding.DecodeString(e.Key())
	if err != nil {
		s.log.Warn("registrar: foreign key in the bindings bucket", "key", e.Key())
		return
	}
	aor := string(raw)
	rec := Record{AOR: aor}
	if e.Operation() == jetstream.KeyValuePut {
		if err := json.Unmarshal(e.Value(), &rec); err != nil {
			s.log.Warn("registrar: undecodable bindings ignored", "aor", aor, "error", err)
			return
		}
		rec.AOR = aor
	}
	rec.Version = e.Revision()
	s.apply(aor, rec, e.Revision(), notify)
}

// apply installs rec (at revision rev) in the cache unless the cache has a
// newer one, and reports the change.
func (s *KVStore) apply(aor string, rec Record, rev uint64, notify bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.cache[aor]
	if ok && old.rev >= rev {
		return
	}
	if !ok {
		old.rec = Record{AOR: aor}
	}
	if len(rec.Bindings) == 0 {
		delete(s.cache, aor)
	} else {
		s.cache[aor] = kvEntry{rec: rec, rev: rev}
	}
	s.count.Add(int64(len(rec.Bindings) - len(old.rec.Bindings)))
	t, has := rec.nextExpiry()
	s.expiry.set(aor, t, has)
	if notify {
		s.watch.notify(Change{AOR: aor, Old: old.rec, New: rec})
	}
}

// Get implements Store, from the local copy of the bucket.
func (s *KVStore) Get(_ context.Context, aor string) (Record, error) {
	s.mu.RLock()
	e, ok := s.cache[aor]
	s.mu.RUnlock()
	if !ok {
		return Record{AOR: aor}, nil
	}
	return e.rec, nil
}

// Update implements Store with compare-and-set on the AOR's key, reading
// the bucket itself (not the local copy), retrying on conflicts.
func (s *KVStore) Update(ctx context.Context, aor string, fn func(Record) (Record, error)) (Record, Record, error) {
	key := kvKey(aor)
	for range kvMaxAttempts {
		cur := Record{AOR: aor}
		var rev uint64
		e, err := s.kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return cur, cur, fmt.Errorf("%w: get %s: %w", ErrStore, aor, err)
		default:
			rev = e.Revision()
			if err := json.Unmarshal(e.Value(), &cur); err != nil {
				return cur, cur, fmt.Errorf("%w: decode %s: %w", ErrStore, aor, err)
			}
			cur.AOR, cur.Version = aor, rev
		}
		nr, err := fn(cur.clone())
		if err != nil {
			return cur, cur, err
		}
		nr.AOR = aor
		if rev == 0 && len(nr.Bindings) == 0 {
			return cur, nr, nil // nothing stored, nothing to store
		}
		data, err := json.Marshal(nr)
		if err != nil {
			return cur, cur, fmt.Errorf("%w: encode %s: %w", ErrStore, aor, err)
		}
		// an AOR without bindings keeps an empty record rather than a
		// delete marker: the same space, and a revision to order by
		var nrev uint64
		if rev == 0 {
			nrev, err = s.kv.Create(ctx, key, data)
		} else {
			nrev, err = s.kv.Update(ctx, key, data, rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue // someone else wrote first: again, on their result
		}
		if err != nil {
			return cur, cur, fmt.Errorf("%w: write %s: %w", ErrStore, aor, err)
		}
		nr.Version = nrev
		s.apply(aor, nr, nrev, true)
		return cur, nr, nil
	}
	return Record{AOR: aor}, Record{AOR: aor}, fmt.Errorf("%w: %s: %d conflicting writes", ErrStore, aor, kvMaxAttempts)
}

// Expire implements Store. Every node sweeps; compare-and-set makes sure
// exactly one reports each expiry.
func (s *KVStore) Expire(ctx context.Context, now time.Time) ([]Change, error) {
	var out []Change
	var errs []error
	for _, aor := range s.expiry.due(now) {
		old, nr, err := s.Update(ctx, aor, func(cur Record) (Record, error) {
			nr, gone := cur.withoutExpired(now)
			if gone == nil {
				return cur, errNothingExpired
			}
			nr.Cause = CauseExpire
			return nr, nil
		})
		switch {
		case errors.Is(err, errNothingExpired):
			// someone refreshed or expired it first: old is the bucket's
			// record, possibly newer than the watcher has delivered yet
			if old.Version > 0 {
				s.apply(aor, old, old.Version, true)
			}
			s.reindex(aor)
		case err != nil:
			errs = append(errs, err)
			s.reindex(aor) // try again at its next expiry, or the next sweep
		default:
			out = append(out, Change{AOR: aor, Old: old, New: nr})
		}
		if ctx.Err() != nil {
			break
		}
	}
	return out, errors.Join(errs...)
}

// reindex puts an AOR back in the expiry index from the cache.
func (s *KVStore) reindex(aor string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.cache[aor]
	if !ok {
		return
	}
	t, has := e.rec.nextExpiry()
	s.expiry.set(aor, t, has)
}

// NextExpiry implements Store.
func (s *KVStore) NextExpiry() (time.Time, bool) { return s.expiry.next() }

// Watch implements Store: local changes are reported by the goroutine that
// made them, other nodes' by the watcher's.
func (s *KVStore) Watch(fn func(Change)) func() { return s.watch.add(fn) }

// Len implements Store.
func (s *KVStore) Len() int { return int(s.count.Load()) }

func (s *KVStore) aors() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.cache)
}

// Close stops the watcher; the connection stays the caller's.
func (s *KVStore) Close() error {
	s.cancel()
	<-s.done
	return nil
}
