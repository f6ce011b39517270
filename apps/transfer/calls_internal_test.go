package transfer

import (
	"strconv"
	"testing"
)

func TestCallCounts(t *testing.T) {
	c := newCallCounts(3)
	c.add("a")
	c.add("a")
	c.add("b")
	if c.get("a") != 2 || c.get("b") != 1 || c.get("z") != 0 {
		t.Fatalf("counts a=%d b=%d z=%d", c.get("a"), c.get("b"), c.get("z"))
	}
	c.forget("a")
	c.forget("nobody")
	if c.get("a") != 0 || c.len() != 1 {
		t.Fatalf("after forget: a=%d len=%d", c.get("a"), c.len())
	}
	// beyond the bound the least recently counted call goes first
	c.add("c")
	c.add("d")
	c.add("b") // b is now the most recent
	c.add("e")
	if c.len() != 3 || c.get("c") != 0 || c.get("b") != 2 || c.get("d") != 1 || c.get("e") != 1 {
		t.Fatalf("after eviction: len=%d b=%d c=%d d=%d e=%d", c.len(), c.get("b"), c.get("c"), c.get("d"), c.get("e"))
	}
}

func TestCallCountsBounded(t *testing.T) {
	c := newCallCounts(0)
	if c.max != DefaultMaxCalls {
		t.Fatalf("default bound %d", c.max)
	}
	c = newCallCounts(100)
	for i := range 10_000 {
		c.add(strconv.Itoa(i))
	}
	if c.len() != 100 || len(c.byID) != 100 || c.get("9999") != 1 || c.get("0") != 0 {
		t.Errorf("len %d, map %d", c.len(), len(c.byID))
	}
}
