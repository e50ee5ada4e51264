// Reads run on threads of their own: a write, or a sign-in, that waits on
// another server never holds up a search, even with every other thread taken.
#include <gtest/gtest.h>

#include <future>

#include "held_host.h"
#include "world.h"

namespace rdv::testing {
namespace {

using namespace std::chrono_literals;

// One thread for each pool: the smallest server where one waiting request
// takes a whole pool.
ServerOptions one_thread_each(std::vector<std::string> extra_args = {}) {
  ServerOptions o;
  o.env["RDV_WORKER_THREADS"] = "1";
  o.env["RDV_READ_THREADS"] = "1";
  o.env["RDV_FETCH_ALLOW"] = "127.0.0.1";
  o.extra_args = std::move(extra_args);
  o.extra_args.push_back("--no-scheduler");
  return o;
}

std::string slots_of(const World& w) {
  return "/api/v1/slots?service=" + std::to_string(w.service) + "&from=" + w.day +
         "T00:00:00Z&to=" + w.day + "T23:59:00Z";
}

TEST(HandlerPools, ASearchIsAnsweredWhileEveryWriteThreadWaitsOnAnotherServer) {
  HeldHost host;
  ServerProcess server(one_thread_each());
  HttpClient http(server.port());
  World w = make_world(http);
  std::string calendars = "/api/v1/agents/" + std::to_string(w.agent) + "/calendars";

  // Subscribing fetches the calendar in the request: the only write thread waits on the host.
  auto subscribe = std::async(std::launch::async, [&] {
    return http.post(calendars, {{"url", host.url("/agenda.ics")}, {"purpose", "busy"}},
                     w.agent_token);
  });
  ASSERT_TRUE(host.holds(1));

  auto search = std::async(std::launch::async, [&] { return http.get(slots_of(w)); });
  Reply slots = within_seconds(search, host);
  EXPECT_EQ(slots.status, 200) << slots.body;
  EXPECT_FALSE(slots.json().empty());
  // A second write does queue behind the first: what the search did not do.
  auto absence = std::async(std::launch::async, [&] {
    return http.post("/api/v1/agents/" + std::to_string(w.agent) + "/absences",
                     {{"start", w.day + "T08:00"}, {"end", w.day + "T08:30"}}, w.agent_token);
  });
  EXPECT_EQ(absence.wait_for(300ms), std::future_status::timeout);

  host.release();
  Reply subscribed = subscribe.get();
  EXPECT_EQ(subscribed.status, 201) << subscribed.body;
  Reply absent = absence.get();
  EXPECT_EQ(absent.status, 201) << absent.body;
}

TEST(HandlerPools, ASignInWaitingOnItsProviderDoesNotTakeTheReadThread) {
  HeldHost provider;
  ServerProcess server(one_thread_each({"--oidc-issuer", provider.url(""), "--oidc-client-id",
                                        "rendez-vous", "--oidc-client-secret", "s3cret"}));
  HttpClient http(server.port());
  World w = make_world(http);

  // The first sign-in reads the provider's discovery document: a GET that waits.
  auto start = std::async(std::launch::async, [&] { return http.get("/api/v1/auth/oidc"); });
  ASSERT_TRUE(provider.holds(1));

  auto search = std::async(std::launch::async, [&] { return http.get(slots_of(w)); });
  Reply slots = within_seconds(search, provider);
  EXPECT_EQ(slots.status, 200) << slots.body;

  provider.release();
  // An empty calendar is no discovery document: the sign-in says so.
  EXPECT_GE(start.get().status, 500);
}

}  // namespace
}  // namespace rdv::testing
