// The wire names of the contract's enumerations, in the order of the core enums, so that
// `Names<E>()[static_cast<int>(e)]` is the name of e and Reader::Enum returns the enum's value.
#pragma once

#include <string_view>
#include <vector>

#include "core/engine.h"

namespace sb::api {

const std::vector<std::string_view>& LabelOperatorNames();
const std::vector<std::string_view>& JobStatusNames();
const std::vector<std::string_view>& WorkerStateNames();
const std::vector<std::string_view>& DistributionModeNames();
const std::vector<std::string_view>& MatchingModeNames();
const std::vector<std::string_view>& RuleKindNames();       // RouterRule's alternatives
const std::vector<std::string_view>& AttachmentKindNames(); // both attachment families
const std::vector<std::string_view>& TriggerKindNames();
const std::vector<std::string_view>& ActionKindNames();
const std::vector<std::string_view>& ScoringParameterNames();

template <class E>
std::string_view NameOf(E value, const std::vector<std::string_view>& names) {
  return names[static_cast<std::size_t>(value)];
}

}  // namespace sb::api
