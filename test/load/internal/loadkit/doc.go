// Package loadkit is what the load generators under test/load share: a
// small loopback sipgo user agent (UA) that answers, retransmits its 2xx to
// INVITE until the ACK and builds in-dialog requests; starting and stopping
// the tandem binary under test and reading its /metrics; the CPU time of a
// process and the machine's steal time.
package loadkit
