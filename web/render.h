// Pages from the Mustache templates of web/templates, embedded in the binary:
// every value is escaped unless a template asks otherwise ({{{...}}} only for
// markup rendered here), and one layout frames every page.
#pragma once

#include <kainjow/mustache.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "accounts/account.h"
#include "domain/model.h"
#include "domain/time.h"
#include "http_types.h"

namespace rdv {

using PageData = kainjow::mustache::data;
// A form as typed (field name to value), and its errors (field, message).
using FormValues = std::map<std::string, std::string>;
using FormErrors = std::vector<std::pair<std::string, std::string>>;

// Template `name` (web/templates/NAME.mustache) rendered with `data`.
// std::logic_error for a template that is missing or malformed (a bug).
std::string render_template(const std::string& name, const PageData& data);

// A whole page: the layout around template `name`, with `title` as the
// page's title and first heading.
HttpResponse render_page(int status, const std::string& title, const std::string& name,
                         PageData data);

// What the template _errors shows: the errors of a form, each naming its
// field (the id the link at the top points to), and how many.
PageData form_errors(const std::vector<std::pair<std::string, std::string>>& errors);

// Items of a week grouped by their local day, in date order, for the
// templates: each day is {key "2026-12-08", label "mardi 8 décembre", and
// its items under the name the template reads}.
class DayGroups {
 public:
  void add(LocalDateTime day, PageData item);
  bool empty() const { return days_.empty(); }
  kainjow::mustache::list days(const std::string& items_name) const;

 private:
  std::map<std::string, std::pair<std::string, kainjow::mustache::list>> days_;
};

// Sets `name` to `value`, or to false when it is empty: Mustache shows a
// section {{#name}} for "" too, and a missing name would be looked up in the
// enclosing data (a list item would show its page's value).
void set_text(PageData& d, const std::string& name, const std::string& value);

class StoreReader;

// What a booking hangs from, as the pages about it read it.
struct BookingContext {
  Service service;
  std::optional<Organisation> organisation;
  std::optional<Place> place;
  Zone zone = nullptr;  // the place's
};

// Sets what every page about a booking shows: service, organisation, when
// (with the zone when it is not Paris'), mode, place (in person), resident,
// documents to bring (has_documents: the service names some).
BookingContext set_booking_facts(PageData& d, StoreReader& s, const Booking& b);

// A page of a few paragraphs, and a link onwards when given.
HttpResponse message_page(int status, const std::string& title, std::vector<std::string> lines,
                          const std::string& link_url = "", const std::string& link_text = "");

// `r` with a Set-Cookie header for `cookie` (none when it is empty).
HttpResponse with_cookie(HttpResponse r, const std::string& cookie);

// A query parameter of a page, at most 500 bytes ("" when absent).
std::string param(const HttpRequest& r, const char* name);

// "2026-12-08" of a local date.
std::string day_key(LocalDateTime t);

// The first day of a week of slots shown: ?semaine=YYYY-MM-DD, not before today.
date::local_days first_day(const HttpRequest& r, Instant now, Zone zone);

// A redirect after a form (303, See Other).
HttpResponse see_other(const std::string& location);

// A role in French: "agent", "accueil France Services", "observateur"...
std::string role_label(Role r);

// How a visit takes place, in French: "Sur place", "Par téléphone", "En visio".
std::string mode_label(Mode m);

// A file of web/static (the stylesheet), or nullptr.
const std::string* static_asset(const std::string& name);

}  // namespace rdv
