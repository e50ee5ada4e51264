// Staff accounts on the pages: signing in and out (password, or the single
// sign-on provider when one is configured), a forgotten password, and the
// page the invitation and reset links open. Credentials and their rules are
// the core's (Credentials).
#include <cctype>

#include "accounts/credentials.h"
#include "app.h"
#include "csrf.h"
#include "domain/error.h"
#include "net/url.h"
#include "render.h"

namespace rdv {
namespace {

constexpr const char* kStaffHome = "/espace";

// A path of ours to go back to after signing in ("/espace" otherwise).
std::string local_next(const std::string& next) { return is_local_path(next) ? next : kStaffHome; }

}  // namespace

HttpResponse App::sign_in_page(const HttpRequest& r, int status, const std::string& email,
                               const std::string& next, const std::string& problem) {
  PageData d;
  d.set("email", email);
  d.set("next", local_next(next));
  if (!problem.empty()) d.set("problem", problem);
  if (r.param("sortie")) d.set("notice", "Vous êtes déconnecté.");
  if (sso_) {
    d.set("sso", true);
    d.set("sso_url", "/api/v1/auth/oidc?next=" + url_encode(local_next(next)));
  }
  return form_page(r, status, "Connexion", "signin", d);
}

void App::add_account_pages() {
  router_.add("GET", "/connexion", [this](const HttpRequest& r, const PathParams&) {
    std::string next = r.param("next") ? *r.param("next") : "";
    if (r.staff) return see_other(local_next(next));
    return sign_in_page(r, 200, "", next, "");
  });

  router_.add("POST", "/connexion", [this](const HttpRequest& r, const PathParams&) {
    auto form = parse_query(r.body);
    std::string email = form["email"].substr(0, 254), next = form["next"];
    if (!form_ok(r, form["csrf"])) return expired_form_page();
    try {
      NewSession s =
          credentials_.sign_in(email, form["password"].substr(0, 1024), client_address(r));
      HttpResponse go = see_other(local_next(next));
      go.headers.emplace_back("Set-Cookie", session_cookie(s.token));
      return go;
    } catch (const TooManyAttempts& e) {
      HttpResponse page =
          sign_in_page(r, 429, email, next,
                       "Trop d'essais ont échoué. Réessayez dans " + std::to_string(e.retry_after) +
                           " secondes, ou demandez un nouveau mot de passe.");
      page.headers.emplace_back("Retry-After", std::to_string(e.retry_after));
      return page;
    } catch (const ClientError&) {
      return sign_in_page(r, 401, email, next, "Adresse électronique ou mot de passe incorrect.");
    }
  });

  router_.add("POST", "/deconnexion", [this](const HttpRequest& r, const PathParams&) {
    auto form = parse_query(r.body);
    if (!form_ok(r, form["csrf"])) return expired_form_page();
    if (r.session_id) credentials_.sign_out(*r.session_id);
    HttpResponse go = see_other("/connexion?sortie=1");
    go.headers.emplace_back("Set-Cookie", session_cookie(""));
    return go;
  });

  router_.add("GET", "/mot-de-passe-oublie", [this](const HttpRequest& r, const PathParams&) {
    PageData d;
    d.set("sent", false);
    return form_page(r, 200, "Mot de passe oublié", "forgot", d);
  });

  router_.add("POST", "/mot-de-passe-oublie", [this](const HttpRequest& r, const PathParams&) {
    auto form = parse_query(r.body);
    if (!form_ok(r, form["csrf"])) return expired_form_page();
    if (auto limited = over_limit(reset_limiter_, r, "too many requests"))
      return error_page(*limited);
    // The same answer whether the address has an account or not.
    credentials_.request_reset(form["email"].substr(0, 254), client_address(r));
    PageData d;
    d.set("sent", true);
    return render_page(200, "Mot de passe oublié", "forgot", d);
  });

  // The page the invitation and reset links open: choose a password.
  auto password_page = [this](const HttpRequest& r, int status, const std::string& token,
                              const std::string& problem) {
    PageData d = form_errors(
        problem.empty() ? std::vector<std::pair<std::string, std::string>>{}
                        : std::vector<std::pair<std::string, std::string>>{{"password", problem}});
    d.set("token", token);
    d.set("action", std::string(kPasswordPagePath));
    return form_page(r, status, "Choisir mon mot de passe", "password", d);
  };
  auto link_refused = [] {
    return message_page(400, "Lien expiré",
                        {"Ce lien n'est plus valable (déjà utilisé ou expiré). Demandez un "
                         "nouveau lien à votre administrateur ou depuis la page de connexion."},
                        "/mot-de-passe-oublie", "Demander un nouveau lien");
  };
  router_.add("GET", kPasswordPagePath, [password_page](const HttpRequest& r, const PathParams&) {
    const std::string* token = r.param("token");
    if (!token || token->empty() || token->size() > 200)
      return message_page(404, "Lien invalide", {"Ce lien n'est pas valide."},
                          "/mot-de-passe-oublie", "Demander un nouveau lien");
    return password_page(r, 200, *token, "");
  });
  router_.add("POST", kPasswordPagePath,
              [this, password_page, link_refused](const HttpRequest& r, const PathParams&) {
                auto form = parse_query(r.body);
                if (!form_ok(r, form["csrf"])) return expired_form_page();
                std::string token = form["token"], password = form["password"];
                if (token.size() > 200 || password.size() > 1024) return link_refused();
                try {
                  credentials_.set_password(token, password, client_address(r));
                } catch (const ClientError& e) {
                  // The password's problems are written in French by the core.
                  if (e.field() == "password") {
                    // "password le mot de passe doit ...": the core's French words.
                    std::string why = std::string(e.what()).substr(e.field().size() + 1);
                    if (!why.empty()) why[0] = static_cast<char>(std::toupper(why[0]));
                    return password_page(r, 400, token, why + ".");
                  }
                  return link_refused();
                }
                return message_page(200, "Mot de passe enregistré",
                                    {"Votre mot de passe est enregistré. Vous pouvez vous "
                                     "connecter."},
                                    "/connexion", "Se connecter");
              });
}

}  // namespace rdv
