// What the administrators' pages share: reading their forms into the JSON
// bodies the API's own functions take, and turning the API's refusals into
// French messages by the form's fields.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "accounts/account.h"
#include "accounts/staff.h"
#include "domain/error.h"
#include "domain/events.h"
#include "json_io.h"
#include "render.h"

namespace rdv {

// "/espace/admin/organisations/ORG" and what follows.
std::string admin_org_path(Id org, const std::string& tail = "");

// Form text into JSON as the API reads it. Integers and numbers stay text
// when they are not ones, so that the API's check names their field; empty
// fields are left out (the API's default, or the stored value when editing).
void put_integer(Json& body, const char* name, const std::string& text);
void put_number(Json& body, const char* name, const std::string& text);
// "a, b" or one per line into a list of trimmed, non-empty items.
void put_list(Json& body, const char* name, const std::string& text, char separator);
void put_integer_list(Json& body, const char* name, const std::string& text);

// Runs the API's `check` on `body`, again without each field it refuses, to
// report every mistake at once: {field, french(field)} for each refused
// field (the form's ids are the API's names); a refusal naming no field is
// put on `fallback_field`. `stand_ins`: values a required field may take
// meanwhile, for kinds the generic ones do not fit (a URL).
FormErrors every_refusal(Json body, const std::function<void(const Json&)>& check,
                         const std::function<std::string(const std::string&)>& french,
                         const std::string& fallback_field, const Json& stand_ins = Json::object());

// French labels for an account's status, a webhook's event, a video provider
// (a role's: role_label, render.h).
std::string account_status_fr(AccountStatus s);

std::string event_label_fr(WebhookEvent e);
std::string video_provider_fr(VideoProvider p);
std::string french_rating(double rating);  // "4,5 sur 5"
std::string french_share(double share);    // "67 %"

// The organisations `me` administers or observes, closed ones too (their history stays).
std::vector<Organisation> observed_organisations(StoreReader& s, const Staff& me);

// Sets on `d` each value of `values` (the typed text, shown back).
void set_values(PageData& d, const std::map<std::string, std::string>& values);

}  // namespace rdv
