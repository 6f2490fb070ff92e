// The Azure error shape, as the REST API uses it (see wire/errors.h).
#pragma once

#include "wire/errors.h"

namespace sb::api {

using wire::ErrorResponse;
using wire::HttpStatusOf;

}  // namespace sb::api
