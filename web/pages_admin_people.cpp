// An organisation's people (invited with a role its administrator may
// grant, deactivated, invited again), its video provider and its webhooks,
// through forms over the API's functions. Secrets are write-only: no page
// shows them, and an empty secret field keeps the stored one.
#include <algorithm>

#include "app.h"
#include "auth.h"
#include "pages_admin.h"
#include "storage/require.h"

namespace rdv {
namespace {

using kainjow::mustache::list;

// The roles an organisation's administrators hand out, in the form's order.
const Role kGrantable[] = {Role::kAgent, Role::kDesk, Role::kOrgAdmin, Role::kObserver};

std::string person_problem(const std::string& field) {
  if (field == "name") return "Indiquez le nom de la personne (200 caractères au plus).";
  if (field == "email") return "Indiquez une adresse électronique valide, comme nom@exemple.fr.";
  return "Choisissez un rôle de la liste.";
}

std::string video_problem(const std::string& field) {
  if (field == "provider") return "Choisissez un service de visio de la liste.";
  if (field == "app_id") return "Indiquez l'identifiant de l'application Jitsi.";
  if (field == "secret")
    return "Indiquez la clé secrète du service (16 caractères au moins) : elle est demandée de "
           "nouveau quand le service ou son adresse change.";
  if (field == "open_minutes_before")
    return "Indiquez en minutes quand le lien s'ouvre avant le rendez-vous, entre 0 et 240.";
  return "Indiquez l'adresse du service de visio, en https, joignable depuis internet ; un "
         "modèle doit contenir {room}.";
}

std::string webhook_problem(const std::string& field) {
  if (field == "secret")
    return "Indiquez un secret de 16 caractères au moins : il sert à signer les envois.";
  if (field == "events") return "Cochez au moins un événement.";
  return "Indiquez une adresse https joignable depuis internet, comme "
         "https://exemple.fr/rendez-vous.";
}

// Without an SMTP server nothing can send the invitation: its link is shown
// once, for the administrator to hand over.
HttpResponse invitation_link_page(const Organisation& org, const std::string& url) {
  return message_page(200, "Lien d'invitation",
                      {"Aucun serveur de courriel n'est configuré : transmettez vous-même ce lien "
                       "à la personne. Il sert une seule fois, pour choisir son mot de passe, et "
                       "n'est plus affiché ensuite.",
                       url},
                      admin_org_path(org.id, "#personnes"), "Retour à l'organisation");
}

}  // namespace

HttpResponse App::invite_form_page(const HttpRequest& r, const Organisation& org, int status,
                                   const FormValues& values, const FormErrors& errors) {
  PageData d = form_errors(errors);
  set_values(d, values);
  std::string chosen = values.count("role") ? values.at("role") : "agent";
  list roles;
  for (Role role : kGrantable) {
    if (!r.staff->may_grant({role, org.id, std::nullopt})) continue;
    PageData rd;
    rd.set("value", std::string(role_name(role)));
    rd.set("label", role_label(role));
    rd.set("checked", chosen == role_name(role));
    roles.push_back(rd);
  }
  d.set("roles", roles);
  d.set("org_path", admin_org_path(org.id));
  return form_page(r, status, "Inviter une personne", "admin_invite", d);
}

HttpResponse App::video_form_page(const HttpRequest& r, const Organisation& org, int status,
                                  const FormValues& values, const FormErrors& errors) {
  PageData d = form_errors(errors);
  FormValues v = values;
  if (v.empty())
    v = {{"provider", std::string(provider_name(org.video.provider))},
         {"url", org.video.url},
         {"app_id", org.video.app_id},
         {"open_minutes_before", std::to_string(org.video.open_minutes_before)}};
  v.erase("secret");  // never shown back
  set_values(d, v);
  list providers;
  for (VideoProvider p : {VideoProvider::kNone, VideoProvider::kJitsi, VideoProvider::kBbb,
                          VideoProvider::kTemplate}) {
    PageData pd;
    pd.set("value", std::string(provider_name(p)));
    pd.set("label", video_provider_fr(p));
    pd.set("checked", v["provider"] == provider_name(p));
    providers.push_back(pd);
  }
  d.set("providers", providers);
  d.set("secret_set", !org.video.secret.empty());
  d.set("org_path", admin_org_path(org.id));
  return form_page(r, status, "Régler la visio", "admin_video", d);
}

HttpResponse App::webhook_form_page(const HttpRequest& r, const Organisation& org, int status,
                                    const FormValues& values,
                                    const std::vector<std::string>& events,
                                    const FormErrors& errors) {
  PageData d = form_errors(errors);
  FormValues v = values;
  v.erase("secret");
  set_values(d, v);
  list items;
  for (WebhookEvent e : kAllWebhookEvents) {
    std::string name(webhook_event_name(e));
    PageData ed;
    ed.set("value", name);
    ed.set("label", event_label_fr(e) + " (" + name + ")");
    ed.set("checked",
           status == 200 || std::find(events.begin(), events.end(), name) != events.end());
    items.push_back(ed);
  }
  d.set("events", items);
  d.set("org_path", admin_org_path(org.id));
  return form_page(r, status, "Ajouter un webhook", "admin_webhook", d);
}

void App::add_admin_people_pages() {
  // Every POST: the CSRF token first, then the rights, then the record's organisation.
  auto checked = [this](const HttpRequest& r, const PathParams& p, HttpResponse& go,
                        std::map<std::string, std::string>& form) -> std::optional<Organisation> {
    form = parse_query(r.body);
    if (!form_ok(r, form["csrf"])) {
      go = expired_form_page();
      return std::nullopt;
    }
    return administered(r, p.id(0), go);
  };

  router_.add("GET", "/espace/admin/organisations/{org}/personnes/inviter",
              [this](const HttpRequest& r, const PathParams& p) {
                HttpResponse go;
                auto org = administered(r, p.id(0), go);
                return org ? invite_form_page(r, *org, 200, {}, {}) : go;
              });
  router_.add("POST", "/espace/admin/organisations/{org}/personnes",
              [this, checked](const HttpRequest& r, const PathParams& p) {
                HttpResponse go;
                std::map<std::string, std::string> form;
                auto org = checked(r, p, go, form);
                if (!org) return go;
                FormValues v = {{"name", form["name"].substr(0, 300)},
                                {"email", form["email"].substr(0, 300)},
                                {"role", form["role"].substr(0, 30)}};
                Json body = {
                    {"name", v["name"]},
                    {"email", v["email"]},
                    {"memberships", {{{"role", v["role"]}, {"organisation_id", org->id}}}}};
                FormErrors errors;
                Json invited;
                try {
                  invited = invite_account(*r.staff, body);
                } catch (const ClientError& e) {
                  std::string field = e.field();
                  if (field.rfind("memberships", 0) == 0 || field.empty()) field = "role";
                  errors.push_back({field, e.code() == ErrorCode::kEmailTaken
                                               ? "Une autre personne a déjà un compte avec "
                                                 "cette adresse électronique."
                                               : person_problem(field)});
                }
                if (!errors.empty()) return invite_form_page(r, *org, 400, v, errors);
                if (invited.contains("invitation_url"))
                  return invitation_link_page(*org, invited["invitation_url"]);
                return see_other(admin_org_path(org->id, "?fait=invitation#personnes"));
              });
  // Acting on an account of this organisation that this person may manage.
  auto on_account = [this, checked](const char* done, Json (App::*action)(const Staff&, Id)) {
    return [this, checked, done, action](const HttpRequest& r, const PathParams& p) {
      HttpResponse go;
      std::map<std::string, std::string> form;
      auto org = checked(r, p, go, form);
      if (!org) return go;
      Id id = p.id(1);
      store_.read([&](StoreReader& s) {
        auto a = s.accounts().account(id);
        if (!a || std::none_of(a->memberships.begin(), a->memberships.end(),
                               [&](const Membership& m) { return m.organisation_id == org->id; }))
          throw ClientError(ErrorCode::kNotFound, "account not found");
      });
      Json done_json;
      try {
        done_json = (this->*action)(*r.staff, id);
      } catch (const ClientError& e) {
        if (e.code() == ErrorCode::kInvalidTransition)
          return see_other(admin_org_path(org->id, "?refus=invitation#personnes"));
        if (e.code() != ErrorCode::kForbidden && e.code() != ErrorCode::kNotFound) throw;
        return see_other(admin_org_path(org->id, "?refus=compte#personnes"));
      }
      if (done_json.contains("invitation_url"))
        return invitation_link_page(*org, done_json["invitation_url"]);
      return see_other(admin_org_path(org->id, std::string("?fait=") + done + "#personnes"));
    };
  };
  router_.add("POST", "/espace/admin/organisations/{org}/personnes/{id}/desactiver",
              on_account("desactive", &App::deactivate_account));
  router_.add("POST", "/espace/admin/organisations/{org}/personnes/{id}/invitation",
              on_account("invitation-renvoyee", &App::resend_invitation));

  router_.add("GET", "/espace/admin/organisations/{org}/visio",
              [this](const HttpRequest& r, const PathParams& p) {
                HttpResponse go;
                auto org = administered(r, p.id(0), go);
                return org ? video_form_page(r, *org, 200, {}, {}) : go;
              });
  router_.add(
      "POST", "/espace/admin/organisations/{org}/visio",
      [this, checked](const HttpRequest& r, const PathParams& p) {
        HttpResponse go;
        std::map<std::string, std::string> form;
        auto org = checked(r, p, go, form);
        if (!org) return go;
        FormValues v;
        for (const char* name : {"provider", "url", "app_id", "open_minutes_before"})
          v[name] = form[name].substr(0, 2100);
        Json body = {{"provider", v["provider"]}, {"url", v["url"]}, {"app_id", v["app_id"]}};
        // An empty field keeps the secret in place (it is never sent to the
        // page), for the same provider at the same address only: links
        // signed with it must not go to a host the person chose.
        std::string secret = form["secret"].substr(0, 600);
        bool same_host =
            v["provider"] == provider_name(org->video.provider) && v["url"] == org->video.url;
        body["secret"] = secret.empty() && same_host ? org->video.secret : secret;
        put_integer(body, "open_minutes_before", v["open_minutes_before"]);
        try {
          set_video(org->id, body);
        } catch (const ClientError& e) {
          std::string field = e.field().empty() ? "url" : e.field();
          return video_form_page(r, *org, 400, v, {{field, video_problem(field)}});
        }
        return see_other(admin_org_path(org->id, "?fait=visio#visio"));
      });

  router_.add("GET", "/espace/admin/organisations/{org}/webhooks/nouveau",
              [this](const HttpRequest& r, const PathParams& p) {
                HttpResponse go;
                auto org = administered(r, p.id(0), go);
                return org ? webhook_form_page(r, *org, 200, {}, {}, {}) : go;
              });
  router_.add(
      "POST", "/espace/admin/organisations/{org}/webhooks",
      [this, checked](const HttpRequest& r, const PathParams& p) {
        HttpResponse go;
        std::map<std::string, std::string> form;
        auto org = checked(r, p, go, form);
        if (!org) return go;
        FormValues v = {{"url", form["url"].substr(0, 2100)}};
        auto events = form_values(r.body, "events");
        Json body = {
            {"url", v["url"]}, {"secret", form["secret"].substr(0, 300)}, {"events", events}};
        FormErrors errors =
            every_refusal(body,
                          [&](const Json& b) {
                            Webhook w;
                            read_webhook_fields(b, w, true);
                          },
                          webhook_problem, "url",
                          {{"url", "https://exemple.fr/"}, {"secret", "stand-in-secret-0123"}});
        if (errors.empty()) {
          try {
            add_webhook(org->id, body);
          } catch (const ClientError& e) {
            std::string field = e.field().empty() ? "url" : e.field();
            errors.push_back({field, webhook_problem(field)});
          }
        }
        if (!errors.empty()) return webhook_form_page(r, *org, 400, v, events, errors);
        return see_other(admin_org_path(org->id, "?fait=webhook-ajoute#webhooks"));
      });
  router_.add("POST", "/espace/admin/organisations/{org}/webhooks/{id}/supprimer",
              [this, checked](const HttpRequest& r, const PathParams& p) {
                HttpResponse go;
                std::map<std::string, std::string> form;
                auto org = checked(r, p, go, form);
                if (!org) return go;
                remove_webhook(org->id, p.id(1));
                return see_other(admin_org_path(org->id, "?fait=webhook-supprime#webhooks"));
              });
}

}  // namespace rdv
