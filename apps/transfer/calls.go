package transfer

import "container/list"

// DefaultMaxCalls bounds the calls whose transfer counts are remembered
// (max_transfers_per_call): beyond it the least recently transferred call
// is forgotten, should its call.ended event never have arrived.
const DefaultMaxCalls = 100_000

// callCounts counts the transfers accepted on each call. A call is
// forgotten when it ends (forget), or when more than max calls are
// remembered, the least recently counted first; memory stays bounded even
// if call.ended events are lost. It is not safe for concurrent use: its
// owner locks it.
type callCounts struct {
	max   int
	byID  map[string]*list.Element // of *callCount
	order *list.List               // most recently counted first
}

type callCount struct {
	callID string
	n      int
}

func newCallCounts(limit int) *callCounts {
	if limit <= 0 {
		limit = DefaultMaxCalls
	}
	return &callCounts{max: limit, byID: make(map[string]*list.Element), order: list.New()}
}

// get is the count of callID (0 for a call not remembered).
func (c *callCounts) get(callID string) int {
	if e, ok := c.byID[callID]; ok {
		return e.Value.(*callCount).n
	}
	return 0
}

// add counts one more transfer on callID and makes it the most recent.
func (c *callCounts) add(callID string) {
	if e, ok := c.byID[callID]; ok {
		e.Value.(*callCount).n++
		c.order.MoveToFront(e)
		return
	}
	c.byID[callID] = c.order.PushFront(&callCount{callID: callID, n: 1})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byID, last.Value.(*callCount).callID)
	}
}

// forget drops callID.
func (c *callCounts) forget(callID string) {
	if e, ok := c.byID[callID]; ok {
		c.order.Remove(e)
		delete(c.byID, callID)
	}
}

// len is how many calls are remembered.
func (c *callCounts) len() int { return c.order.Len() }
