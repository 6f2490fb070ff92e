// Label selector semantics, shared by worker matching, queue selection and scoring.
#include "core/engine_state.h"

namespace sb::core {

bool Satisfies(const LabelMap& labels, const std::string& key, LabelOperator op,
               const Value& value) {
  auto it = labels.find(key);
  if (it == labels.end() || it->second.is_null()) {
    // A missing label is "not equal" to anything (the service's documented scoring example
    // counts a worker without the label as satisfying notEqual); it satisfies nothing else.
    return op == LabelOperator::kNotEqual && !value.is_null();
  }
  const Value& label = it->second;
  switch (op) {
    case LabelOperator::kEqual:
      return label == value;
    case LabelOperator::kNotEqual:
      return !(label == value);
    default:
      break;
  }
  const std::optional<int> c = CompareForOrdering(label, value);
  if (!c) return false;
  switch (op) {
    case LabelOperator::kLessThan:
      return *c < 0;
    case LabelOperator::kLessThanOrEqual:
      return *c <= 0;
    case LabelOperator::kGreaterThan:
      return *c > 0;
    case LabelOperator::kGreaterThanOrEqual:
      return *c >= 0;
    default:
      return false;
  }
}

bool Satisfies(const LabelMap& labels, const WorkerSelector& selector) {
  return Satisfies(labels, selector.key, selector.label_operator, selector.value);
}

bool IsActive(const WorkerSelector& selector) {
  return selector.status.value_or(WorkerSelectorStatus::kActive) == WorkerSelectorStatus::kActive;
}

}  // namespace sb::core
