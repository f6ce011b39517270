package gruu_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
)

func TestConfig(t *testing.T) {
	const k1 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	const k2 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	if err := gruu.Defaults().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := gruu.Config{Key: "short", PreviousKeys: []string{k2, "nope"}}
	ps := bad.Problems()
	if len(ps) != 2 || ps[0].Key != "key" || ps[1].Key != "previous_keys[1]" {
		t.Fatalf("problems %v", ps)
	}
	if strings.Contains(bad.Validate().Error(), "short") {
		t.Error("the key leaks into the error")
	}
	if _, err := gruu.NewMinterFromConfig(bad, nil); err == nil {
		t.Error("a bad key was accepted")
	}
	// two nodes with the same key open each other's tokens, through a rotation
	old, err := gruu.NewMinterFromConfig(gruu.Config{Key: k2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := old.MintLeg(gruu.LegRef{LegID: "x"})
	rotated, err := gruu.NewMinterFromConfig(gruu.Config{Key: k1, PreviousKeys: []string{k2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotated.OpenLeg(tok); err != nil {
		t.Errorf("after rotation: %v", err)
	}
	// no key: random, with a warning
	var sb strings.Builder
	log := slog.New(slog.NewTextHandler(&sb, nil))
	a, _ := gruu.NewMinterFromConfig(gruu.Config{}, log)
	b, _ := gruu.NewMinterFromConfig(gruu.Config{}, log)
	tok, _ = a.MintLeg(gruu.LegRef{LegID: "x"})
	if _, err := b.OpenLeg(tok); err == nil {
		t.Error("two random keys are the same")
	}
	if !strings.Contains(sb.String(), "no gruu.key") {
		t.Errorf("no warning: %q", sb.String())
	}
	var lv strings.Builder
	slog.New(slog.NewTextHandler(&lv, nil)).Info("cfg", "gruu", gruu.Config{Key: k1})
	if strings.Contains(lv.String(), k1) {
		t.Error("the key reaches the log")
	}
}
