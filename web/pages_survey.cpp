// The satisfaction survey a resident opens from the after-visit message, and
// the offer to book again. The answer is kept apart from the booking (the
// core's answer_survey).
#include "app.h"
#include "csrf.h"
#include "domain/error.h"
#include "domain/french_dates.h"
#include "domain/text.h"
#include "render.h"

namespace rdv {

HttpResponse App::survey_page(const HttpRequest& r, const std::string& token,
                              const std::map<std::string, std::string>& values,
                              const std::vector<std::pair<std::string, std::string>>& errors,
                              int status) {
  auto id = links_.survey_booking(token);
  PageData d = form_errors(errors);
  bool found = false;
  if (id)
    store_.read([&](StoreReader& s) {
      auto b = s.booking(*id);
      auto service = b ? s.service(b->service_id) : std::nullopt;
      if (!b || !service) return;
      found = true;
      auto org = s.organisation(service->organisation_id);
      auto place = s.place(b->place_id);
      Zone zone = date::locate_zone(place ? place->timezone : "Europe/Paris");
      d.set("service", service->name);
      d.set("organisation", org ? org->name : "");
      d.set("when", french_moment(b->start, zone));
      d.set("answered", b->survey_answered);
      d.set("again_url", "/services/" + std::to_string(service->id));
    });
  if (!found) return invalid_link_page();
  auto value = [&](const char* name) {
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  };
  kainjow::mustache::list ratings;
  static const char* labels[] = {"1 – pas du tout satisfait(e)", "2 – peu satisfait(e)",
                                 "3 – assez satisfait(e)", "4 – satisfait(e)",
                                 "5 – très satisfait(e)"};
  for (int i = 1; i <= 5; ++i) {
    PageData rating;
    rating.set("value", std::to_string(i));
    rating.set("label", labels[i - 1]);
    rating.set("checked", value("rating") == std::to_string(i));
    ratings.push_back(rating);
  }
  d.set("ratings", ratings);
  d.set("solved_yes", value("solved") == "oui");
  d.set("solved_no", value("solved") == "non");
  d.set("comment", value("comment"));
  d.set("action", "/avis/" + token);
  return form_page(r, status, "Votre avis", "survey", d);
}

void App::add_survey_pages() {
  router_.add("GET", "/avis/{token}", [this](const HttpRequest& r, const PathParams& p) {
    return survey_page(r, p.text(0), {}, {}, 200);
  });

  router_.add("POST", "/avis/{token}", [this](const HttpRequest& r, const PathParams& p) {
    auto form = parse_query(r.body);
    const std::string& token = p.text(0);
    auto id = links_.survey_booking(token);
    if (!id) return invalid_link_page();
    if (!form_ok(r, form["csrf"])) return expired_form_page();
    std::map<std::string, std::string> values = {{"rating", form["rating"].substr(0, 1)},
                                                 {"solved", form["solved"].substr(0, 3)},
                                                 {"comment", form["comment"].substr(0, 2000)}};
    std::vector<std::pair<std::string, std::string>> errors;
    SurveyAnswer answer;
    if (values["rating"].size() != 1 || values["rating"][0] < '1' || values["rating"][0] > '5')
      errors.push_back({"rating", "Choisissez une note de 1 à 5."});
    else
      answer.rating = values["rating"][0] - '0';
    if (values["solved"] != "oui" && values["solved"] != "non")
      errors.push_back({"solved", "Dites si votre demande a été réglée."});
    answer.solved = values["solved"] == "oui";
    try {
      check_text(values["comment"], TextKind::kMultiLine, "comment");
      answer.comment = values["comment"];
    } catch (const ClientError&) {
      errors.push_back({"comment", "Ce commentaire contient des caractères refusés."});
    }
    if (!errors.empty()) return survey_page(r, token, values, errors, 400);
    try {
      bookings_.answer_survey(*id, answer);
    } catch (const ClientError& e) {
      if (e.code() != ErrorCode::kAlreadyAnswered) throw;
    }
    return HttpResponse{303, "text/plain", "", {{"Location", "/avis/" + token}}};
  });
}

}  // namespace rdv
