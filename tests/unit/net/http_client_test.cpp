// send_http against real sockets on this machine: a listener that stands for
// a private service counts the connections it accepts; the checks must stop
// a call before the TCP handshake, not after it.
#include "net/http_client.h"

#include <gtest/gtest.h>
#include <netdb.h>
#include <unistd.h>

#include "net/call_target.h"
#include "net/special_purpose.h"
#include "support/loopback_name.h"
#include "unit/net/counting_listener.h"

namespace rdv {
namespace {

using testing::closed_port;
using testing::CountingListener;
using testing::loopback_name;
using Kind = HttpClientError::Kind;

HttpClientPolicy allowing(std::vector<std::string> hosts) {
  HttpClientPolicy p;
  p.allowed_private_hosts = std::move(hosts);
  p.timeout = std::chrono::seconds{5};
  return p;
}

// The kind and message of the failure of a GET, or the status when it succeeded.
struct Outcome {
  std::optional<Kind> kind;
  std::string message;
  long status = 0;
};

Outcome get(const std::string& url, const HttpClientPolicy& policy) {
  OutgoingRequest r;
  r.url = url;
  try {
    return {std::nullopt, "", send_http(policy, r).status};
  } catch (const HttpClientError& e) {
    return {e.kind(), e.what(), 0};
  }
}

std::string redirect_to(const std::string& location) {
  return "HTTP/1.1 302 Found\r\nLocation: " + location +
         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

const char* const kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

TEST(SendHttp, LiteralPrivateAddressesAreRefusedBeforeAnyConnection) {
  CountingListener listener({"127.0.0.1", "::1"});
  std::string p = std::to_string(listener.port());
  for (const std::string& url :
       {"http://127.0.0.1:" + p + "/", "http://localhost:" + p + "/", "http://[::1]:" + p + "/",
        "http://[::ffff:127.0.0.1]:" + p + "/", "http://2130706433:" + p + "/",
        "http://0x7f.0.0.1:" + p + "/", "http://0177.0.0.1:" + p + "/",
        "https://127.0.0.1:" + p + "/", "http://foo.localhost:" + p + "/"}) {
    Outcome o = get(url, {});
    EXPECT_EQ(o.kind, Kind::kNotAllowed) << url;
  }
  OutgoingRequest post;
  post.method = "POST";
  post.url = "http://127.0.0.1:" + p + "/hook";
  EXPECT_THROW(send_http({}, post), HttpClientError);
  EXPECT_EQ(listener.accepted(), 0);
}

TEST(SendHttp, ANameResolvingToLoopbackIsRefusedBeforeAnyConnection) {
  auto name = loopback_name();
  if (!name) GTEST_SKIP() << "no name resolves to 127.0.0.1 or ::1 only here";
  CountingListener listener({"127.0.0.1", "::1"});
  Outcome o = get("http://" + *name + ":" + std::to_string(listener.port()) + "/", {});
  EXPECT_EQ(o.kind, Kind::kNotAllowed) << *name;
  EXPECT_EQ(listener.accepted(), 0);
  // Allowed by its address, the same name is called.
  Outcome allowed = get("http://" + *name + ":" + std::to_string(listener.port()) + "/",
                        allowing({"127.0.0.1", "::1"}));
  EXPECT_EQ(allowed.kind, Kind::kUnreachable);  // the listener closes without a word
  EXPECT_GE(listener.accepted(), 1);
}

// What the system resolver says of the name is not used: libcurl connects to
// the addresses that were checked, and the last check, before connect(),
// refuses an address the policy does not allow.
TEST(CallChecked, TheConnectionGoesOnlyToTheCheckedAddresses) {
  auto name = loopback_name();
  if (!name) GTEST_SKIP() << "no name resolves to 127.0.0.1 or ::1 only here";
  std::unique_ptr<CountingListener> pinned, system;
  try {
    pinned = std::make_unique<CountingListener>(std::vector<std::string>{"127.0.0.2"});
    system = std::make_unique<CountingListener>(std::vector<std::string>{"127.0.0.1", "::1"}, "",
                                                pinned->port());
  } catch (const std::exception&) {
    GTEST_SKIP() << "cannot listen on 127.0.0.2 and 127.0.0.1 with one port here";
  }
  CallTarget target =
      examine_url("http://" + *name + ":" + std::to_string(pinned->port()) + "/", {});
  OutgoingRequest get;
  get.url = target.url;
  const std::vector<IpAddress> checked = {IpAddress::v4(127, 0, 0, 2)};
  try {
    call_checked(allowing({"127.0.0.2"}), get, target, checked, std::chrono::seconds{5});
    ADD_FAILURE() << "the listener does not speak HTTP";
  } catch (const HttpClientError& e) {
    EXPECT_EQ(e.kind(), Kind::kUnreachable) << e.detail();
  }
  EXPECT_EQ(pinned->accepted(), 1);
  EXPECT_EQ(system->accepted(), 0);

  try {
    call_checked({}, get, target, checked, std::chrono::seconds{5});
    ADD_FAILURE() << "connected to a loopback address that is not allowed";
  } catch (const HttpClientError& e) {
    EXPECT_EQ(e.kind(), Kind::kNotAllowed) << e.detail();
  }
  EXPECT_EQ(pinned->accepted(), 1);
  EXPECT_EQ(system->accepted(), 0);
}

TEST(SendHttp, RedirectsArePlacedUnderTheSameChecksHopByHop) {
  std::unique_ptr<CountingListener> inner;
  try {
    inner = std::make_unique<CountingListener>(std::vector<std::string>{"127.0.0.2"}, kOk);
  } catch (const std::exception&) {
    GTEST_SKIP() << "127.0.0.2 cannot be listened on here";
  }
  std::string inner_url = "http://127.0.0.2:" + std::to_string(inner->port()) + "/";
  CountingListener outer({"127.0.0.1"}, redirect_to(inner_url));
  std::string outer_url = "http://127.0.0.1:" + std::to_string(outer.port()) + "/cal.ics";

  Outcome refused = get(outer_url, allowing({"127.0.0.1"}));
  EXPECT_EQ(refused.kind, Kind::kNotAllowed);
  EXPECT_EQ(outer.accepted(), 1);
  EXPECT_EQ(inner->accepted(), 0);

  // Allowed as well, the redirect is followed.
  Outcome followed = get(outer_url, allowing({"127.0.0.1", "127.0.0.2"}));
  EXPECT_FALSE(followed.kind) << followed.message;
  EXPECT_EQ(followed.status, 200);
  EXPECT_EQ(inner->accepted(), 1);

  // A POST is never redirected: the 302 is the answer.
  OutgoingRequest post;
  post.method = "POST";
  post.url = outer_url;
  EXPECT_EQ(send_http(allowing({"127.0.0.1", "127.0.0.2"}), post).status, 302);
  EXPECT_EQ(inner->accepted(), 1);
}

TEST(SendHttp, RedirectsToOtherSchemesOrTooManyAreRefused) {
  CountingListener to_file({"127.0.0.1"}, redirect_to("file:///etc/passwd"));
  EXPECT_EQ(
      get("http://127.0.0.1:" + std::to_string(to_file.port()) + "/", allowing({"127.0.0.1"})).kind,
      Kind::kRedirect);
  CountingListener to_localhost({"127.0.0.1"}, redirect_to("http://localhost:9/"));
  EXPECT_EQ(
      get("http://127.0.0.1:" + std::to_string(to_localhost.port()) + "/", allowing({"127.0.0.1"}))
          .kind,
      Kind::kNotAllowed);

  // A redirect to itself, for ever: max_redirects + 1 requests, then an error.
  auto loop_policy = allowing({"127.0.0.1"});
  loop_policy.max_redirects = 2;
  auto loop = std::make_unique<CountingListener>(std::vector<std::string>{"127.0.0.1"},
                                                 redirect_to("http://127.0.0.1:{port}/again"));
  EXPECT_EQ(get("http://127.0.0.1:" + std::to_string(loop->port()) + "/", loop_policy).kind,
            Kind::kRedirect);
  EXPECT_EQ(loop->accepted(), 3);
}

TEST(SendHttp, AClosedPortAndAPortThatDoesNotSpeakHttpLookAlike) {
  CountingListener silent({"127.0.0.1"});  // accepts, then closes
  CountingListener banner({"127.0.0.1"}, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
  auto policy = allowing({"127.0.0.1"});
  Outcome closed = get("http://127.0.0.1:" + std::to_string(closed_port()) + "/", policy);
  Outcome open = get("http://127.0.0.1:" + std::to_string(silent.port()) + "/", policy);
  Outcome ssh = get("http://127.0.0.1:" + std::to_string(banner.port()) + "/", policy);
  Outcome tls = get("https://127.0.0.1:" + std::to_string(banner.port()) + "/", policy);
  Outcome unknown = get("http://name.invalid/", policy);
  EXPECT_GE(silent.accepted(), 1);
  EXPECT_GE(banner.accepted(), 2);
  for (const Outcome* o : {&closed, &open, &ssh, &tls, &unknown}) {
    EXPECT_EQ(o->kind, Kind::kUnreachable);
    EXPECT_EQ(o->message, closed.message);
  }
  EXPECT_EQ(closed.message.find("127.0.0.1"), std::string::npos) << closed.message;
}

TEST(SendHttp, AnswersAreBounded) {
  std::string big = "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\nConnection: close\r\n\r\n" +
                    std::string(3000, 'x');
  CountingListener server({"127.0.0.1"}, big);
  auto policy = allowing({"127.0.0.1"});
  policy.max_bytes = 1000;
  EXPECT_EQ(get("http://127.0.0.1:" + std::to_string(server.port()) + "/", policy).kind,
            Kind::kTooLarge);
}

}  // namespace
}  // namespace rdv
