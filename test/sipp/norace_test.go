//go:build !race

package sipp

const raceEnabled = false
