// Package arch holds tests of the project's shape: the import arrows of
// DESIGN.md §2.
package arch
