package gruu_test

import (
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
)

func BenchmarkMintLeg(b *testing.B) {
	m := newMinter(b)
	ref := gruu.LegRef{Node: "tandem-1", CallID: "c0123456789abcdef", LegID: "c0123456789abcdef-a", Gen: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.MintLeg(ref); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenLeg(b *testing.B) {
	m := newMinter(b)
	tok, _ := m.MintLeg(gruu.LegRef{Node: "tandem-1", CallID: "c0123456789abcdef", LegID: "c0123456789abcdef-a", Gen: 1})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.OpenLeg(tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMintTemp(b *testing.B) {
	m := newMinter(b)
	ref := gruu.NewTempRef("sip:alice@example.com", "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "a84b4c76e66710", 1, 2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.MintTemp(ref); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenTemp(b *testing.B) {
	m := newMinter(b)
	tok, _ := m.MintTemp(gruu.NewTempRef("sip:alice@example.com", "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "a84b4c76e66710", 1, 2))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.OpenTemp(tok); err != nil {
			b.Fatal(err)
		}
	}
}
