package lstm

import "github.com/skyfaas/skyfaas/sim"

// SetDedupe turns the sharing of identical windows' predictions on or off.
func SetDedupe(p sim.Operational, on bool) { p.(*Policy).noDedupe = !on }

// Counts returns how many pool predictions the policy made and how many
// distinct windows it ran through the network.
func Counts(p sim.Operational) (predicted, distinct int64) {
	q := p.(*Policy)
	return q.predicted, q.distinct
}
