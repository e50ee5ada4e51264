#include "csrf.h"

namespace rdv {

CsrfToken csrf_token(const HttpRequest& request, const LinkSigner& links, Random& random,
                     bool secure) {
  auto cookie = request.cookie(kCsrfCookie);
  if (cookie && cookie->size() == 43) return {links.csrf_field(*cookie), ""};
  std::string fresh = new_token(random);
  return {links.csrf_field(fresh), std::string(kCsrfCookie) + "=" + fresh +
                                       "; Path=/; HttpOnly; SameSite=Lax" +
                                       (secure ? "; Secure" : "")};
}

bool csrf_ok(const HttpRequest& request, const std::string& field, const LinkSigner& links) {
  auto cookie = request.cookie(kCsrfCookie);
  return cookie && cookie->size() == 43 && constant_time_equal(field, links.csrf_field(*cookie));
}

}  // namespace rdv
