// Forms that change something carry a token tied to the browser (signed
// double submit): a random cookie, and in each form the HMAC of its value.
// Another site can make a browser send the cookie, but cannot read it nor
// compute the field. On https the cookie is a __Host- one, which a sibling
// subdomain cannot set; the same-site check of every page POST stands too.
#pragma once

#include <string>

#include "crypto/link_tokens.h"
#include "crypto/tokens.h"
#include "http_types.h"

namespace rdv {

inline constexpr const char* kCsrfCookie = "rdv_csrf";  // "__Host-rdv_csrf" on https

struct CsrfToken {
  std::string field;       // for the forms' hidden "csrf" input
  std::string set_cookie;  // a Set-Cookie value when the browser has no cookie yet, else ""
};

// The token of this browser, making its cookie when it has none;
// `cookie_name` is kCsrfCookie, prefixed on https (App::cookie_name).
CsrfToken csrf_token(const HttpRequest& request, const LinkSigner& links, Random& random,
                     const std::string& cookie_name, bool secure);

// Whether the form's "csrf" field matches the browser's cookie.
bool csrf_ok(const HttpRequest& request, const std::string& field, const LinkSigner& links,
             const std::string& cookie_name);

}  // namespace rdv
