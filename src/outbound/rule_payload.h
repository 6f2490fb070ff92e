// The wire side of function and webhook rules, as pure functions: the JSON body a RuleCall
// sends, the reply read back into a RuleAnswer, and the OAuth2 client-credentials exchange of
// webhook rules. docs/COMPATIBILITY.md ("Function and webhook rules") describes the shapes.
//
// Body: {"job": {labels}} for classification; for scoring also "selectors" (when the policy's
// scoringParameters ask for them), then "worker": {labels} or, batch scoring, "workers":
// [{labels}, ...] - each worker's labels carry its automatic "Id" label.
//
// Reply: a JSON value (number, text, boolean) for a single value; a JSON array of selector
// objects ({"key", "labelOperator", "value"}) for ruleEngine attachments; for batch scoring an
// array of numbers in the order the workers were sent, or of {"workerId", "score"} objects. A
// body that is not JSON at all is read as text (Azure Functions return a plain string that
// way); a JSON string holding an array or object is unwrapped once (a function that returned
// JsonConvert.SerializeObject(...) as a string).
// Values; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/time.h"
#include "core/rules.h"

namespace sb::outbound {

inline constexpr std::size_t kMaxRuleAnswerBytes = 256 * 1024;

std::string RuleCallBody(const core::RuleCall& call);

Result<core::RuleAnswer> ParseRuleAnswer(const core::RuleCall& call, std::string_view body);

// application/x-www-form-urlencoded body of a client-credentials token request.
std::string TokenRequestBody(const core::OAuth2WebhookClientCredential& credential);

struct AccessToken {
  std::string token;
  Duration lifetime;  // expires_in; zero when the server gave none
};
Result<AccessToken> ParseTokenResponse(std::string_view body);

}  // namespace sb::outbound
