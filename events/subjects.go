package events

import "strings"

// Subject grammar, defined here once:
//
//	tandem.v1.evt.<node>.call.<call_id>.<name>   events of a call (JetStream stream Stream)
//	tandem.v1.evt.<node>.node.<name>              events of no call: the registrar's (same stream)
//	tandem.v1.cmd.<verb>                          commands, queue group CommandQueue
//	tandem.v1.cmd.<node>.<verb>                   commands bound to one node
//	tandem.v1.decide.<what>                       decisions, queue group per plugin
const (
	Prefix        = "tandem.v1"
	EventPrefix   = Prefix + ".evt"
	CommandPrefix = Prefix + ".cmd"
	DecidePrefix  = Prefix + ".decide"

	// Stream is the JetStream stream that keeps every event.
	Stream = "TANDEM_EVENTS"
	// StreamSubjects is the subject filter of Stream.
	StreamSubjects = EventPrefix + ".>"
	// CommandQueue is the queue group the core nodes serve commands in.
	CommandQueue = "tandem-core"

	VerbCallsList   = "calls.list"
	VerbCallsGet    = "calls.get"
	VerbCallsHangup = "calls.hangup"

	// DecideRoute is asked for every new INVITE.
	DecideRoute = DecidePrefix + ".route"
	// DecideRefer is asked for every REFER Tandem accepts (after its 202).
	DecideRefer = DecidePrefix + ".refer"
	// DecideSubscribe is asked for a new SUBSCRIBE of an event package the
	// core does not serve itself (not reg).
	DecideSubscribe = DecidePrefix + ".subscribe"
)

// EventSubject is the subject an event is published on: its call's, or the
// node's for an event of no call (registrar bindings, GRUUs).
func EventSubject(node, callID, name string) string {
	if callID == "" {
		return NodeEventSubject(node, name)
	}
	return EventPrefix + "." + token(node) + ".call." + token(callID) + "." + name
}

// NodeEventSubject is the subject of an event that belongs to no call.
func NodeEventSubject(node, name string) string {
	return EventPrefix + "." + token(node) + ".node." + name
}

// CallEventsFilter matches every event of one call on any node.
func CallEventsFilter(callID string) string {
	return EventPrefix + ".*.call." + token(callID) + ".>"
}

// CommandSubject is the load-shared subject of a verb.
func CommandSubject(verb string) string { return CommandPrefix + "." + verb }

// NodeCommandSubject is the subject of a verb on one node.
func NodeCommandSubject(node, verb string) string {
	return CommandPrefix + "." + token(node) + "." + verb
}

// token makes s safe as one subject token: no dots, spaces or wildcards.
func token(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', ' ', '*', '>', '\t', '\r', '\n':
			return '_'
		}
		return r
	}, s)
}

// PluginEventsFilter matches the plugin host's events of every node:
// tandem.v1.evt.<node>.plugin.<plugin>.<name> (see plugin_events.go). The
// events stream keeps them too.
const PluginEventsFilter = EventPrefix + ".*.plugin.>"

// PluginEventSubject is the subject of a plugin host's event about one
// plugin: tandem.v1.evt.<node>.plugin.<plugin>.<name>.
func PluginEventSubject(node, plugin, name string) string {
	return EventPrefix + "." + token(node) + ".plugin." + token(plugin) + "." + name
}
