// Package learned builds the registry of every policy skyfaas ships: the
// builtin baselines of package policies and the learned policies of
// models (the operational LSTM, the strategic DQN, the tactical PPO),
// which policies cannot import.
package learned

import (
	"github.com/skyfaas/skyfaas/models/lstm"
	"github.com/skyfaas/skyfaas/models/rl"
	"github.com/skyfaas/skyfaas/policies"
)

// Registry returns the baselines and the learned policies.
func Registry() *policies.Registry {
	r := policies.Builtin()
	for _, err := range []error{
		r.AddOperational(lstm.PolicyName, lstm.PolicySummary, lstm.NewPolicy),
		r.AddStrategic(rl.DQNName, rl.DQNSummary, rl.NewDQNPolicy),
		r.AddTactical(rl.PPOName, rl.PPOSummary, rl.NewPPOPolicy),
	} {
		if err != nil {
			panic(err) // a duplicate name: a programming error, caught by the tests
		}
	}
	return r
}
