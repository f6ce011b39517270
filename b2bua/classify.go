package b2bua

// FailureScope says what a failure response to an in-dialog request
// destroys (RFC 5057 §5.1).
type FailureScope int

const (
	// ScopeTransaction: only the transaction failed; the dialog and its
	// usage continue.
	ScopeTransaction FailureScope = iota
	// ScopeUsage: the usage the request belonged to is gone (for a call leg,
	// the call).
	ScopeUsage
	// ScopeDialog: the dialog and every usage in it are gone.
	ScopeDialog
)

func (s FailureScope) String() string {
	switch s {
	case ScopeUsage:
		return "usage"
	case ScopeDialog:
		return "dialog"
	}
	return "transaction"
}

// CodeTimeout stands for a transaction timeout (no response at all) in
// Classify; it is not a SIP code.
const CodeTimeout = -1

// Classify maps a failure to an in-dialog request to what it destroys. It is
// the one place that reading of RFC 5057 §5.1 lives (see DESIGN.md §3).
// Codes below 300 are not failures and give ScopeTransaction.
func Classify(method string, code int) FailureScope {
	switch code {
	case CodeTimeout, 408, 480, 489:
		return ScopeUsage
	case 481:
		if method == "CANCEL" {
			return ScopeTransaction
		}
		return ScopeUsage
	case 405, 501:
		if integralToUsage(method) {
			return ScopeUsage
		}
		return ScopeTransaction
	case 404, 410, 416, 482, 483, 484, 485, 502, 604:
		return ScopeDialog
	}
	return ScopeTransaction
}

// integralToUsage reports whether a method is part of the usage it is sent
// in (INVITE usage: re-INVITE, UPDATE, PRACK, ACK, BYE; subscription usage:
// SUBSCRIBE, NOTIFY, REFER). INFO, MESSAGE, OPTIONS and unknown methods are
// not: their failure affects only the transaction.
func integralToUsage(method string) bool {
	switch method {
	case "INVITE", "UPDATE", "PRACK", "ACK", "BYE", "SUBSCRIBE", "NOTIFY", "REFER":
		return true
	}
	return false
}
