// Server-side request forgery, end to end against the built server: an
// agent's calendar subscription or an administrator's webhook must not make
// the server connect to a private or loopback service, nor tell an open port
// from a closed one. A raw listener stands for that service and counts the
// connections it accepts: zero means not even a TCP handshake was made.
#include <gtest/gtest.h>
#include <netdb.h>
#include <unistd.h>

#include "local_server.h"
#include "support/loopback_name.h"
#include "unit/net/counting_listener.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

ServerOptions server_options(const std::string& fetch_allow = "") {
  ServerOptions o;
  if (!fetch_allow.empty()) o.env["RDV_FETCH_ALLOW"] = fetch_allow;
  o.extra_args = {"--no-scheduler"};
  return o;
}

class Ssrf : public ::testing::Test {
 protected:
  explicit Ssrf(const std::string& fetch_allow = "")
      : server_(server_options(fetch_allow)), http_(server_.port()), world_(make_world(http_)) {}

  std::string calendars() const {
    return "/api/v1/agents/" + std::to_string(world_.agent) + "/calendars";
  }
  Reply subscribe(const std::string& url) {
    return http_.post(calendars(), {{"url", url}, {"purpose", "busy"}}, world_.agent_token);
  }
  size_t stored_calendars() { return http_.get(calendars(), world_.agent_token).json().size(); }

  ServerProcess server_;
  HttpClient http_;
  World world_;
};

// 127.0.0.1 is allowed: the fetches that must be made are made.
class SsrfAllowingLoopback : public Ssrf {
 protected:
  SsrfAllowingLoopback() : Ssrf("127.0.0.1") {}
};

void expect_refused_url_field(const Reply& r, const std::string& url) {
  EXPECT_EQ(r.status, 400) << url << ": " << r.body;
  EXPECT_EQ(r.error_code(), "invalid_input") << url;
  if (r.status == 400) {
    EXPECT_EQ(r.json()["error"]["field"], "url") << url << ": " << r.body;
  }
}

TEST_F(Ssrf, SubscriptionsToLiteralPrivateAddressesAreRefusedWithoutAConnection) {
  CountingListener service({"127.0.0.1", "::1"});
  std::string p = std::to_string(service.port());
  for (const std::string& url : {
           "http://127.0.0.1:" + p + "/",
           "http://localhost:" + p + "/",
           "http://[::1]:" + p + "/",
           "http://[::ffff:127.0.0.1]:" + p + "/",
           "http://[::ffff:7f00:1]:" + p + "/",
           "http://2130706433:" + p + "/",
           "http://0x7f.0.0.1:" + p + "/",
           "http://0177.0.0.1:" + p + "/",
           "webcal://127.0.0.1:" + p + "/",
           "http://foo.localhost:" + p + "/",
           "https://127.0.0.1:" + p + "/",
           "http://localhost.:" + p + "/",
           "http://127.1:" + p + "/",
       })
    expect_refused_url_field(subscribe(url), url);
  EXPECT_EQ(stored_calendars(), 0u);
  EXPECT_EQ(service.accepted(), 0);
}

TEST_F(Ssrf, ANameThatResolvesToLoopbackIsRefusedWithoutAConnection) {
  auto name = loopback_name();
  if (!name) GTEST_SKIP() << "no name resolves to 127.0.0.1 or ::1 only on this machine";
  CountingListener service({"127.0.0.1", "::1"});
  Reply r = subscribe("http://" + *name + ":" + std::to_string(service.port()) + "/cal.ics");
  if (r.status == 201) {
    // The error reads like that of a name that does not resolve: nothing
    // tells an agent which internal names exist.
    std::string error = r.json()["last_error"].is_string() ? r.json()["last_error"] : "";
    Reply unknown = subscribe("http://no-such-host.invalid/cal.ics");
    EXPECT_EQ(error, unknown.json()["last_error"]) << r.body;
    EXPECT_TRUE(r.json()["last_success_at"].is_null());
    // Refreshing does not reach it either.
    Reply again =
        http_.post(calendars() + "/" + std::to_string(r.json()["id"].get<long>()) + "/refresh",
                   json::object(), world_.agent_token);
    EXPECT_EQ(again.json()["last_error"], error) << again.body;
  } else {
    expect_refused_url_field(r, *name);
  }
  EXPECT_EQ(service.accepted(), 0) << *name;
}

// An allowed calendar host that sends every request elsewhere.
class Redirector {
 public:
  explicit Redirector(std::string location)
      : location_(std::move(location)),
        server_(local_server_options(1), [this](const HttpRequest&) {
          ++hits_;
          return HttpResponse{302, "text/plain", "", {{"Location", location_}}};
        }) {
    server_.start();
  }
  ~Redirector() { server_.stop(); }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }
  int hits() const { return hits_; }

 private:
  std::string location_;
  std::atomic<int> hits_{0};
  HttpServer server_;
};

TEST_F(SsrfAllowingLoopback, ARedirectToAnAddressThatIsNotAllowedIsNotFollowed) {
  std::unique_ptr<CountingListener> service;
  try {
    service = std::make_unique<CountingListener>(std::vector<std::string>{"127.0.0.2"});
  } catch (const std::exception&) {
    GTEST_SKIP() << "127.0.0.2 cannot be listened on here";
  }
  std::string p = std::to_string(service->port());
  for (const std::string& target : {"http://127.0.0.2:" + p + "/", "http://localhost:" + p + "/",
                                    "http://2130706434:" + p + "/"}) {
    Redirector redirector(target);
    Reply r = subscribe(redirector.url("/cal.ics"));
    ASSERT_EQ(r.status, 201) << r.body;  // the first host is allowed
    EXPECT_GE(redirector.hits(), 1);
    std::string error = r.json()["last_error"].is_string() ? r.json()["last_error"] : "";
    // The same words as for an unreachable address (nothing maps the network).
    EXPECT_NE(error.find("could not be fetched"), std::string::npos) << target << ": " << r.body;
  }
  EXPECT_EQ(service->accepted(), 0);
}

TEST_F(Ssrf, WebhooksToPrivateAddressesAreRefused) {
  CountingListener service({"127.0.0.1", "::1"});
  std::string p = std::to_string(service.port());
  std::string hooks = "/api/v1/organisations/" + std::to_string(world_.org) + "/webhooks";
  for (const std::string& url :
       {"http://127.0.0.1:" + p + "/hook", "http://[::1]:" + p + "/hook",
        "http://2130706433:" + p + "/hook", "http://localhost:" + p + "/hook",
        std::string("http://169.254.169.254/latest/meta-data/"),
        std::string("http://[::ffff:10.0.0.1]/hook"), std::string("http://192.168.1.10/hook")})
    expect_refused_url_field(
        http_.post(hooks, {{"url", url}, {"secret", "0123456789abcdef"}}, world_.admin_token), url);
  EXPECT_EQ(http_.get(hooks, world_.admin_token).json().size(), 0u);
  EXPECT_EQ(
      http_
          .post(hooks, {{"url", "https://crm.example.fr/hook"}, {"secret", "0123456789abcdef"}},
                world_.admin_token)
          .status,
      201);
  EXPECT_EQ(service.accepted(), 0);
}

TEST_F(SsrfAllowingLoopback, AClosedPortReadsLikeAnOpenPortThatDoesNotSpeakHttp) {
  CountingListener silent({"127.0.0.1"});  // accepts and closes
  CountingListener ssh({"127.0.0.1"}, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
  auto error_for = [&](const std::string& url) {
    Reply r = subscribe(url);
    EXPECT_EQ(r.status, 201) << url << ": " << r.body;
    return r.json()["last_error"].is_string() ? r.json()["last_error"].get<std::string>()
                                              : std::string("(none)");
  };
  std::string closed = error_for("http://127.0.0.1:" + std::to_string(closed_port()) + "/c.ics");
  std::string open = error_for("http://127.0.0.1:" + std::to_string(silent.port()) + "/c.ics");
  std::string banner = error_for("http://127.0.0.1:" + std::to_string(ssh.port()) + "/c.ics");
  std::string tls = error_for("https://127.0.0.1:" + std::to_string(ssh.port()) + "/c.ics");
  EXPECT_GE(silent.accepted(), 1);  // the connections were made: the texts are all we compare
  EXPECT_GE(ssh.accepted(), 2);
  EXPECT_NE(closed, "(none)");
  EXPECT_EQ(open, closed);
  EXPECT_EQ(banner, closed);
  EXPECT_EQ(tls, closed);
  for (const char* leak : {"127.0.0.1", "refused", "Connection", "port", "SSL", "TLS", "reset",
                           "Failed", "nothing", "HTTP/0.9"})
    EXPECT_EQ(closed.find(leak), std::string::npos) << leak << " in: " << closed;
}

}  // namespace
}  // namespace rdv::testing
