#include "csrf.h"

namespace rdv {
namespace {

std::string field_of(const LinkSigner& links, const std::string& cookie) {
  return links.csrf_field(cookie);
}

}  // namespace

CsrfToken csrf_token(const HttpRequest& request, const LinkSigner& links, Random& random,
                     bool secure) {
  auto cookie = request.cookie(kCsrfCookie);
  if (cookie && cookie->size() == 43) return {field_of(links, *cookie), ""};
  std::string fresh = new_token(random);
  return {field_of(links, fresh), std::string(kCsrfCookie) + "=" + fresh +
                                      "; Path=/; HttpOnly; SameSite=Lax" +
                                      (secure ? "; Secure" : "")};
}

bool csrf_ok(const HttpRequest& request, const std::string& field, const LinkSigner& links) {
  auto cookie = request.cookie(kCsrfCookie);
  return cookie && cookie->size() == 43 && constant_time_equal(field, field_of(links, *cookie));
}

}  // namespace rdv
