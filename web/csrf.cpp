#include "csrf.h"

namespace rdv {

CsrfToken csrf_token(const HttpRequest& request, const LinkSigner& links, Random& random,
                     const std::string& cookie_name, bool secure) {
  auto cookie = request.cookie(cookie_name);
  if (cookie && cookie->size() == 43) return {links.csrf_field(*cookie), ""};
  std::string fresh = new_token(random);
  return {links.csrf_field(fresh), cookie_name + "=" + fresh + "; Path=/; HttpOnly; SameSite=Lax" +
                                       (secure ? "; Secure" : "")};
}

bool csrf_ok(const HttpRequest& request, const std::string& field, const LinkSigner& links,
             const std::string& cookie_name) {
  auto cookie = request.cookie(cookie_name);
  return cookie && cookie->size() == 43 && constant_time_equal(field, links.csrf_field(*cookie));
}

}  // namespace rdv
