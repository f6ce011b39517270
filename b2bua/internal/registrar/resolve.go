package registrar

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// ErrNotFound: no binding for the AOR, or the GRUU no longer routes
// anywhere (the core answers 404).
var ErrNotFound = errors.New("registrar: not found")

// Target kinds of Resolve.
type TargetKind int

const (
	// TargetNone: the Request-URI is none of ours; route it as usual.
	TargetNone TargetKind = iota
	// TargetAOR: a registered AOR; Bindings are its contacts in q-value
	// order (may fork to all of them).
	TargetAOR
	// TargetGRUU: a registrar GRUU; Bindings holds exactly one binding
	// (never fork).
	TargetGRUU
	// TargetLeg: one of the core's leg GRUUs; Leg says which leg. The core
	// answers 404 when that leg has ended.
	TargetLeg
)

// Target is where a request goes.
type Target struct {
	Kind     TargetKind
	AOR      string
	Bindings []Binding
	Leg      gruu.LegRef
}

// Resolve tells where an out-of-dialog request with Request-URI ruri goes:
//
//   - a URI with a gr parameter is a GRUU: a leg GRUU of the core
//     (TargetLeg), a temp-gruu or a pub-gruu of a registered instance
//     (TargetGRUU, exactly one binding); a GRUU that no longer routes, or
//     that nobody minted, is ErrNotFound (404) — it never falls back to
//     the AOR (RFC 5627: a GRUU never forks);
//   - otherwise, an AOR of a served domain with live bindings is
//     TargetAOR; one without bindings is ErrNotFound when the registrar
//     is authoritative for the domain (Config.Domains set), else
//     TargetNone so that static routes and plugins still apply;
//   - anything else is TargetNone.
func (r *Registrar) Resolve(ctx context.Context, ruri sipx.Uri, now time.Time) (Target, error) {
	if ruri.UriParams.Has("gr") {
		if gruu.Kind(ruri.User) == 'l' {
			ref, err := r.minter.OpenLeg(ruri.User)
			if err == nil {
				return Target{Kind: TargetLeg, Leg: ref}, nil
			}
			if errors.Is(err, gruu.ErrExpired) {
				return Target{}, fmt.Errorf("%w: leg GRUU: %w", ErrNotFound, err)
			}
		}
		if !r.ServesDomain(ruri.Host) {
			return Target{}, nil // someone else's GRUU
		}
		b, aor, err := r.LookupGRUU(ctx, ruri, now)
		if err != nil {
			return Target{}, err
		}
		return Target{Kind: TargetGRUU, AOR: aor, Bindings: []Binding{b}}, nil
	}
	if !r.ServesDomain(ruri.Host) || ruri.User == "" {
		return Target{}, nil
	}
	aor, err := canonicalAOR(ruri)
	if err != nil {
		return Target{}, nil
	}
	bs, err := r.Lookup(ctx, aor, now)
	if err != nil {
		return Target{}, err
	}
	if len(bs) == 0 {
		if len(r.domains) > 0 {
			return Target{}, fmt.Errorf("%w: %s has no bindings", ErrNotFound, aor)
		}
		return Target{}, nil
	}
	return Target{Kind: TargetAOR, AOR: aor, Bindings: bs}, nil
}

// Lookup returns the live bindings of a canonical AOR, by q-value (highest
// first), then most recently refreshed first.
func (r *Registrar) Lookup(ctx context.Context, aor string, now time.Time) ([]Binding, error) {
	rec, err := r.store.Get(ctx, aor)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStore, err)
	}
	return rec.ordered(now), nil
}

// LookupGRUU returns the one binding a registrar GRUU routes to and its
// AOR: for a temp-gruu (sip:<token>@domain;gr) the binding of its instance
// whose Call-ID and first CSeq are still those it was minted under; for a
// pub-gruu (AOR;gr=<instance>) the most recent binding of the instance.
// Anything else, or a GRUU whose instance is gone, is ErrNotFound.
func (r *Registrar) LookupGRUU(ctx context.Context, u sipx.Uri, now time.Time) (Binding, string, error) {
	gr, ok := u.UriParams.Get("gr")
	if !ok {
		return Binding{}, "", fmt.Errorf("%w: not a GRUU", ErrNotFound)
	}
	if gr == "" {
		if gruu.Kind(u.User) != 't' {
			return Binding{}, "", fmt.Errorf("%w: GRUU without gr value nor temp token", ErrNotFound)
		}
		ref, err := r.minter.OpenTemp(u.User)
		if err != nil {
			return Binding{}, "", fmt.Errorf("%w: %w", ErrNotFound, err)
		}
		bs, err := r.Lookup(ctx, ref.AOR, now)
		if err != nil {
			return Binding{}, "", err
		}
		for _, b := range bs {
			if b.Instance != "" && ref.Valid(ref.AOR, b.Instance, b.CallID, b.FirstCSeq) {
				return b, ref.AOR, nil
			}
		}
		return Binding{}, "", fmt.Errorf("%w: temp-gruu no longer valid", ErrNotFound)
	}
	aor, err := canonicalAOR(u)
	if err != nil {
		return Binding{}, "", fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	instance := gruu.NormalizeInstance(gruu.Unescape(gr))
	bs, err := r.Lookup(ctx, aor, now)
	if err != nil {
		return Binding{}, "", err
	}
	var best *Binding
	for i := range bs {
		b := &bs[i]
		if b.Instance == instance && (best == nil || b.Updated.After(best.Updated)) {
			best = b
		}
	}
	if best == nil {
		return Binding{}, "", fmt.Errorf("%w: no binding of %s for %s", ErrNotFound, instance, aor)
	}
	return *best, aor, nil
}

// IsGRUU reports whether a URI is a GRUU (carries gr; RFC 5627 §3.1).
func IsGRUU(u sipx.Uri) bool { return u.UriParams.Has("gr") }

// TargetURI is the Request-URI of a request forwarded to a binding: its
// Contact URI as registered.
func (b Binding) TargetURI() (sipx.Uri, error) {
	u, err := sipx.ParseURI(strings.TrimSpace(b.Contact))
	if err != nil {
		return sipx.Uri{}, fmt.Errorf("registrar: binding contact %q: %w", b.Contact, err)
	}
	return u, nil
}
