package host

import (
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// hclogger is go-plugin's logger on top of the host's slog logger: the
// client's own messages and the lines a plugin process writes to stderr
// (JSON from the SDK, logged at their level) end up in the server's log.
// Trace is logged as debug.
type hclogger struct {
	log  *slog.Logger
	name string
	args []any
}

var _ hclog.Logger = (*hclogger)(nil)

func newHCLogger(log *slog.Logger) *hclogger { return &hclogger{log: log} }

func (l *hclogger) slogLevel(level hclog.Level) slog.Level {
	switch level {
	case hclog.Trace, hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	}
	return slog.LevelInfo
}

func (l *hclogger) Log(level hclog.Level, msg string, args ...any) {
	if level == hclog.Off {
		return
	}
	lv := l.slogLevel(level)
	ctx := context.Background()
	if !l.log.Enabled(ctx, lv) {
		return
	}
	attrs := make([]any, 0, len(l.args)+len(args)+2)
	if l.name != "" {
		attrs = append(attrs, "logger", l.name)
	}
	attrs = append(attrs, l.args...)
	attrs = append(attrs, args...)
	for i := 0; i+1 < len(attrs); i += 2 {
		// go-plugin's "plugin" is the executable; ours is the plugin's name.
		if attrs[i] == "plugin" {
			attrs[i] = "executable"
		}
	}
	l.log.Log(ctx, lv, msg, attrs...)
}

func (l *hclogger) Trace(msg string, args ...any) { l.Log(hclog.Trace, msg, args...) }
func (l *hclogger) Debug(msg string, args ...any) { l.Log(hclog.Debug, msg, args...) }
func (l *hclogger) Info(msg string, args ...any)  { l.Log(hclog.Info, msg, args...) }
func (l *hclogger) Warn(msg string, args ...any)  { l.Log(hclog.Warn, msg, args...) }
func (l *hclogger) Error(msg string, args ...any) { l.Log(hclog.Error, msg, args...) }

func (l *hclogger) enabled(level slog.Level) bool { return l.log.Enabled(context.Background(), level) }

func (l *hclogger) IsTrace() bool { return l.enabled(slog.LevelDebug) }
func (l *hclogger) IsDebug() bool { return l.enabled(slog.LevelDebug) }
func (l *hclogger) IsInfo() bool  { return l.enabled(slog.LevelInfo) }
func (l *hclogger) IsWarn() bool  { return l.enabled(slog.LevelWarn) }
func (l *hclogger) IsError() bool { return l.enabled(slog.LevelError) }

func (l *hclogger) ImpliedArgs() []any { return l.args }

func (l *hclogger) With(args ...any) hclog.Logger {
	return &hclogger{log: l.log, name: l.name, args: append(append([]any(nil), l.args...), args...)}
}

func (l *hclogger) Name() string { return l.name }

func (l *hclogger) Named(name string) hclog.Logger {
	n := name
	if l.name != "" {
		n = l.name + "." + name
	}
	return &hclogger{log: l.log, name: n, args: l.args}
}

func (l *hclogger) ResetNamed(name string) hclog.Logger {
	return &hclogger{log: l.log, name: name, args: l.args}
}

// SetLevel does nothing: the slog handler decides.
func (l *hclogger) SetLevel(hclog.Level) {}

// GetLevel is the lowest level the slog handler logs; go-plugin skips
// parsing plugin lines below it.
func (l *hclogger) GetLevel() hclog.Level {
	switch {
	case l.enabled(slog.LevelDebug):
		return hclog.Debug
	case l.enabled(slog.LevelInfo):
		return hclog.Info
	case l.enabled(slog.LevelWarn):
		return hclog.Warn
	case l.enabled(slog.LevelError):
		return hclog.Error
	}
	return hclog.Off
}

func (l *hclogger) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(l.StandardWriter(opts), "", 0)
}

func (l *hclogger) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return slogWriter{l}
}

// slogWriter logs each write as one info line.
type slogWriter struct{ l *hclogger }

func (w slogWriter) Write(p []byte) (int, error) {
	n := len(p)
	for n > 0 && (p[n-1] == '\n' || p[n-1] == '\r') {
		n--
	}
	w.l.Info(string(p[:n]))
	return len(p), nil
}
