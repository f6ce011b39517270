// Package shellwords splits the command lines of the README examples that
// tests run (cmd/tandemctl, apps/rcc) into words, as sh would.
package shellwords
