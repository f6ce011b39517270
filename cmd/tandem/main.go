// Command tandem runs a Tandem node: a SIP back-to-back user agent with an
// embedded NATS server, health and metrics over HTTP.
//
//	tandem                      # embedded defaults: SIP 127.0.0.1:5060, HTTP 127.0.0.1:8080
//	tandem --config tandem.yaml # a YAML file; TANDEM_* environment variables override keys
//
// SIGTERM or SIGINT drains: new calls get 503, calls in progress continue
// until they end or drain_timeout passes, events are flushed, then it exits 0.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tandem-sip/tandem/cmd/tandem/server"
	"github.com/tandem-sip/tandem/config"
)

func main() {
	os.Exit(run())
}

func run() int {
	path := flag.String("config", "", "YAML configuration file (default: embedded defaults)")
	check := flag.Bool("check", false, "validate the configuration and exit")
	flag.Parse()
	cfg, err := config.Load(*path, os.Environ())
	if err != nil {
		fmt.Fprintln(os.Stderr, "tandem: bad configuration:")
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if *check {
		fmt.Println("tandem: configuration ok")
		return 0
	}
	log := cfg.Log.Logger(os.Stderr)
	applyRuntime(cfg.Runtime, os.Getenv, log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv, err := server.Start(ctx, cfg, log)
	if err != nil {
		log.Error("tandem: start failed", "error", err)
		return 1
	}
	<-ctx.Done()
	stop()
	log.Info("tandem: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.DrainTimeout+15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("tandem: shutdown", "error", err)
		return 1
	}
	return 0
}
