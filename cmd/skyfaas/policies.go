package main

import (
	"fmt"
	"io"

	"github.com/skyfaas/skyfaas/models/learned"

	"github.com/skyfaas/skyfaas/policies"
)

// registry is every policy the command line knows: the builtin baselines
// and the learned ones of models.
func registry() *policies.Registry { return learned.Registry() }

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
