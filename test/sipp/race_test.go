//go:build race

package sipp

// raceEnabled makes TestMain build tandem with the race detector when the
// tests themselves run with -race, so races under real SIP traffic fail the
// test (a binary built with -race exits 66 after reporting one).
const raceEnabled = true
