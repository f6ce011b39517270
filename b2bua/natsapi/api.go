package natsapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-sip/tandem/events"
)

// ErrClosed is returned by Flush after Close.
var ErrClosed = errors.New("natsapi: closed")

// API is the core's connection to NATS: the event publisher, the decision
// client and the command server. Its methods are safe for concurrent use.
type API struct {
	cfg  Config
	node string
	log  *slog.Logger
	m    *metrics

	srv      *server.Server // nil with an external URL
	auth     auth           // the embedded server's; off with an external URL
	nc       *nats.Conn
	js       jetstream.JetStream
	closedCh chan struct{} // closed by the connection's ClosedHandler
	pub      *publisher

	answers *answers // the decision requests' inbox
	replies *replies
	cmdSem  chan struct{} // a slot per running command worker
	closing atomic.Bool   // set by Close; commands then answer ErrUnavailable

	workersMu   sync.Mutex     // guards workersDone and workers.Add
	workersDone bool           // set by Close before it waits for workers
	workers     sync.WaitGroup // the command workers

	closeOnce sync.Once
	closeErr  error
}

// Start starts the embedded NATS server (JetStream on cfg.Embedded.DataDir,
// listening on cfg.Embedded.Host:Port) when cfg.URL is empty, otherwise
// connects to cfg.URL. It creates or updates the events stream
// events.Stream and returns once all is ready. ctx bounds the start only.
// reg may be nil (no metrics registered). Zero Config fields take their
// Defaults.
func Start(ctx context.Context, cfg Config, node string, log *slog.Logger, reg prometheus.Registerer) (*API, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if node == "" {
		return nil, errors.New("natsapi: start: empty node name")
	}
	cfg = cfg.withDefaults()
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	a := &API{
		cfg:      cfg,
		node:     node,
		log:      log,
		m:        m,
		closedCh: make(chan struct{}),
		replies:  newReplies(cfg.IdempotencyTTL, cfg.IdempotencySize, time.Now),
		cmdSem:   make(chan struct{}, commandWorkers),
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultStartTimeout)
		defer cancel()
	}

	opts := []nats.Option{
		nats.Name("tandem-core " + node),
		nats.MaxReconnects(-1),
		nats.DrainTimeout(cfg.FlushTimeout),
		nats.ClosedHandler(func(*nats.Conn) { close(a.closedCh) }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("natsapi: disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("natsapi: reconnected", "url", redact(nc.ConnectedUrl()))
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subj := ""
			if sub != nil {
				subj = sub.Subject
			}
			log.Error("natsapi: async error", "subject", subj, "err", err)
		}),
	}
	url := cfg.URL
	if url == "" {
		if a.auth, err = newAuth(cfg.Embedded.Users); err != nil {
			return nil, err
		}
		a.srv, err = startEmbedded(ctx, cfg.Embedded, a.auth, log)
		if err != nil {
			return nil, err
		}
		url = a.srv.ClientURL()
		opts = append(opts, nats.InProcessServer(a.srv))
		if a.auth.on {
			opts = append(opts, nats.UserInfo(InternalUser, a.auth.password))
		}
	} else if cfg.CredentialsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.CredentialsFile))
	}
	if dl, ok := ctx.Deadline(); ok {
		opts = append(opts, nats.Timeout(time.Until(dl)))
	}
	a.nc, err = nats.Connect(url, opts...)
	if err != nil {
		a.stopServer()
		return nil, fmt.Errorf("natsapi: connect %s: %w", redact(url), err)
	}
	a.js, err = jetstream.New(a.nc,
		jetstream.WithPublishAsyncMaxPending(maxBatch),
		jetstream.WithPublishAsyncTimeout(cfg.PublishTimeout),
	)
	if err == nil {
		err = a.ensureStream(ctx)
	}
	if err == nil {
		a.answers, err = newAnswers(a.nc)
	}
	if err != nil {
		a.nc.Close()
		a.stopServer()
		return nil, err
	}
	a.pub = newPublisher(a.js, cfg.QueueSize, cfg.PublishTimeout, a.ensureStream, log, m)
	if a.srv != nil {
		log.Info("natsapi: embedded nats server ready", "url", url, "data_dir", cfg.Embedded.DataDir,
			"auth", a.auth.on, "users", len(cfg.Embedded.Users))
	} else {
		log.Info("natsapi: connected to nats", "url", redact(a.nc.ConnectedUrl()))
	}
	return a, nil
}

// dedupWindow is the stream's duplicate window: long enough to cover every
// retry of an event (the publisher re-sends after publishTimeout, with a
// back-off of at most retryMax between attempts), at least 10 s.
func dedupWindow(publishTimeout time.Duration) time.Duration {
	return max(10*time.Second, 4*(publishTimeout+retryMax))
}

// ensureStream creates or updates the events stream.
func (a *API) ensureStream(ctx context.Context) error {
	_, err := a.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        events.Stream,
		Description: "Tandem call events",
		Subjects:    []string{events.StreamSubjects},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      a.cfg.StreamMaxAge,
		MaxBytes:    a.cfg.StreamMaxBytes,
		// Duplicates are only ever our own retries, sent within the publish
		// timeout and its back-off; a short window keeps JetStream's index
		// of message ids (one per event) small.
		Duplicates: dedupWindow(a.cfg.PublishTimeout),
		Replicas:   a.cfg.StreamReplicas,
	})
	if err != nil {
		return fmt.Errorf("natsapi: stream %s: %w", events.Stream, err)
	}
	return nil
}

// Conn is the API's connection, for in-process plugins and tests. It is
// drained by Close.
func (a *API) Conn() *nats.Conn { return a.nc }

// ClientURL is the URL clients use to reach the server: the embedded
// server's listen address, or Config.URL.
func (a *API) ClientURL() string {
	if a.srv != nil {
		return a.srv.ClientURL()
	}
	return a.cfg.URL
}

// AuthRequired reports whether the embedded server requires
// authentication (Config.Embedded.Users is not empty).
func (a *API) AuthRequired() bool { return a.auth.on }

// InternalURL is ClientURL with the credentials of InternalUser when the
// embedded server requires authentication: full access, for in-process
// tools and tests. It carries a password; never log it.
func (a *API) InternalURL() string { return a.auth.withUser(a.ClientURL()) }

// Connect opens a new connection for an in-process client, e.g. a built-in
// plugin: in-process to the embedded server, or to Config.URL with
// Config.CredentialsFile. opts come after the API's own (a name, unlimited
// reconnects), so the caller's credentials and names win. The caller owns
// the connection.
func (a *API) Connect(opts ...nats.Option) (*nats.Conn, error) {
	base := []nats.Option{nats.MaxReconnects(-1)}
	url := a.cfg.URL
	if a.srv != nil {
		url = a.srv.ClientURL()
		base = append(base, nats.InProcessServer(a.srv))
	} else if a.cfg.CredentialsFile != "" {
		base = append(base, nats.UserCredentials(a.cfg.CredentialsFile))
	}
	nc, err := nats.Connect(url, append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("natsapi: connect: %w", err)
	}
	return nc, nil
}

// Publish queues ev for publishing on events.EventSubject(node, call id,
// ev.Name()) and returns at once; it never blocks. Events are published in
// the order Publish is called, with the envelope ID as Nats-Msg-Id so a
// repeated publish is deduplicated. Empty envelope Node, ID and Time are
// filled in (Node with the API's node). When the queue is full, or after
// Close, the event is dropped, counted and logged.
//
// ev must not be changed by the caller during the call; it may be after.
func (a *API) Publish(ev events.Event) { a.pub.publish(a.node, ev) }

// Flush waits until every event queued before it is acknowledged by
// JetStream (or refused for good, which is logged and counted), or ctx
// ends.
func (a *API) Flush(ctx context.Context) error { return a.pub.flush(ctx) }

// Close stops accepting events, waits up to Config.FlushTimeout for the
// queued ones to be published, drains the connection (command
// subscriptions included) and shuts the embedded server down. It waits for
// running commands. Calling it again returns the first result.
func (a *API) Close() error {
	a.closeOnce.Do(func() {
		a.closing.Store(true)
		ctx, cancel := context.WithTimeout(context.Background(), a.cfg.FlushTimeout)
		defer cancel()
		errs := []error{a.pub.close(ctx)}

		// Drain closes a reconnecting connection itself.
		if err := a.nc.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) && !errors.Is(err, nats.ErrConnectionReconnecting) {
			errs = append(errs, fmt.Errorf("natsapi: drain: %w", err))
			a.nc.Close()
		}
		select {
		case <-a.closedCh:
		case <-time.After(a.cfg.FlushTimeout + time.Second): // Drain's own timeout closes it first
			a.nc.Close()
		}
		a.workersMu.Lock()
		a.workersDone = true
		a.workersMu.Unlock()
		a.workers.Wait()
		a.stopServer()
		a.closeErr = errors.Join(errs...)
		a.log.Info("natsapi: closed")
	})
	return a.closeErr
}

func (a *API) stopServer() {
	if a.srv == nil {
		return
	}
	a.srv.Shutdown()
	a.srv.WaitForShutdown()
}

// redact hides passwords and tokens in a comma-separated list of URLs.
func redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil {
			parts[i] = "<unparsable url>"
			continue
		}
		if u.User != nil {
			if _, ok := u.User.Password(); ok {
				parts[i] = u.Redacted()
			} else {
				u.User = url.User("xxxxx") // a lone user part is a token
				parts[i] = u.String()
			}
		}
	}
	return strings.Join(parts, ",")
}
