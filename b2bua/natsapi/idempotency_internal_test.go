package natsapi

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// clock is a manual time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestRepliesRemembersUntilTTL(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	r := newReplies(time.Minute, 10, c.now)
	ctx := context.Background()
	runs := 0
	fn := func() ([]byte, bool) { runs++; return fmt.Appendf(nil, "reply %d", runs), true }

	got, replayed, _ := r.do(ctx, "k", fn)
	if string(got) != "reply 1" || replayed {
		t.Fatalf("first = %q, %v", got, replayed)
	}
	c.t = c.t.Add(59 * time.Second)
	got, replayed, _ = r.do(ctx, "k", fn)
	if string(got) != "reply 1" || !replayed || runs != 1 {
		t.Fatalf("repeat = %q, %v after %d runs", got, replayed, runs)
	}
	c.t = c.t.Add(time.Second)
	got, replayed, _ = r.do(ctx, "k", fn)
	if string(got) != "reply 2" || replayed {
		t.Fatalf("after ttl = %q, %v", got, replayed)
	}
}

func TestRepliesBounded(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	r := newReplies(time.Hour, 3, c.now)
	ctx := context.Background()
	for i := range 5 {
		r.do(ctx, fmt.Sprint(i), func() ([]byte, bool) { return []byte{byte(i)}, true })
	}
	if n := r.len(); n != 3 {
		t.Fatalf("len = %d, want 3", n)
	}
	// The oldest (0, 1) are gone; 2 is remembered.
	_, replayed, _ := r.do(ctx, "0", func() ([]byte, bool) { return nil, true })
	if replayed {
		t.Error("evicted key 0 replayed")
	}
	got, replayed, _ := r.do(ctx, "4", func() ([]byte, bool) { return nil, true })
	if !replayed || len(got) != 1 || got[0] != 4 {
		t.Errorf("key 4 = %v, %v", got, replayed)
	}
}

func TestRepliesNotKept(t *testing.T) {
	r := newReplies(time.Hour, 10, time.Now)
	ctx := context.Background()
	runs := 0
	for range 2 {
		r.do(ctx, "k", func() ([]byte, bool) { runs++; return nil, false })
	}
	r.do(ctx, "", func() ([]byte, bool) { runs++; return nil, true })
	r.do(ctx, "", func() ([]byte, bool) { runs++; return nil, true })
	if runs != 4 || r.len() != 0 {
		t.Errorf("runs = %d, len = %d; want 4, 0", runs, r.len())
	}
}

func TestRepliesPanicFreesKey(t *testing.T) {
	r := newReplies(time.Hour, 10, time.Now)
	ctx := context.Background()
	func() {
		defer func() { _ = recover() }()
		r.do(ctx, "k", func() ([]byte, bool) { panic("core bug") })
	}()
	got, replayed, _ := r.do(ctx, "k", func() ([]byte, bool) { return []byte("ok"), true })
	if replayed || string(got) != "ok" {
		t.Errorf("after panic = %q, %v", got, replayed)
	}
}

// A repeat waiting for a running first request gives up with its ctx.
func TestRepliesWaitHonoursContext(t *testing.T) {
	r := newReplies(time.Hour, 10, time.Now)
	release := make(chan struct{})
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.do(context.Background(), "k", func() ([]byte, bool) { close(started); <-release; return []byte("first"), true })
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := r.do(ctx, "k", func() ([]byte, bool) { t.Error("ran twice"); return nil, true }); err == nil {
		t.Error("waiting repeat did not give up with its ctx")
	}
	close(release)
	<-done
	got, replayed, err := r.do(context.Background(), "k", func() ([]byte, bool) { t.Error("ran twice"); return nil, true })
	if err != nil || !replayed || string(got) != "first" {
		t.Errorf("after release = %q, %v, %v", got, replayed, err)
	}
}
