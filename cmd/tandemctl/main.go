package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// Exit codes.
const (
	exitOK      = 0
	exitCommand = 1 // the command failed: a typed error in the reply, or anything else
	exitUsage   = 2 // bad command line
	exitConnect = 3 // cannot connect to NATS, nobody answers, or no reply in time
)

const (
	defaultURL     = "nats://127.0.0.1:4222"
	defaultTimeout = 5 * time.Second
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// command is one tandemctl command, e.g. "calls list".
type command struct {
	path    string // the words that name it
	args    string // its positional arguments, for usage
	summary string
	run     func(a *app, args []string) error
}

// commands lists every command in the order usage shows them.
//
// Commands still to come go here, a function and one line each, once the
// core serves their verbs; until then their names can be reserved, and
// answer with a usage error that says so.
//
// It is filled in init: the commands' usage refers back to it.
var commands []command

func init() {
	commands = []command{
		{"calls list", "", "list the calls of a node", callsList},
		{"calls show", "CALL_ID", "show one call with its legs", callsShow},
		{"calls hangup", "CALL_ID", "end a call", callsHangup},
		{"calls claim", "CALL_ID", "become the call's controller (--controller NAME, --ttl D); claim again to renew", callsClaim},
		{"calls release", "CALL_ID", "give up the claim of --controller NAME", callsRelease},
		{"calls originate", "A B", "call A, then B, and connect them (RFC 3725; --flow 1|4, --from URI)", callsOriginate},
		{"phones refer", "PHONE TARGET", "click-to-dial: ask a registered phone (AOR or GRUU) to call TARGET by REFER (--no-subscription; --fallback originate: call both if it cannot)", phonesRefer},
		{"registrations list", "[AOR]", "list the registrar's live bindings of AOR, or of every AOR", registrationsList},
		{"legs hold", "LEG_ID", "put a leg on hold (sendonly re-INVITE)", legsHold},
		{"legs resume", "LEG_ID", "take a leg off hold (sendrecv re-INVITE)", legsResume},
		{"legs dtmf", "LEG_ID DIGITS", "send DTMF digits to a leg (--method info|rfc4733)", legsDTMF},
		{"legs request", "LEG_ID METHOD", "send an in-dialog request (NOTIFY, INFO, OPTIONS...) and print the answer", legsRequest},
		{"legs hangup", "LEG_ID", "end one leg", legsHangup},
		{"legs originate", "TARGET", "call TARGET (a sip: URI) in a new leg, of a new call or --call ID; --bridge-to LEG joins it on answer", legsOriginate},
		{"legs answer", "LEG_ID", "answer a waiting (parked) leg with 200 (--sdp-file F, else media inactive)", legsAnswer},
		{"legs reject", "LEG_ID", "refuse a waiting leg (--code 400-699, default 486)", legsReject},
		{"legs redirect", "LEG_ID TARGET...", "answer a waiting leg with a 3xx listing the TARGETs (--code, default 302)", legsRedirect},
		{"legs bridge", "LEG_ID OTHER_LEG_ID", "bridge two answered legs so their parties talk (re-INVITEs, RFC 3725)", legsBridge},
		{"legs unbridge", "LEG_ID", "separate a leg from its peer; both stay up, media inactive", legsUnbridge},
		{"transfers blind", "LEG_ID TARGET", "transfer LEG_ID's party to TARGET (a sip: URI); its peer ends (--refer: by REFER to the party; --target-dialog)", transfersBlind},
		{"transfers attended", "LEG_ID OTHER_LEG_ID", "join the peers of two legs (a party's two calls); both legs end (--refer: by REFER with Replaces; --target-dialog)", transfersAttended},
		{"mixer create", "ROOM_ID", "make a mixing room on the node (--record FILE: record its mix as WAV)", mixerCreate},
		{"mixer destroy", "ROOM_ID", "end a room; its legs stay up, alone", mixerDestroy},
		{"mixer list", "", "list the node's rooms and the legs in them", mixerList},
		{"mixer join", "LEG_ID ROOM_ID", "put a parked or answered leg in a room (--muted, --deaf)", mixerJoin},
		{"mixer leave", "LEG_ID", "take a leg out of its room; it stays up, alone", mixerLeave},
		{"mixer set", "LEG_ID", "change how a leg is mixed (--mute|--unmute, --deaf|--undeaf, --gain-db N)", mixerSet},
		{"events watch", "", "print events as they happen (or from the stream's start)", eventsWatch},
		{"version", "", "print tandemctl's version", version},
	}
}

// reserved are commands the NATS API does not offer yet (none now).
var reserved []string

// moved names the command to use instead of a plausible wrong one.
var moved = map[string]string{
	"calls hold": "legs hold LEG_ID", "calls resume": "legs resume LEG_ID", "calls dtmf": "legs dtmf LEG_ID DIGITS",
	"calls bridge":   "legs bridge LEG_ID OTHER_LEG_ID",
	"calls unbridge": "legs unbridge LEG_ID", "calls answer": "legs answer LEG_ID",
	"calls reject": "legs reject LEG_ID", "calls redirect": "legs redirect LEG_ID TARGET...",
	"calls transfer": "transfers blind LEG_ID TARGET or transfers attended LEG_ID OTHER_LEG_ID",
}

// globals are the flags every command takes, before or after its name.
type globals struct {
	url        string
	creds      string
	user       string
	password   string
	node       string
	json       bool
	timeout    time.Duration
	requestID  string
	controller string
}

// register adds the global flags to fs, bound to g; values already parsed
// (before the command's name) are kept.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.url, "nats", g.url, "NATS server `URL`s, comma-separated (default $TANDEM_NATS_URL or "+defaultURL+")")
	fs.StringVar(&g.creds, "creds", g.creds, "NATS credentials `file` (default $TANDEM_NATS_CREDENTIALS_FILE)")
	fs.StringVar(&g.user, "user", g.user, "NATS `user` (default $TANDEM_NATS_USER)")
	fs.StringVar(&g.password, "password", g.password, "NATS `password` (default $TANDEM_NATS_PASSWORD, which keeps it out of ps)")
	fs.StringVar(&g.node, "node", g.node, "send commands to this `node` only (tandem.v1.cmd.<node>.<verb>); watch only its events")
	fs.BoolVar(&g.json, "json", g.json, "machine output: replies and events as JSON, one per line")
	fs.DurationVar(&g.timeout, "timeout", g.timeout, "how long to wait for the connection and for each reply (a `duration`)")
	fs.StringVar(&g.requestID, "request-id", g.requestID, "the command's request_id: repeat an `id` to retry idempotently (default a fresh one)")
	fs.StringVar(&g.controller, "controller", g.controller, "act as this controller (`name`) on claimed calls; calls claim and release need one (default $TANDEM_CONTROLLER)")
	// Help shows the built-in defaults, never a value given earlier on the
	// command line (a password, say).
	fs.VisitAll(func(f *flag.Flag) {
		switch f.Name {
		case "json":
			f.DefValue = "false"
		case "timeout":
			f.DefValue = defaultTimeout.String()
		case "nats", "creds", "user", "password", "node", "request-id", "controller":
			f.DefValue = ""
		}
	})
}

// app is one invocation.
type app struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	g      globals
}

// run runs tandemctl with args (without the program name) and returns the
// exit code. ctx ends a watch (and any wait).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{ctx: ctx, stdout: stdout, stderr: stderr, getenv: getenv, g: globals{timeout: defaultTimeout}}
	fs := flag.NewFlagSet("tandemctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	a.g.register(fs)
	fs.Usage = func() { a.usage(fs) }
	if err := fs.Parse(args); err != nil {
		return a.exit(&usageError{printed: true, help: errors.Is(err, flag.ErrHelp)})
	}
	rest := fs.Args()
	if len(rest) == 0 {
		a.usage(fs)
		return exitUsage
	}
	if rest[0] == "help" {
		if len(rest) == 1 {
			a.usage(fs)
			return exitOK
		}
		// "help calls show" is "calls show -h".
		rest = append(rest[1:], "-h")
	}
	cmd, n := findCommand(rest)
	if cmd == nil {
		return a.exit(a.unknownCommand(rest))
	}
	return a.exit(cmd.run(a, rest[n:]))
}

// findCommand returns the command named by the first words of args and how
// many words name it.
func findCommand(args []string) (*command, int) {
	for i := range commands {
		words := strings.Fields(commands[i].path)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return &commands[i], len(words)
		}
	}
	return nil, 0
}

func (a *app) unknownCommand(args []string) error {
	if len(args) >= 2 && slices.Contains(reserved, args[0]+" "+args[1]) {
		return usageErrorf("%s %s: the core does not offer this command yet", args[0], args[1])
	}
	if len(args) >= 2 && moved[args[0]+" "+args[1]] != "" {
		return usageErrorf("unknown command %q: use %s", args[0]+" "+args[1], moved[args[0]+" "+args[1]])
	}
	var group []string
	for _, c := range commands {
		if strings.HasPrefix(c.path, args[0]+" ") {
			group = append(group, c.path)
		}
	}
	if len(group) > 0 {
		if len(args) == 1 {
			return usageErrorf("%s: which one? %s", args[0], strings.Join(group, ", "))
		}
		return usageErrorf("unknown command %q (try %s)", args[0]+" "+args[1], strings.Join(group, ", "))
	}
	return usageErrorf("unknown command %q (try tandemctl help)", args[0])
}

// usage prints the top-level help.
func (a *app) usage(fs *flag.FlagSet) {
	w := a.stderr
	fmt.Fprintf(w, "tandemctl: operator CLI of Tandem over NATS (API %s)\n\n", events.Prefix)
	fmt.Fprintf(w, "usage: tandemctl [global flags] COMMAND [flags] [args]\n\ncommands:\n")
	width := 0
	for _, c := range commands {
		width = max(width, len(c.path)+1+len(c.args))
	}
	for _, c := range commands {
		name := c.path
		if c.args != "" {
			name += " " + c.args
		}
		fmt.Fprintf(w, "  %-*s %s\n", width, name, c.summary)
	}
	fmt.Fprintf(w, "\nglobal flags (also accepted after COMMAND):\n")
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nexit codes: 0 ok, 1 command error, 2 usage error, 3 cannot connect or no reply in time\n")
}

// flagSet returns the flag set of cmd with the global flags.
func (a *app) flagSet(path string) *flag.FlagSet {
	fs := flag.NewFlagSet("tandemctl "+path, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	a.g.register(fs)
	fs.Usage = func() {
		cmd, _ := findCommand(strings.Fields(path))
		fmt.Fprintf(a.stderr, "usage: tandemctl %s [flags]", path)
		if cmd != nil && cmd.args != "" {
			fmt.Fprintf(a.stderr, " %s", cmd.args)
		}
		fmt.Fprintln(a.stderr)
		if cmd != nil {
			fmt.Fprintf(a.stderr, "\n%s\n", cmd.summary)
		}
		fmt.Fprintf(a.stderr, "\nflags (the global flags included):\n")
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args into fs, flags and positional arguments in any order
// ("--" ends the flags), and returns the positional ones.
func (a *app) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, &usageError{printed: true, help: errors.Is(err, flag.ErrHelp)}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if a.g.timeout <= 0 {
		return nil, usageErrorf("--timeout must be positive")
	}
	return pos, nil
}

// requestID is --request-id or a fresh id.
func (a *app) requestID() string {
	if a.g.requestID != "" {
		return a.g.requestID
	}
	return "tandemctl-" + rand.Text()
}

// usageError is a bad command line (exit 2).
type usageError struct {
	msg     string
	printed bool // the flag package has said it already
	help    bool // -h: not an error
}

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// connectError is a failure to reach NATS or a node (exit 3).
type connectError struct{ msg string }

func (e *connectError) Error() string { return e.msg }

// commandError is a typed error in a command's reply (exit 1).
type commandError struct {
	cmd string
	e   *events.Error
}

func (e *commandError) Error() string {
	return fmt.Sprintf("%s: %s (code %d): %s", e.cmd, e.e.Name, int(e.e.Code), e.e.Message)
}

// exit prints err and returns its exit code.
func (a *app) exit(err error) int {
	var (
		ue *usageError
		ce *connectError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		if ue.help {
			return exitOK
		}
		if !ue.printed {
			fmt.Fprintf(a.stderr, "tandemctl: %s\n", ue.msg)
		}
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintf(a.stderr, "tandemctl: %s\n", ce.msg)
		return exitConnect
	default:
		fmt.Fprintf(a.stderr, "tandemctl: %s\n", err)
		return exitCommand
	}
}
