package rl

import _ "embed"

// The checkpoints embedded in the binary: trained on the default
// scenario's workload by `skyfaas train dqn scenarios/strategic-ablation.toml`
// and `skyfaas train ppo scenarios/tactical-ablation.toml` (their [train.*]
// tables are the recipes).
var (
	//go:embed shipped/dqn.ckpt
	shippedDQN []byte
	//go:embed shipped/ppo.ckpt
	shippedPPO []byte
)
