// PgDirectory against SqliteDirectory: the same calls give the same results.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "storage/postgres/migrate.h"
#include "unit/storage/pg_twin.h"

namespace rdv {
namespace {

using namespace rdv::testing;

constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();  // a negative LIMIT in SQLite

TEST(PgDirectory, WritesAndReadsEveryEntityLikeSqlite) {
  Twin twin;
  twin.execute("INSERT INTO territories(id, name, created_at) VALUES (1, 'Gironde', 0)");
  auto ids = twin.same([](Parts& p) {
    Organisation a = organisation("Mairie de Bègles", 1);
    a.colleagues_see_agendas = true;
    Id org_a = p.directory.insert_organisation(a);
    Id org_b = p.directory.insert_organisation(organisation("France Services Cenon"));
    Place pa = place(org_a, "Hôtel de ville", "33130");
    pa.address = "Place Pierre Semard";
    pa.city = "Bègles";
    pa.accessibility = "Rampe d'accès";
    pa.opening_hours = "Lun-Ven 9h-17h";
    pa.latitude = 44.80854723461234;
    pa.longitude = -0.5478;
    Id place_a = p.directory.insert_place(pa);
    Id place_b = p.directory.insert_place(place(org_b, "Annexe", ""));  // no coordinates
    Service s = service(org_a, "Carte d'identité", {Mode::kVideo, Mode::kInPerson});
    s.description = "Première demande ou renouvellement";
    s.keywords = {"CNI", "passeport"};
    s.documents_to_bring = {"Photo", "Justificatif de domicile"};
    s.duration_minutes = 20;
    s.slot_step_minutes = 10;
    s.min_notice_minutes = 60;
    s.horizon_days = 30;
    s.buffer_before_minutes = 5;
    s.buffer_after_minutes = 10;
    s.capacity = 3;
    s.cancel_until_minutes = 120;
    s.bookable_by = {"desk", "agent"};
    s.reminders = {1440};
    Id service_id = p.directory.insert_service(s);
    // Organisations given out of order: both read them back by id.
    Id agent_id = p.directory.insert_agent(
        {0, "Claire Martin", "claire@example.fr", "+33600000000", "secret-1", {org_b, org_a}});
    Id webhook_id = p.directory.insert_webhook({0,
                                                org_a,
                                                "https://hooks.example.fr/a",
                                                "s3cret",
                                                {WebhookEvent::kCancelled, WebhookEvent::kCreated}},
                                               utc("2026-01-02T03:04:05Z"));
    return std::vector<Id>{org_a, org_b, place_a, place_b, service_id, agent_id, webhook_id};
  });
  ASSERT_EQ(ids.size(), 7u);
  Id org_a = ids[0], org_b = ids[1], place_a = ids[2], place_b = ids[3], service_id = ids[4],
     agent_id = ids[5], webhook_id = ids[6];

  auto read_all = [&](Parts& p) {
    return std::vector<std::string>{
        show(p.directory.organisation(org_a)), show(p.directory.organisation(org_b)),
        show(p.directory.organisation(999)),   show(p.directory.place(place_a)),
        show(p.directory.place(place_b)),      show(p.directory.place(999)),
        show(p.directory.service(service_id)), show(p.directory.service(999)),
        show(p.directory.agent(agent_id)),     show(p.directory.agent(999)),
        show(p.directory.webhooks_of(org_a)),  show(p.directory.setting("missing"))};
  };
  auto before = twin.same(read_all);
  EXPECT_NE(before[0].find("territory=1 colleagues=true"), std::string::npos) << before[0];
  EXPECT_NE(before[3].find("44.80854723461234"), std::string::npos) << before[3];
  EXPECT_NE(before[4].find("null null"), std::string::npos) << before[4];  // NULL coordinates
  EXPECT_NE(before[8].find("orgs=[" + show(org_a) + ", " + show(org_b) + "]"), std::string::npos)
      << before[8];
  EXPECT_EQ(before[2], "null");

  twin.same([&](Parts& p) {
    Organisation o = *p.directory.organisation(org_a);
    o.name = "Mairie de Bègles (centre)";
    o.kind = "france_services";
    o.timezone = "America/Cayenne";
    o.colleagues_see_agendas = false;
    o.territory_id = std::nullopt;  // not something update_organisation changes
    p.directory.update_organisation(o);
    p.directory.update_organisation_video(
        org_b, {VideoProvider::kJitsi, "https://meet.example.fr", "rdv", "jwt-secret", 5});
    p.directory.set_organisation_archived(org_b, true);
    Place pl = *p.directory.place(place_a);
    pl.name = "Mairie annexe";
    pl.postcode = "33131";
    pl.latitude = std::nullopt;
    pl.longitude = 2.5;
    pl.timezone = "Europe/Brussels";
    p.directory.update_place(pl);
    Service s = *p.directory.service(service_id);
    s.name = "Passeport";
    s.keywords = {"voyage"};
    s.modes = ModeSet::from_csv("phone").value();
    s.reminders = {};
    p.directory.update_service(s);
    Service elsewhere = s;  // a service never moves: this update changes nothing
    elsewhere.organisation_id = org_b;
    elsewhere.name = "Ailleurs";
    p.directory.update_service(elsewhere);
    p.directory.set_service_archived(service_id, true);
    p.directory.update_agent(
        {agent_id, "Claire Dupont", "claire.dupont@example.fr", "", "not-this-way", {}});
    p.directory.update_agent_ics_secret(agent_id, "secret-2");
    p.directory.update_webhook(
        {webhook_id, org_a, "https://hooks.example.fr/b", "other", {WebhookEvent::kDone}});
    return 0;
  });
  auto after = twin.same(read_all);
  EXPECT_NE(after[0].find("territory=1 colleagues=false"), std::string::npos) << after[0];
  EXPECT_NE(after[1].find("jitsi"), std::string::npos) << after[1];
  EXPECT_NE(after[1].find("archived=true"), std::string::npos) << after[1];
  EXPECT_NE(after[6].find("archived=true"), std::string::npos) << after[6];
  EXPECT_NE(after[8].find("secret-2"), std::string::npos) << after[8];

  // The search text follows the update (new name, the organisation's new
  // name), and un-archiving finds the service again.
  twin.same([&](Parts& p) {
    p.directory.set_service_archived(service_id, false);
    p.directory.set_organisation_archived(org_b, false);
    return 0;
  });
  auto found = twin.same([](Parts& p) {
    return std::vector<std::vector<Service>>{
        p.directory.search_services({"passeport", "centre"}, std::nullopt, 10),
        p.directory.search_services({"identite"}, std::nullopt, 10),
        p.directory.search_services({"voyage"}, Mode::kPhone, 10)};
  });
  EXPECT_EQ(found[0].size(), 1u);
  EXPECT_TRUE(found[1].empty());
  EXPECT_EQ(found[2].size(), 1u);
  EXPECT_FALSE(twin.same([&](Parts& p) { return p.directory.organisation(org_b)->archived; }));
}

TEST(PgDirectory, ListsFilterAndOrderLikeSqlite) {
  Twin twin;
  twin.execute(
      "INSERT INTO territories(id, name, created_at) VALUES (1, 'Gironde', 0), (2, 'Landes', 0)");
  auto orgs = twin.same([](Parts& p) {
    std::vector<Id> o;
    o.push_back(p.directory.insert_organisation(organisation("Zèbre", 1)));
    o.push_back(p.directory.insert_organisation(organisation("alpha", 2)));
    o.push_back(p.directory.insert_organisation(organisation("Bêta", 1)));
    o.push_back(p.directory.insert_organisation(organisation("Gamma")));
    o.push_back(p.directory.insert_organisation(organisation("Delta", 1)));
    p.directory.set_organisation_archived(o[2], true);
    return o;
  });
  ASSERT_EQ(orgs.size(), 5u);
  auto lists = twin.same([&](Parts& p) {
    return std::vector<std::vector<Organisation>>{
        p.directory.organisations(std::nullopt, false, 0, 100),
        p.directory.organisations(std::nullopt, true, 0, 100),
        p.directory.organisations(1, false, 0, 100),
        p.directory.organisations(1, true, 0, 100),
        p.directory.organisations(2, true, 0, 100),
        p.directory.organisations(std::nullopt, true, orgs[1], 2),  // the next page
        p.directory.organisations(std::nullopt, true, orgs[4], 2),  // past the end
        p.directory.organisations(std::nullopt, true, 0, 0),
        p.directory.organisations(std::nullopt, true, 0, kNoLimit),
        p.directory.organisations(999, true, 0, 100)};
  });
  EXPECT_EQ(lists[0].size(), 4u);
  EXPECT_EQ(lists[1].size(), 5u);
  EXPECT_EQ(lists[2].size(), 2u);
  EXPECT_EQ(lists[3].size(), 3u);
  EXPECT_EQ(lists[4].size(), 1u);
  ASSERT_EQ(lists[5].size(), 2u);
  EXPECT_EQ(lists[5][0].id, orgs[2]);
  EXPECT_TRUE(lists[6].empty());
  EXPECT_TRUE(lists[7].empty());
  EXPECT_EQ(lists[8].size(), 5u);
  EXPECT_TRUE(lists[9].empty());

  twin.same([&](Parts& p) {
    p.directory.insert_place(place(orgs[1], "P1", "33000"));
    p.directory.insert_place(place(orgs[0], "P2", "33100"));
    p.directory.insert_place(place(orgs[1], "P3", "33200"));
    p.directory.insert_place(place(orgs[3], "P4", "40000"));
    p.directory.insert_service(service(orgs[1], "S1"));
    p.directory.insert_service(service(orgs[0], "S2"));
    p.directory.insert_service(service(orgs[3], "S3"));
    // Names that sort differently by bytes (as SQLite does) and by locale;
    // two Bobs, ordered by id.
    p.directory.insert_agent(agent("Zoé", {orgs[1]}));
    p.directory.insert_agent(agent("alice", {orgs[1]}));
    p.directory.insert_agent(agent("Bob", {orgs[1]}));
    p.directory.insert_agent(agent("émile", {orgs[1]}));
    p.directory.insert_agent({0, "Bob", "", "", "secret-bob-2", {orgs[1]}});
    p.directory.insert_agent(agent("Élise", {orgs[1], orgs[0]}));
    p.directory.insert_agent(agent("Yves", {orgs[0]}));
    p.directory.insert_webhook({0, orgs[1], "https://b", "k", {}}, utc("2026-01-01T00:00:00Z"));
    p.directory.insert_webhook({0, orgs[1], "https://a", "k", {WebhookEvent::kRescheduled}},
                               utc("2026-01-01T00:00:00Z"));
    return 0;
  });
  auto places = twin.same([&](Parts& p) {
    return std::vector<std::vector<Place>>{
        p.directory.places_of({}), p.directory.places_of({orgs[1], orgs[0]}),
        p.directory.places_of({orgs[3]}), p.directory.places_of({999})};
  });
  EXPECT_TRUE(places[0].empty());
  EXPECT_EQ(places[1].size(), 3u);
  EXPECT_EQ(places[2].size(), 1u);
  EXPECT_TRUE(places[3].empty());
  auto services = twin.same([&](Parts& p) {
    return std::vector<std::vector<Service>>{p.directory.services_of({}),
                                             p.directory.services_of({orgs[3], orgs[1], orgs[0]}),
                                             p.directory.services_of({orgs[4]})};
  });
  EXPECT_TRUE(services[0].empty());
  EXPECT_EQ(services[1].size(), 3u);
  EXPECT_TRUE(services[2].empty());
  auto agents = twin.same([&](Parts& p) {
    return std::vector<std::vector<Agent>>{p.directory.agents_of(orgs[1]),
                                           p.directory.agents_of(orgs[0]),
                                           p.directory.agents_of(orgs[4])};
  });
  ASSERT_EQ(agents[0].size(), 6u);
  EXPECT_EQ(agents[0][0].name, "Bob");
  EXPECT_LT(agents[0][0].id, agents[0][1].id);
  EXPECT_EQ(agents[0][3].name, "alice");
  EXPECT_EQ(agents[0][5].name, "émile");
  EXPECT_EQ(agents[0][0].ics_secret, "");  // lists leave the secret out
  EXPECT_EQ(agents[0][4].organisation_ids, (std::vector<Id>{orgs[0], orgs[1]}));
  EXPECT_EQ(agents[1].size(), 2u);
  EXPECT_TRUE(agents[2].empty());
  // One agent is read with its organisations in one query: the same, with
  // two organisations, one, or none.
  Id solo = twin.same([&](Parts& p) { return p.directory.insert_agent(agent("Solo", {})); });
  auto one = twin.same([&](Parts& p) {
    return std::vector<std::optional<Agent>>{p.directory.agent(agents[0][4].id),
                                             p.directory.agent(agents[0][0].id),
                                             p.directory.agent(solo), p.directory.agent(999999)};
  });
  ASSERT_TRUE(one[0] && one[1] && one[2]);
  EXPECT_EQ(one[0]->organisation_ids, (std::vector<Id>{orgs[0], orgs[1]}));
  EXPECT_EQ(one[1]->organisation_ids, (std::vector<Id>{orgs[1]}));
  EXPECT_TRUE(one[2]->organisation_ids.empty());
  EXPECT_NE(one[0]->ics_secret, "");  // read alone, an agent carries its secret
  EXPECT_FALSE(one[3]);
  auto hooks = twin.same([&](Parts& p) {
    return std::vector<std::vector<Webhook>>{p.directory.webhooks_of(orgs[1]),
                                             p.directory.webhooks_of(orgs[0])};
  });
  EXPECT_EQ(hooks[0].size(), 2u);
  EXPECT_TRUE(hooks[1].empty());
}

// The test cluster sorts text by bytes (initdb --locale=C) as SQLite does; a
// production database may well sort it the French way. Names are ordered
// by bytes there too.
TEST(PgDirectory, OrdersNamesByBytesWhateverTheDatabaseLocale) {
  std::string url = test_cluster().url("french");
  {
    pqxx::connection admin(scratch_database());
    pqxx::nontransaction q(admin);
    q.exec(
        "CREATE DATABASE french TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'fr-FR' "
        "LOCALE 'C'");
  }
  postgres::migrate(url);
  Twin twin(url);
  {
    pqxx::connection c(url);
    pqxx::nontransaction q(c);
    // The database does sort differently: "alice" before "Bob".
    ASSERT_EQ(
        q.exec1("SELECT min(n) AS m FROM (VALUES ('Bob'), ('alice')) AS t(n)")[0].as<std::string>(),
        "alice");
  }
  auto org = twin.same([](Parts& p) {
    Id o = p.directory.insert_organisation(organisation("Mairie"));
    for (const char* name : {"Zoé", "alice", "Bob", "émile", "Élise"}) {
      p.directory.insert_agent(agent(name, {o}));
      p.directory.insert_service(service(o, name));
    }
    return o;
  });
  auto agents = twin.same([&](Parts& p) { return p.directory.agents_of(org); });
  ASSERT_EQ(agents.size(), 5u);
  EXPECT_EQ(agents[0].name, "Bob");
  auto services =
      twin.same([](Parts& p) { return p.directory.search_services({}, std::nullopt, 10); });
  ASSERT_EQ(services.size(), 5u);
  EXPECT_EQ(services[0].name, "Bob");
}

TEST(PgDirectory, SearchesServicesAndPlacesLikeSqlite) {
  Twin twin;
  auto ids = twin.same([](Parts& p) {
    Id begles = p.directory.insert_organisation(organisation("Mairie de Bègles"));
    Id cenon = p.directory.insert_organisation(organisation("France Services Cenon"));
    Id town_hall = p.directory.insert_place(place(begles, "Hôtel de ville", "33130"));
    Id annex = p.directory.insert_place(place(begles, "Annexe", "33000"));
    Id paris = p.directory.insert_place(place(cenon, "Antenne", "75001"));
    Id bare = p.directory.insert_place(place(cenon, "Sans code", ""));
    Service id_card = service(begles, "Carte d'identité");
    id_card.keywords = {"CNI", "passeport"};
    std::vector<Id> s;
    s.push_back(p.directory.insert_service(id_card));
    s.push_back(p.directory.insert_service(service(cenon, "carte grise", {Mode::kVideo})));
    s.push_back(
        p.directory.insert_service(service(begles, "Passeport", {Mode::kInPerson, Mode::kPhone})));
    s.push_back(p.directory.insert_service(service(cenon, "Carte vitale")));
    p.directory.set_service_archived(s.back(), true);
    s.push_back(p.directory.insert_service(service(cenon, "État civil", {Mode::kPhone})));
    s.push_back(p.directory.insert_service(service(cenon, "Aide numérique")));  // no opening
    Id agent_id = p.directory.insert_agent(agent("Agent", {begles, cenon}));
    auto offer = [&](Id place_id, std::vector<Id> services) {
      p.agenda.insert_opening(opening(agent_id, place_id, std::move(services),
                                      period("2026-12-01T09:00:00", "2026-12-01T12:00:00")));
    };
    offer(town_hall, {s[0], s[2]});
    offer(town_hall, {s[0]});  // the same place twice: listed once
    offer(paris, {s[0], s[1]});
    offer(annex, {s[0]});
    offer(bare, {s[4]});
    return s;
  });
  ASSERT_EQ(ids.size(), 6u);
  auto found = twin.same([](Parts& p) {
    return std::vector<std::vector<Service>>{
        p.directory.search_services({}, std::nullopt, 100),
        p.directory.search_services({"carte"}, std::nullopt, 100),
        p.directory.search_services({"carte", "identite"}, std::nullopt, 100),
        p.directory.search_services({"cni"}, std::nullopt, 100),
        p.directory.search_services({"passe"}, std::nullopt, 100),
        p.directory.search_services({"begles"}, std::nullopt, 100),  // the organisation's name
        p.directory.search_services({"carte"}, Mode::kVideo, 100),
        p.directory.search_services({}, Mode::kPhone, 100),
        p.directory.search_services({}, Mode::kInPerson, 2),
        p.directory.search_services({"carte"}, std::nullopt, 0),
        p.directory.search_services({"vitale"}, std::nullopt, 100),  // archived
        p.directory.search_services({""}, std::nullopt, 100),
        p.directory.search_services({"zzz"}, std::nullopt, 100),
        p.directory.search_services({}, std::nullopt, kNoLimit),
        p.directory.search_services({"etat"}, Mode::kVideo, 100)};
  });
  EXPECT_EQ(found[0].size(), 5u);
  ASSERT_EQ(found[1].size(), 2u);
  EXPECT_EQ(found[1][0].name, "Carte d'identité");  // bytes: "C" before "c"
  EXPECT_EQ(found[2].size(), 1u);
  EXPECT_EQ(found[3].size(), 1u);
  EXPECT_EQ(found[4].size(), 2u);
  EXPECT_EQ(found[5].size(), 2u);
  EXPECT_EQ(found[6].size(), 1u);
  EXPECT_EQ(found[7].size(), 2u);
  EXPECT_EQ(found[8].size(), 2u);
  EXPECT_TRUE(found[9].empty());
  EXPECT_TRUE(found[10].empty());
  EXPECT_EQ(found[11].size(), 5u);
  EXPECT_TRUE(found[12].empty());
  EXPECT_EQ(found[13].size(), 5u);
  EXPECT_TRUE(found[14].empty());

  auto places = twin.same([&](Parts& p) {
    std::vector<std::vector<Place>> out;
    for (const char* prefix : {"", "33", "331", "33130", "331300", "7", "9"})
      out.push_back(p.directory.places_offering(ids[0], prefix));
    out.push_back(p.directory.places_offering(ids[4], ""));
    out.push_back(p.directory.places_offering(ids[4], "3"));
    out.push_back(p.directory.places_offering(ids[5], ""));
    out.push_back(p.directory.places_offering(999, ""));
    return out;
  });
  EXPECT_EQ(places[0].size(), 3u);
  EXPECT_EQ(places[1].size(), 2u);
  EXPECT_EQ(places[2].size(), 1u);
  EXPECT_EQ(places[3].size(), 1u);
  EXPECT_TRUE(places[4].empty());
  EXPECT_EQ(places[5].size(), 1u);
  EXPECT_TRUE(places[6].empty());
  EXPECT_EQ(places[7].size(), 1u);
  EXPECT_TRUE(places[8].empty());
  EXPECT_TRUE(places[9].empty());
  EXPECT_TRUE(places[10].empty());
}

TEST(PgDirectory, UsesDeletionsAndSettingsLikeSqlite) {
  Twin twin;
  EXPECT_TRUE(twin.same([](Parts& p) { return p.directory.is_empty(); }));
  auto ids = twin.same([](Parts& p) {
    std::vector<Id> o;
    for (const char* name : {"unused", "place", "service", "agent", "member", "webhook"})
      o.push_back(p.directory.insert_organisation(organisation(name)));
    Id used_place = p.directory.insert_place(place(o[1], "P", "33000"));
    Id booked = p.directory.insert_service(service(o[2], "Booked"));
    Id linked = p.directory.insert_service(service(o[2], "Only offered"));
    Id agent_id = p.directory.insert_agent(agent("A", {o[3]}));
    Id hook =
        p.directory.insert_webhook({0, o[5], "https://h", "k", {}}, utc("2026-01-01T00:00:00Z"));
    Id spare_place = p.directory.insert_place(place(o[2], "Unused place", ""));
    p.agenda.insert_opening(opening(agent_id, used_place, {booked, linked},
                                    period("2026-12-01T09:00:00", "2026-12-01T12:00:00")));
    p.agenda.insert_opening(opening(agent_id, used_place, {linked},
                                    period("2026-12-02T09:00:00", "2026-12-02T12:00:00")));
    o.insert(o.end(), {used_place, booked, linked, agent_id, hook, spare_place});
    return o;
  });
  ASSERT_EQ(ids.size(), 12u);
  Id used_place = ids[6], booked = ids[7], linked = ids[8], agent_id = ids[9], hook = ids[10],
     spare_place = ids[11];
  twin.execute(
      "INSERT INTO accounts(id, name, email, status, created_at) "
      "VALUES (1, 'Membre', 'm@example.fr', 'active', 0);"
      "INSERT INTO memberships(account_id, role, organisation_id) VALUES (1, 'desk', " +
      std::to_string(ids[4]) + ");");
  // Bookings of any status count as uses of their place.
  for (int i = 0; i < 2; ++i) {
    std::string start = std::to_string(1000 * i), end = std::to_string(1000 * i + 600);
    twin.execute(
        "INSERT INTO bookings(service_id, agent_id, place_id, mode, start_at, end_at, "
        "block_start, block_end, capacity, status, booked_by, manage_token_hash, created_at) "
        "VALUES (" +
        std::to_string(booked) + ", " + std::to_string(agent_id) + ", " +
        std::to_string(used_place) + ", 'in_person', " + start + ", " + end + ", " + start + ", " +
        end + ", 1, '" + (i ? "cancelled" : "confirmed") + "', 'resident', 'hash" +
        std::to_string(i) + "', 0)");
  }

  auto uses = twin.same([&](Parts& p) {
    std::vector<std::int64_t> out;
    for (int i = 0; i < 6; ++i) out.push_back(p.directory.organisation_in_use(ids[i]));
    out.push_back(p.directory.organisation_in_use(999));
    out.push_back(p.directory.uses_of_place(used_place));
    out.push_back(p.directory.uses_of_place(spare_place));
    out.push_back(p.directory.uses_of_place(999));
    out.push_back(p.directory.is_empty());
    return out;
  });
  EXPECT_EQ(uses, (std::vector<std::int64_t>{0, 1, 1, 1, 1, 1, 0, 4, 0, 0, 0}));

  auto settings = twin.same([](Parts& p) {
    std::vector<std::optional<std::string>> out;
    out.push_back(p.directory.setting("signing_key"));
    out.push_back(p.directory.ensure_setting("signing_key", "first"));
    out.push_back(p.directory.ensure_setting("signing_key", "second"));
    out.push_back(p.directory.setting("signing_key"));
    out.push_back(p.directory.ensure_setting("empty", ""));
    return out;
  });
  ASSERT_EQ(settings.size(), 5u);
  EXPECT_FALSE(settings[0]);
  EXPECT_EQ(settings[2], std::optional<std::string>("first"));
  EXPECT_EQ(twin.same([](Parts& p) { return p.directory.ensure_setting("signing_key", "third"); }),
            "first");

  // A service offered but never booked goes with its openings' links; then
  // what nothing names any more.
  twin.same([&](Parts& p) {
    p.directory.delete_webhook(hook);
    p.directory.delete_service(linked);
    p.directory.delete_place(spare_place);
    p.directory.delete_organisation(ids[0]);
    return 0;
  });
  auto gone = twin.same([&](Parts& p) {
    return std::vector<std::string>{show(p.directory.service(linked)),
                                    show(p.directory.place(spare_place)),
                                    show(p.directory.organisation(ids[0])),
                                    show(p.directory.webhooks_of(ids[5])),
                                    show(p.directory.organisation_in_use(ids[5])),
                                    show(p.agenda.agent_openings(agent_id, kAllTime)),
                                    show(p.directory.places_offering(linked, "")),
                                    show(p.directory.places_offering(booked, ""))};
  });
  EXPECT_EQ(gone[0], "null");
  EXPECT_EQ(gone[1], "null");
  EXPECT_EQ(gone[2], "null");
  EXPECT_EQ(gone[3], "[]");
  EXPECT_EQ(gone[4], "false");
  EXPECT_NE(gone[5].find("services=[" + show(booked) + "]"), std::string::npos) << gone[5];
  EXPECT_NE(gone[5].find("services=[]"), std::string::npos) << gone[5];
  EXPECT_EQ(gone[6], "[]");
  EXPECT_NE(gone[7], "[]");
}

}  // namespace
}  // namespace rdv
