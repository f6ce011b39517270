package dialogevent

// watchers is the compiled Config.Watchers: who may watch which AOR. The
// zero AOR key holds the watchers of every AOR (Any).
type watchers map[AOR]*watchList

// watchList is the subscribers allowed to watch one AOR.
type watchList struct {
	any bool // Any: everybody
	who map[AOR]bool
}

// allows reports whether subscriber may watch resource's dialogs: its own
// AOR always, another's when the resource's list or the Any list names
// the subscriber or Any. RFC 4235 §7 leaves the policy to the notifier and
// asks that dialog state go to authorized subscribers only.
func (w watchers) allows(resource, subscriber AOR) bool {
	if resource == subscriber {
		return true
	}
	for _, key := range [...]AOR{resource, {}} {
		if l := w[key]; l != nil && (l.any || l.who[subscriber]) {
			return true
		}
	}
	return false
}
