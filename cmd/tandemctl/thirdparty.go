package main

import (
	"github.com/tandem-sip/tandem/events"
)

// callsOriginate: tandemctl calls originate A B [--flow 1|4] [--from URI]:
// third-party call control (RFC 3725), the call claimed by --controller.
func callsOriginate(a *app, args []string) error {
	fs := a.flagSet("calls originate")
	flow := fs.Int("flow", events.Flow4, "RFC 3725 flow: 4 (A on hold first, then B's offer to A) or 1 (A's offer to B)")
	from := fs.String("from", "", "From URI of both INVITEs (default the core's)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || !isSIPURI(pos[0]) || !isSIPURI(pos[1]) {
		return usageErrorf("calls originate takes two sip: or sips: URIs, A and B")
	}
	if *flow != events.Flow1 && *flow != events.Flow4 {
		return usageErrorf("calls originate: --flow %d: want 1 or 4", *flow)
	}
	if *from != "" && !isSIPURI(*from) {
		return usageErrorf("calls originate: --from %q is not a sip: or sips: URI", *from)
	}
	var rep events.CallsOriginateReplyV1
	raw, err := a.request("calls originate", events.VerbCallsOriginate, events.CallsOriginateRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), A: pos[0], B: pos[1], From: *from, Flow: *flow,
	}, &rep, &rep.Reply)
	return a.done(raw, err, "call %s: calling %s (leg %s), then %s", dash(rep.CallID), pos[0], dash(rep.ALegID), pos[1])
}

// phonesRefer: tandemctl phones refer PHONE TARGET [--no-subscription]
// [--fallback originate] [--from URI]: click-to-dial, a REFER outside any
// dialog to a registered phone (AOR or GRUU), or with --fallback originate a
// call to the phone (Answer-Mode: Auto) and TARGET when it cannot take one.
func phonesRefer(a *app, args []string) error {
	fs := a.flagSet("phones refer")
	noSub := fs.Bool("no-subscription", false, "ask for no refer subscription (Refer-Sub: false, RFC 4488): no NOTIFYs, no progress events")
	fallback := fs.String("fallback", "", `"originate": if the phone cannot take a REFER (405, 420, 489, 501), call it (Answer-Mode: Auto) and TARGET, and connect them`)
	from := fs.String("from", "", "From and Referred-By URI of the REFER, From of the fallback's INVITEs (default the core's)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || !isSIPURI(pos[0]) || !isSIPURI(pos[1]) {
		return usageErrorf("phones refer takes a PHONE (a registered AOR or GRUU) and a TARGET, both sip: or sips: URIs")
	}
	if *fallback != events.ReferFallbackNone && *fallback != events.ReferFallbackOriginate {
		return usageErrorf("phones refer: --fallback %q: want originate", *fallback)
	}
	if *from != "" && !isSIPURI(*from) {
		return usageErrorf("phones refer: --from %q is not a sip: or sips: URI", *from)
	}
	var rep events.PhonesReferReplyV1
	raw, err := a.request("phones refer", events.VerbPhonesRefer, events.PhonesReferRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), Phone: pos[0], Target: pos[1],
		From: *from, NoSubscription: *noSub, Fallback: *fallback,
	}, &rep, &rep.Reply)
	switch {
	case err == nil && rep.Mode == events.ReferModeOriginate:
		return a.done(raw, err, "call %s: %s refused the REFER (%d); calling it (leg %s, Answer-Mode: Auto), then %s",
			dash(rep.CallID), pos[0], rep.ReferRefused, dash(rep.ALegID), pos[1])
	case err == nil && rep.NoSubscription:
		return a.done(raw, err, "refer %s: %s accepted to call %s (no subscription: no progress reports)", dash(rep.ReferID), pos[0], pos[1])
	}
	return a.done(raw, err, "refer %s: %s accepted to call %s", dash(rep.ReferID), pos[0], pos[1])
}
