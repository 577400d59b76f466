// Package rl holds the learned placement layers: the strategic double DQN
// (the provider of each function) and the tactical PPO (its region and
// memory size), trained with the simulator as their environment, and the
// `dqn` and `ppo` policies that play their checkpoints.
//
// Files by concept:
//
//	features.go   the observation of a function, feature by feature; action
//	              shapes and the tactical mask; the learners' reward scale
//	env.go        the environment over sim.Engine's Next/Advance: one
//	              transition per function and epoch, reward = the shared
//	              sim.Objective of the function's Outcome over the epoch
//	mlp.go        the networks' weights and the preallocated plain-Go forward
//	              pass the policies decide with
//	graph.go      the gorgonia training graphs: Huber loss of Q(s,a); PPO's
//	              clipped surrogate, value loss and entropy over a masked
//	              softmax (gradients checked against finite differences)
//	replay.go     the replay buffer; generalised advantage estimation
//	train.go      what both trainers share: episodes run in parallel rounds
//	              (one engine per goroutine, results in episode order, so a
//	              run does not depend on scheduling), evaluation on held-out
//	              episodes, progress and learning curves
//	dqn.go        double DQN: target network, epsilon schedule, Huber loss,
//	              clipping by global norm
//	ppo.go        PPO: actor and critic, GAE, clipped objective, entropy bonus,
//	              minibatch epochs, invalid actions masked
//	checkpoint.go the "dqn" and "ppo" checkpoints (models.Checkpoint format)
//	policy.go     the greedy policies
//
// The trainers' goroutines run whole episodes, each on its own engine;
// nothing inside the simulated world reads a clock or a global random
// source, and every random draw comes from a stream seeded by the
// settings' seed and the episode's index.
package rl
