// Managing what was set up: lists, changes and removals of organisations,
// territories, places, services, agents, openings, absences and webhooks,
// and the lists of bookings (an agent's day or week, an organisation's, a
// desk's own), filtered and by pages.
#include "app.h"
#include "auth.h"
#include "booking/retention.h"
#include "directory_fields.h"
#include "domain/contact.h"
#include "domain/error.h"
#include "error_status.h"
#include "query_params.h"
#include "storage/require.h"

namespace rdv {
namespace {

Json agent_json(const Agent& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"email", a.email},
          {"phone", a.phone},
          {"organisation_ids", a.organisation_ids}};
}

// Closing or reopening an organisation: the department's administrators and
// those of its territory.
void require_may_close(const Staff& me, const Organisation& o) {
  if (!me.is_admin() && !(o.territory_id && me.administers_territory(*o.territory_id)))
    throw ClientError(ErrorCode::kForbidden,
                      "only the administrators of its territory may close or reopen an "
                      "organisation");
}

// Archives every service of a closing organisation: nothing is found nor
// booked there any more.
void archive_organisation(StoreWriter& tx, const Organisation& o) {
  for (const Service& s : tx.directory().services_of({o.id}))
    tx.directory().set_service_archived(s.id, true);
}

// The filters of a booking list from the query: from, to, status, service,
// place, after (the `next` of the previous page), limit.
BookingFilter booking_filter(const HttpRequest& r) {
  BookingFilter f;
  if (r.param("from")) f.from = instant_param(r, "from", {});
  if (r.param("to")) f.to = instant_param(r, "to", {});
  if (f.from && f.to && *f.to <= *f.from) invalid_field("to", "must be after from");
  if (const std::string* status = r.param("status")) {
    f.status = parse_status(*status);
    if (!f.status) invalid_field("status", "must be confirmed, cancelled, done or noshow");
  }
  f.service_id = id_param(r, "service");
  f.place_id = id_param(r, "place");
  if (const std::string* after = r.param("after")) {
    auto dot = after->find('.');
    try {
      if (dot == std::string::npos) throw std::invalid_argument("no dot");
      size_t used = 0;
      long long at = std::stoll(after->substr(0, dot), &used);
      long long id = std::stoll(after->substr(dot + 1));
      if (used != dot || id <= 0) throw std::invalid_argument("bad");
      f.after = std::make_pair(from_epoch(at), static_cast<Id>(id));
    } catch (const std::exception&) {
      invalid_field("after", "must be the next value of the previous page");
    }
  }
  f.limit = static_cast<size_t>(int_param(r, "limit", 100, 1, 500));
  return f;
}

}  // namespace

HttpResponse App::booking_list(BookingFilter filter,
                               const std::function<bool(StoreReader&, const Booking&)>& keep) {
  Json items = Json::array();
  std::string next;
  store_.read([&](StoreReader& s) {
    auto found = s.bookings().list(filter);
    for (const Booking& b : found)
      if (!keep || keep(s, b)) items.push_back(booking_json(s, b, "", true));
    if (found.size() == filter.limit)
      next = std::to_string(to_epoch(found.back().start)) + "." + std::to_string(found.back().id);
  });
  return json_response(200,
                       {{"items", items}, {"next", next.empty() ? Json(nullptr) : Json(next)}});
}

void App::add_manage_routes() {
  // Organisations and territories.
  router_.add("GET", "/api/v1/organisations", [this](const HttpRequest& r, const PathParams&) {
    auto territory = id_param(r, "territory_id");
    // Closed organisations are listed for staff who ask for them.
    bool archived = r.staff && r.staff->manages_people() && r.param("archived") &&
                    *r.param("archived") == "true";
    Id after = id_param(r, "after").value_or(0);
    size_t limit = static_cast<size_t>(int_param(r, "limit", 100, 1, 500));
    Json items = Json::array();
    Id last = 0;
    size_t count = 0;
    store_.read([&](StoreReader& s) {
      for (const Organisation& o : s.directory().organisations(territory, archived, after, limit)) {
        items.push_back(to_json(o));
        last = o.id;
        ++count;
      }
    });
    return json_response(
        200, {{"items", items}, {"next_after", count == limit ? Json(last) : Json(nullptr)}});
  });
  router_.add("PATCH", "/api/v1/organisations/{org}",
              [this](const HttpRequest& r, const PathParams& p) {
                Id id = p.id(0);
                require_org_admin_of(r, id);
                Json body = parse_json_object(r);
                Organisation o;
                store_.write([&](StoreWriter& tx) {
                  o = require_organisation(tx, id);
                  Fields f(body);
                  auto archived = f.opt_bool("archived");
                  read_organisation_fields(f, o, false);
                  f.done();
                  tx.directory().update_organisation(o);
                  // Reopened: its services stay archived until each is brought back.
                  // Closing and reopening are the territory's decision, as DELETE.
                  if (archived && *archived != o.archived) {
                    require_may_close(require_staff(r), o);
                    if (*archived) archive_organisation(tx, o);
                    tx.directory().set_organisation_archived(id, *archived);
                    o.archived = *archived;
                  }
                });
                return json_response(200, to_json(o));
              });
  // An organisation closes: removed when nothing names it, archived
  // otherwise (its services archived, so nothing is found nor booked there;
  // its bookings and history stay). The department's and the territory's
  // administrators decide.
  router_.add("DELETE", "/api/v1/organisations/{org}",
              [this](const HttpRequest& r, const PathParams& p) {
                const Staff& me = require_staff(r);
                Id id = p.id(0);
                std::optional<Organisation> archived;
                store_.write([&](StoreWriter& tx) {
                  Organisation o = require_organisation(tx, id);
                  require_may_close(me, o);
                  if (!tx.directory().organisation_in_use(id)) {
                    tx.directory().delete_organisation(id);
                    return;
                  }
                  archive_organisation(tx, o);
                  tx.directory().set_organisation_archived(id, true);
                  o.archived = true;
                  archived = o;
                });
                if (archived) return json_response(200, to_json(*archived));
                return HttpResponse{204, "application/json", "", {}};
              });
  router_.add("GET", "/api/v1/territories/{id}", [this](const HttpRequest& r, const PathParams& p) {
    const Staff& me = require_staff(r);
    Json out;
    store_.read([&](StoreReader& s) {
      auto t = s.accounts().territory(p.id(0));
      // Its administrators and the staff of its organisations.
      auto orgs = t ? s.accounts().organisations_of_territory(t->id) : std::vector<Id>{};
      if (!t || !(me.administers_territory(t->id) ||
                  std::any_of(orgs.begin(), orgs.end(), [&](Id o) { return me.member_of(o); })))
        throw ClientError(ErrorCode::kNotFound, "territory not found");
      out = {{"id", t->id}, {"name", t->name}, {"organisation_ids", orgs}};
    });
    return json_response(200, out);
  });
  // Only an empty territory goes: organisations and memberships first.
  router_.add("DELETE", "/api/v1/territories/{id}",
              [this](const HttpRequest& r, const PathParams& p) {
                require_admin(require_staff(r));
                store_.write([&](StoreWriter& tx) {
                  if (!tx.accounts().territory(p.id(0)))
                    throw ClientError(ErrorCode::kNotFound, "territory not found");
                  if (tx.accounts().territory_in_use(p.id(0)))
                    throw ClientError(ErrorCode::kInvalidTransition,
                                      "organisations or accounts are in this territory: move or "
                                      "remove them first");
                  tx.accounts().delete_territory(p.id(0));
                });
                return HttpResponse{204, "application/json", "", {}};
              });
  router_.add("PATCH", "/api/v1/territories/{id}",
              [this](const HttpRequest& r, const PathParams& p) {
                Id id = p.id(0);
                if (!require_staff(r).administers_territory(id))
                  throw ClientError(ErrorCode::kNotFound, "territory not found");
                Json body = parse_json_object(r);
                Fields f(body);
                std::string name = f.text("name", 200);
                f.done();
                Territory t;
                store_.write([&](StoreWriter& tx) {
                  auto found = tx.accounts().territory(id);
                  if (!found) throw ClientError(ErrorCode::kNotFound, "territory not found");
                  t = *found;
                  t.name = name;
                  tx.accounts().rename_territory(id, name);
                });
                return json_response(200, {{"id", t.id}, {"name", t.name}});
              });

  // Places.
  router_.add("GET", "/api/v1/organisations/{org}/places",
              [this](const HttpRequest&, const PathParams& p) {
                Id org = p.id(0);
                Json out = Json::array();
                store_.read([&](StoreReader& s) {
                  require_organisation(s, org);
                  for (const Place& place : s.directory().places_of({org}))
                    out.push_back(to_json(place));
                });
                return json_response(200, out);
              });
  router_.add("PATCH", "/api/v1/places/{id}", [this](const HttpRequest& r, const PathParams& p) {
    const Staff& me = require_staff(r);  // who asks, then what they send
    Json body = parse_json_object(r);
    return json_response(200, update_place(me, p.id(0), body));
  });
  router_.add("DELETE", "/api/v1/places/{id}", [this](const HttpRequest& r, const PathParams& p) {
    remove_place(require_staff(r), p.id(0));
    return HttpResponse{204, "application/json", "", {}};
  });

  // Services: archived rather than deleted once booked.
  router_.add("GET", "/api/v1/organisations/{org}/services",
              [this](const HttpRequest& r, const PathParams& p) {
                Id org = p.id(0);
                // Archived services are shown to the organisation's administrators only.
                bool archived = r.staff && r.staff->administers(org) && r.param("archived") &&
                                *r.param("archived") == "true";
                Json out = Json::array();
                store_.read([&](StoreReader& s) {
                  require_organisation(s, org);
                  for (const Service& service : s.directory().services_of({org}))
                    if (!service.archived || archived) out.push_back(to_json(service));
                });
                return json_response(200, out);
              });
  router_.add("PATCH", "/api/v1/services/{id}", [this](const HttpRequest& r, const PathParams& p) {
    const Staff& me = require_staff(r);  // who asks, then what they send
    Json body = parse_json_object(r);
    return json_response(200, update_service(me, p.id(0), body));
  });
  router_.add("DELETE", "/api/v1/services/{id}", [this](const HttpRequest& r, const PathParams& p) {
    std::optional<Service> archived = remove_service(require_staff(r), p.id(0));
    if (archived) return json_response(200, to_json(*archived));
    return HttpResponse{204, "application/json", "", {}};
  });

  // Agents: their colleagues and administrators see them; people leave by
  // deactivating their account (POST /api/v1/accounts/{id}/deactivate).
  router_.add("GET", "/api/v1/organisations/{org}/agents",
              [this](const HttpRequest& r, const PathParams& p) {
                Id org = p.id(0);
                if (!require_staff(r).member_of(org))
                  throw ClientError(ErrorCode::kForbidden, "only the organisation's staff");
                Json out = Json::array();
                store_.read([&](StoreReader& s) {
                  for (const Agent& a : s.directory().agents_of(org)) out.push_back(agent_json(a));
                });
                return json_response(200, out);
              });
  router_.add("GET", "/api/v1/agents/{agent}", [this](const HttpRequest& r, const PathParams& p) {
    const Staff& me = require_staff(r);
    Agent agent;
    store_.read([&](StoreReader& s) { agent = require_agent(s, p.id(0)); });
    if (std::none_of(agent.organisation_ids.begin(), agent.organisation_ids.end(),
                     [&](Id org) { return me.member_of(org); }))
      throw ClientError(ErrorCode::kForbidden, "only the staff of the agent's organisations");
    return json_response(200, agent_json(agent));
  });
  router_.add("PATCH", "/api/v1/agents/{agent}", [this](const HttpRequest& r, const PathParams& p) {
    Agent agent = managed_agent(r, p.id(0));
    Json body = parse_json_object(r);
    Fields f(body);
    if (auto name = f.opt_text("name", 200)) {
      if (name->empty()) invalid_field("name", "must not be empty");
      agent.name = *name;
    }
    if (auto email = f.opt_text("email", 254))
      agent.email = email->empty() ? "" : checked_mailbox(*email, "email");
    std::optional<std::string> phone = f.opt_text("phone", 30);
    f.done();
    store_.write([&](StoreWriter& tx) {
      if (phone) {
        Organisation org = require_organisation(tx, agent.organisation_ids.at(0));
        agent.phone = phone->empty()
                          ? ""
                          : checked_phone(*phone, phone_region_of_zone(org.timezone), "phone");
      }
      tx.directory().update_agent(agent);
    });
    return json_response(200, agent_json(agent));
  });

  // Webhooks.
  router_.add("DELETE", "/api/v1/organisations/{org}/webhooks/{id}",
              [this](const HttpRequest& r, const PathParams& p) {
                require_org_admin_of(r, p.id(0));
                remove_webhook(p.id(0), p.id(1));
                return HttpResponse{204, "application/json", "", {}};
              });

  // Booking lists.
  router_.add("GET", "/api/v1/agents/{agent}/bookings",
              [this](const HttpRequest& r, const PathParams& p) {
                Agent agent = managed_agent(r, p.id(0));
                BookingFilter f = booking_filter(r);
                f.agent_id = agent.id;
                return booking_list(f);
              });
  // An agent leaves or is away for long: their coming bookings in the
  // organisations the caller administers go to a colleague, each one that
  // the colleague can take (a member of the booking's organisation, free,
  // and open for it at that time and place); the others are listed with the
  // reason.
  router_.add(
      "POST", "/api/v1/agents/{agent}/bookings/reassign",
      [this](const HttpRequest& r, const PathParams& p) {
        const Staff& me = require_staff(r);
        Agent from;
        store_.read([&](StoreReader& s) { from = require_agent(s, p.id(0)); });
        if (std::none_of(from.organisation_ids.begin(), from.organisation_ids.end(),
                         [&](Id org) { return me.administers(org); }))
          throw ClientError(ErrorCode::kForbidden,
                            "only administrators of this agent's organisations may do this");
        Json body = parse_json_object(r);
        Fields f(body);
        Id to = f.id("to_agent_id");
        std::optional<Instant> since = f.opt_instant("from"), until = f.opt_instant("to");
        f.done();
        if (to == from.id) invalid_field("to_agent_id", "is the same agent");
        store_.read([&](StoreReader& s) {
          if (!s.agent(to)) invalid_field("to_agent_id", "no such agent");
        });
        BookingFilter filter;
        filter.agent_id = from.id;
        filter.status = BookingStatus::kConfirmed;
        filter.from = std::max(since.value_or(clock_.now()), clock_.now());
        filter.to = until;
        filter.limit = 500;
        Json moved = Json::array(), left = Json::array();
        std::optional<std::pair<Instant, Id>> after;
        for (;;) {
          filter.after = after;
          std::vector<Booking> page;
          store_.read([&](StoreReader& s) { page = s.bookings().list(filter); });
          for (const Booking& b : page) {
            try {
              bool ours = false;
              store_.read([&](StoreReader& s) {
                Id org = require_service(s, b.service_id).organisation_id;
                ours = me.administers(org);
                if (ours) require_colleague(s, to, org, "to_agent_id");
              });
              if (!ours) continue;  // another organisation's: not the caller's to move
              bookings_.reassign(b.id, to);
              moved.push_back(b.id);
            } catch (const ClientError& e) {
              left.push_back({{"id", b.id},
                              {"start", format_rfc3339(b.start, date::locate_zone("Europe/Paris"))},
                              {"code", std::string(error_wire(e.code()).code)},
                              {"message", e.what()}});
            }
          }
          if (page.size() < filter.limit) break;
          after = std::pair{page.back().start, page.back().id};
        }
        return json_response(200, {{"reassigned", moved}, {"left", left}});
      });
  router_.add("GET", "/api/v1/organisations/{org}/bookings",
              [this](const HttpRequest& r, const PathParams& p) {
                Id org = p.id(0);
                require_org_admin_of(r, org);
                BookingFilter f = booking_filter(r);
                f.organisation_id = org;
                return booking_list(f);
              });
  // A resident's data, on their request (RGPD articles 15 and 17): what the
  // caller administers of it, exported as JSON or erased. The contact comes
  // in the body, never in a URL that proxies would log.
  auto resident_contact = [](const HttpRequest& r) {
    Json body = parse_json_object(r);
    Fields f(body);
    std::string email = f.text_or("email", "", 254), phone = f.text_or("phone", "", 30);
    f.done();
    if (email.empty() && phone.empty()) invalid_field("email", "give an email or a phone");
    if (!email.empty()) email = checked_mailbox(email, "email");
    if (!phone.empty()) phone = checked_french_phone(phone, "phone");
    return std::make_pair(email, phone);
  };
  router_.add(
      "POST", "/api/v1/residents/export",
      [this, resident_contact](const HttpRequest& r, const PathParams&) {
        const Staff& me = require_staff(r);
        if (!me.manages_people())
          throw ClientError(ErrorCode::kForbidden, "only administrators export data");
        auto contact = resident_contact(r);  // (not a structured binding: lambdas below capture it)
        const std::string &email = contact.first, &phone = contact.second;
        Json bookings = Json::array();
        store_.read([&](StoreReader& s) {
          for (const Booking& b : s.bookings().of_contact(email, phone)) {
            Service service = require_service(s, b.service_id);
            if (!me.administers(service.organisation_id)) continue;
            Json j = booking_json(s, b, "", true);
            j["service"] = service.name;
            j["mandate"] = b.mandate_json.empty() ? Json(nullptr)
                                                  : Json::parse(b.mandate_json, nullptr, false);
            j["summary"] = b.summary;
            Json docs = Json::array();
            for (const Document& d : s.bookings().documents_of(b.id))
              docs.push_back({{"filename", d.filename}, {"size", d.size}});
            j["documents"] = docs;
            bookings.push_back(j);
          }
        });
        return json_response(
            200, {{"exported_at", format_rfc3339(clock_.now(), date::locate_zone("Europe/Paris"))},
                  {"bookings", bookings}});
      });
  router_.add(
      "POST", "/api/v1/residents/erase",
      [this, resident_contact](const HttpRequest& r, const PathParams&) {
        const Staff& me = require_staff(r);
        if (!me.manages_people())
          throw ClientError(ErrorCode::kForbidden, "only administrators erase data");
        auto contact = resident_contact(r);  // (not a structured binding: lambdas below capture it)
        const std::string &email = contact.first, &phone = contact.second;
        std::vector<Id> mine;
        Instant now = clock_.now();
        std::vector<Id> to_cancel;
        store_.read([&](StoreReader& s) {
          for (const Booking& b : s.bookings().of_contact(email, phone)) {
            if (!me.administers(require_service(s, b.service_id).organisation_id)) continue;
            mine.push_back(b.id);
            if (b.status == BookingStatus::kConfirmed && b.start > now) to_cancel.push_back(b.id);
          }
        });
        // Visits to come are cancelled first (their time is free again),
        // then nothing of the person is kept (nor messaged any more).
        for (Id id : to_cancel) bookings_.cancel(id, Actor::kStaff, "");
        std::vector<Document> files;
        store_.write([&](StoreWriter& tx) {
          for (Id id : mine) {
            for (Document& d : tx.bookings().documents_of(id)) files.push_back(d);
            tx.bookings().anonymise(id);
          }
        });
        remove_document_files(options_.documents_dir, files);
        return json_response(
            200, {{"bookings_erased", mine.size()}, {"bookings_cancelled", to_cancel.size()}});
      });

  router_.add("GET", "/api/v1/me/bookings", [this](const HttpRequest& r, const PathParams&) {
    const Staff& me = require_staff(r);
    BookingFilter f = booking_filter(r);
    f.booked_by_account_id = me.account_id();  // the ones this person made...
    // ...and may still act on (a withdrawn mandate ends a desk's access).
    return booking_list(f, [&](StoreReader& s, const Booking& b) {
      return may_manage_booking(s, me, b, clock_.now());
    });
  });
}

}  // namespace rdv
