// JSON Merge Patch (RFC 7396) and the key normalisation that precedes it. Request property
// names are matched case-insensitively, as the service does ({"ChannelReference": null} clears
// channelReference); user maps - labels, tags, labelsToUpsert - keep their keys exactly.
// Stateless functions.
#pragma once

#include "api/json.h"

namespace sb::api {

// Rewrites every known property name in `value` to the contract's spelling, recursively,
// leaving the keys of user maps alone.
void NormalizePropertyNames(json::value& value);

// Applies `patch` to `target` (RFC 7396): objects merge member by member, null removes, any
// other value (arrays included) replaces.
void ApplyMergePatch(json::value& target, const json::value& patch);

}  // namespace sb::api
