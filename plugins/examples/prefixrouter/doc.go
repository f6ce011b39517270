// Command prefixrouter is an example Tandem plugin built as its own binary:
// it answers the routing decision by the longest prefix of the called
// user, from its configuration. Tandem's plugin host launches it:
//
//	go build -o bin/prefixrouter ./plugins/examples/prefixrouter
//
//	plugins:
//	  list:
//	    - name: prefixrouter
//	      kind: process
//	      path: ./bin/prefixrouter
//	      decisions: [route]
//	      config:
//	        prefixes:
//	          "9": "sip:$rest@127.0.0.1:5090"
//
// Like any out-of-tree plugin it imports only the SDK and the wire
// contract (through its package prefix); the same code runs in-process as
// Tandem's built-in app "prefixrouter".
package main
