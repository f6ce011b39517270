package natsapi

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// defaultStartTimeout bounds the start when Start's ctx has no deadline.
const defaultStartTimeout = 10 * time.Second

// startEmbedded runs an in-process NATS server with JetStream on
// cfg.DataDir and returns once it accepts connections.
// With auth on, only its users can connect.
func startEmbedded(ctx context.Context, cfg EmbeddedConfig, au auth, log *slog.Logger) (*server.Server, error) {
	users, err := au.serverUsers(cfg.Users)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("natsapi: embedded server: data dir: %w", err)
	}
	opts := &server.Options{
		Host:      cfg.Host,
		Port:      cfg.Port,
		JetStream: true,
		StoreDir:  cfg.DataDir,
		NoSigs:    true, // the process owns signals, not the server
		Users:     users,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("natsapi: embedded server: %w", err)
	}
	srv.SetLoggerV2(serverLogger{log: log.With("component", "nats-server")}, false, false, false)
	srv.Start()

	wait := defaultStartTimeout
	if dl, ok := ctx.Deadline(); ok {
		wait = time.Until(dl)
	}
	if !srv.ReadyForConnections(wait) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("natsapi: embedded server: not ready within %s", wait)
	}
	if !srv.JetStreamEnabled() {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("natsapi: embedded server: jetstream did not start")
	}
	return srv, nil
}

// serverLogger adapts slog to the server's Logger. The server's notices
// (its start banner among them) go to debug; the API logs its own line when
// the server is ready.
type serverLogger struct{ log *slog.Logger }

func (l serverLogger) Noticef(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l serverLogger) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l serverLogger) Fatalf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLogger) Errorf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLogger) Debugf(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l serverLogger) Tracef(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }
