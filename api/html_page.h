// The few pages the service shows to people (links in messages): French,
// plain, readable on a phone.
#pragma once

#include <string>

#include "http_types.h"

namespace rdv {

// `body_html` is trusted markup; escape what comes from data with escape_html.
HttpResponse html_page(int status, const std::string& title, const std::string& body_html);

}  // namespace rdv
