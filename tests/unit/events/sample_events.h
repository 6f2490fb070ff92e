// Sample Router events for the tests: one of each of the 22 types, with every snapshot field
// the type's payload reads filled in (labels of every value kind, selectors in both states,
// scheduled and offer times), so a payload check sees every field the schema allows.
#pragma once

#include <vector>

#include "core/events.h"

namespace sb::events::testing {

core::Event SampleEvent(core::EventType type);
std::vector<core::EventType> AllEventTypes();

}  // namespace sb::events::testing
