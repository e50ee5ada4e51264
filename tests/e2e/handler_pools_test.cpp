// Reads run on threads of their own: a write, or a sign-in, that waits on
// another server never holds up a search, even with every other thread taken;
// as many as the cores the server may use.
#include <gtest/gtest.h>
#include <sched.h>

#include <future>
#include <optional>
#include <thread>

#include "held_host.h"
#include "support/file_text.h"
#include "support/temp_dir.h"
#include "support/wait.h"
#include "usable_cores.h"
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

// The read threads, when not given, are as many as the cores the server may
// use: a server started on one core runs one.
TEST(HandlerPools, TheReadPoolFollowsTheCoresTheServerMayUse) {
  cpu_set_t mine;
  ASSERT_EQ(sched_getaffinity(0, sizeof mine, &mine), 0);
  int first = 0;
  while (!CPU_ISSET(first, &mine)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  TempDir dir;
  ServerOptions o;
  o.extra_args = {"--no-scheduler", "--worker-threads", "8", "--read-threads", "0"};
  o.log_file = dir.file("server.log");
  // The child inherits the affinity of the thread that starts it.
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  std::optional<ServerProcess> server;
  try {
    server.emplace(o);
  } catch (...) {
    sched_setaffinity(0, sizeof mine, &mine);
    throw;
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof mine, &mine), 0);
  auto log = [&] { return file_text(o.log_file); };
  // Info lines reach the log up to 10 ms after they are written.
  EXPECT_TRUE(wait_until([&] { return log().find("\"handler_threads\"") != std::string::npos; },
                         std::chrono::seconds{5}));
  EXPECT_NE(log().find(R"("event":"handler_threads","workers":8,"reads":1})"), std::string::npos)
      << log();
}

TEST(UsableCores, AreTheQuotaOfCpuMax) {
  EXPECT_EQ(quota_cores("150000 100000\n"), 1.5);
  EXPECT_EQ(quota_cores("50000 100000"), 0.5);
  EXPECT_EQ(quota_cores("400000 100000"), 4.0);
  EXPECT_FALSE(quota_cores("max 100000\n")) << "no quota";
  EXPECT_FALSE(quota_cores(""));
  EXPECT_FALSE(quota_cores("0 100000"));
  EXPECT_FALSE(quota_cores("100000"));
  EXPECT_FALSE(quota_cores("100000 0"));
  EXPECT_FALSE(quota_cores("1e5 100000"));
}

TEST(UsableCores, TheSmallestQuotaFromTheContainerDownToTheProcessGroup) {
  TempDir dir;
  std::filesystem::path root = dir.file("cgroup");
  std::filesystem::create_directories(root / "system.slice" / "rendezvous.service");
  auto write = [](const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file) << text;
  };
  write(root / "system.slice" / "cpu.max", "300000 100000\n");
  write(root / "system.slice" / "rendezvous.service" / "cpu.max", "max 100000\n");
  // cgroup v1 lines before the v2 one are not read.
  std::string self = "4:cpu,cpuacct:/elsewhere\n0::/system.slice/rendezvous.service\n";
  EXPECT_EQ(cgroup_quota_cores(self, root), 3.0) << "the slice's quota holds its services";

  write(root / "system.slice" / "rendezvous.service" / "cpu.max", "150000 100000\n");
  EXPECT_EQ(cgroup_quota_cores(self, root), 1.5);

  // In a container's own cgroup namespace, its group is the root.
  EXPECT_FALSE(cgroup_quota_cores("0::/\n", root));
  write(root / "cpu.max", "100000 100000\n");
  EXPECT_EQ(cgroup_quota_cores("0::/\n", root), 1.0);
  EXPECT_EQ(cgroup_quota_cores(self, root), 1.0);

  EXPECT_FALSE(cgroup_quota_cores("4:cpu,cpuacct:/elsewhere\n", root)) << "cgroup v1 only";
  // A group outside the namespace: its quota is not the root's.
  EXPECT_FALSE(cgroup_quota_cores("0::/../system.slice\n", root));

  EXPECT_GE(usable_cores(), 1u);
  EXPECT_LE(usable_cores(), std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace rdv::testing
