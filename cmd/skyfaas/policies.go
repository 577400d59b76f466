package main

import (
	"fmt"
	"io"

	"github.com/skyfaas/skyfaas/models/lstm"
	"github.com/skyfaas/skyfaas/policies"
)

// registry is every policy the command line knows: the builtin baselines
// and the learned ones of models, registered here so that scenarios, which
// takes the registry as an argument, need not import them.
func registry() *policies.Registry {
	r := policies.Builtin()
	if err := r.AddOperational(lstm.PolicyName, lstm.PolicySummary, lstm.NewPolicy); err != nil {
		panic(err) // a duplicate name: a programming error, caught by the tests
	}
	return r
}

func runPolicies(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("policies", stderr, "Usage: skyfaas policies\n\nLists the policies of each layer with a one-line description.\n")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: policies takes no arguments", errUsage)
	}
	layer := policies.Layer("")
	for _, p := range registry().List() {
		if p.Layer != layer {
			if layer != "" {
				fmt.Fprintln(stdout)
			}
			layer = p.Layer
			fmt.Fprintf(stdout, "%s:\n", layer)
		}
		fmt.Fprintf(stdout, "  %-18s %s\n", p.Name, p.Summary)
	}
	return nil
}
