package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/tandem-sip/tandem/events"
)

// registrationsList: tandemctl registrations list [AOR]: the registrar's
// live bindings of AOR, or of every AOR.
func registrationsList(a *app, args []string) error {
	fs := a.flagSet("registrations list")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 || len(pos) == 1 && !isSIPURI(pos[0]) {
		return usageErrorf("registrations list takes at most one AOR, a sip: or sips: URI")
	}
	aor := ""
	if len(pos) == 1 {
		aor = pos[0]
	}
	var rep events.RegistrationsListReplyV1
	raw, err := a.request("registrations list", events.VerbRegistrationsList,
		events.RegistrationsListRequestV1{RequestID: a.requestID(), AOR: aor}, &rep, &rep.Reply)
	if a.g.json {
		return a.printRaw(raw, err)
	}
	if err != nil {
		return err
	}
	return printRegistrationTable(a.stdout, rep.Registrations, rep.Truncated)
}

// printRegistrationTable prints bindings as a table, one a line, and says
// when the list was cut short.
func printRegistrationTable(w io.Writer, regs []events.RegistrationV1, truncated bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AOR\tCONTACT\tINSTANCE\tEXPIRES\tSOURCE")
	for _, r := range regs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", dash(r.AOR), dash(r.Contact), dash(r.Instance), dash(r.ExpiresAt), dash(r.Source))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if truncated {
		_, err := fmt.Fprintf(w, "(only the first %d bindings)\n", len(regs))
		return err
	}
	return nil
}
