// Parser: recursive descent over the tokens with Power Fx precedence, building the Tree's node
// arena bottom-up and typing each node as it is built (the "type pass"): literal types,
// operator and function result types, If/Switch/Coalesce/IfError branch unification. It also
// resolves names (job.X, worker.X, true, false) and functions, checks arity and statically
// incompatible comparisons, and enforces the nesting-depth limit. Errors name the 1-based
// character position. Pure; the only output is the Tree it fills.
#pragma once

#include <string_view>

#include "base/error.h"
#include "expr/ast.h"

namespace sb::expr {

// Fills tree.nodes and tree.root from tree.source under tree.limits.
Status Parse(Tree& tree);

}  // namespace sb::expr
