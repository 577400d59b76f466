// Package models holds what skyfaas's learned policies share: the
// checkpoint file format (versioned header, configuration and
// normalisation inside, SHA-256 checksum), seeded weight initialisers
// (gorgonia's own seed from the wall clock), the Adam optimiser with a
// settable learning rate and clipping by global norm written out (gorgonia's
// solvers clamp element-wise and keep their moments private), the
// reduce-on-plateau and early-stopping schedule, and learning curves (CSV
// and PNG) with their progress lines. The networks live in sub-packages
// (models/lstm); they import sim and policies/policy, never the reverse.
//
// Nothing here reads a clock or a global random source: every random draw
// comes from a *rand.Rand the caller seeds.
package models
