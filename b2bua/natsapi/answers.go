package natsapi

import (
	"fmt"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
)

// answers receives the answers to the API's decision requests on one
// wildcard inbox subscription, so that a request can take several answers
// (one per plugin) and keep the first valid one. Each request waits on a
// channel of its own, found by the last token of the reply subject.
type answers struct {
	prefix string // "<inbox>." ; a request's reply subject is prefix+token
	sub    *nats.Subscription

	mu      sync.Mutex // guards waiting
	waiting map[string]chan *nats.Msg
}

// answerBuffer is how many answers to one request are kept while the
// request looks at earlier ones; more are dropped (one per plugin is the
// norm).
const answerBuffer = 8

func newAnswers(nc *nats.Conn) (*answers, error) {
	a := &answers{prefix: nc.NewInbox() + ".", waiting: make(map[string]chan *nats.Msg)}
	sub, err := nc.Subscribe(a.prefix+"*", a.deliver)
	if err != nil {
		return nil, fmt.Errorf("natsapi: decision inbox: %w", err)
	}
	a.sub = sub
	return a, nil
}

// open registers a request: its reply subject, the channel its answers
// arrive on and the function that forgets it.
func (a *answers) open() (reply string, ch <-chan *nats.Msg, done func()) {
	token := nuid.Next()
	c := make(chan *nats.Msg, answerBuffer)
	a.mu.Lock()
	a.waiting[token] = c
	a.mu.Unlock()
	return a.prefix + token, c, func() {
		a.mu.Lock()
		delete(a.waiting, token)
		a.mu.Unlock()
	}
}

// deliver hands an answer to its request; answers to requests that gave up
// are dropped.
func (a *answers) deliver(m *nats.Msg) {
	token := m.Subject[strings.LastIndexByte(m.Subject, '.')+1:]
	a.mu.Lock()
	c := a.waiting[token]
	a.mu.Unlock()
	if c == nil {
		return
	}
	select {
	case c <- m:
	default:
	}
}

// noResponders reports whether m is the server's "no responders" status
// (nobody subscribes to the request's subject).
func noResponders(m *nats.Msg) bool {
	return len(m.Data) == 0 && m.Header.Get("Status") == "503"
}
