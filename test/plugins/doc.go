// Package plugins holds the end-to-end tests of Tandem's plugins: a real
// node (test/harness) whose plugin host launches the example plugin built
// with go build, real SIP calls through it from the scripted phones
// (test/phone), and the plugin killed under them.
package plugins
