// "Is this URL acceptable to call": the check at subscription and webhook
// creation, and the resolution that send_http checks at every call.
#include "net/call_target.h"

#include <gtest/gtest.h>

#include <clocale>

#include "calendar/fetch.h"
#include "domain/error.h"

namespace rdv {
namespace {

HttpClientPolicy allowing(std::vector<std::string> hosts) {
  HttpClientPolicy p;
  p.allowed_private_hosts = std::move(hosts);
  return p;
}

// The field and message of the ClientError, or "ok".
std::string verdict(const std::string& url, const HttpClientPolicy& policy = {}) {
  try {
    require_callable_url(url, policy);
    return "ok";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput) << url;
    EXPECT_EQ(e.field(), "url") << url;
    return std::string(e.what()).find("not allowed") != std::string::npos ? "not allowed"
                                                                          : "not http";
  }
}

TEST(CallableUrl, LiteralSpecialPurposeHostsAreRefusedInEverySpelling) {
  for (const char* url : {
           "http://127.0.0.1:8080/",
           "http://localhost:8080/",
           "http://LocalHost./cal.ics",
           "http://foo.localhost:8080/",
           "http://a.b.LOCALHOST/",
           "http://[::1]:8080/",
           "http://[::ffff:127.0.0.1]:8080/",
           "http://[::ffff:7f00:1]:8080/",
           "http://2130706433:8080/",
           "http://0x7f.0.0.1:8080/",
           "http://0177.0.0.1:8080/",
           "http://127.1/",
           "http://127.0.0.1./",
           "https://127.0.0.1:8443/",
           "http://user:secret@127.0.0.1/",
           "http://169.254.169.254/latest/meta-data/",
           "http://10.0.0.1/",
           "http://192.168.1.1/",
           "http://0/",
           "http://[::]/",
           "http://[fe80::1%25eth0]/",
           "http://[fd00::1]/",
           "http://[64:ff9b::7f00:1]/",
           "http://[2002:7f00:1::]/",
           "  http://127.0.0.1/  ",
       })
    EXPECT_EQ(verdict(url), "not allowed") << url;
}

TEST(CallableUrl, PublicHostsAndOtherSchemes) {
  for (const char* url : {"https://calendar.example.org/agent.ics?token=abc", "http://8.8.8.8/",
                          "http://[2a00:1450::1]:8080/x", "https://Example.ORG./cal",
                          "http://localhost.example.org/", "http://[::ffff:8.8.8.8]/"})
    EXPECT_EQ(verdict(url), "ok") << url;
  for (const char* url : {"ftp://example.org/x", "file:///etc/passwd", "gopher://x", "not a url",
                          "", "javascript:alert(1)", "http://exa mple.org/", "http://a\r\nb/"})
    EXPECT_EQ(verdict(url), "not http") << url;
  EXPECT_EQ(verdict("https://example.org/" + std::string(2000, 'x')), "not http");
  EXPECT_EQ(require_callable_url("  https://example.org/a ", {}), "https://example.org/a");
}

TEST(CallableUrl, ThePolicyAllowsNamedHostsAndAddresses) {
  EXPECT_EQ(verdict("http://127.0.0.1:8080/", allowing({"127.0.0.1"})), "ok");
  EXPECT_EQ(verdict("http://2130706433:8080/", allowing({"127.0.0.1"})), "ok");  // the same address
  EXPECT_EQ(verdict("http://127.0.0.2:8080/", allowing({"127.0.0.1"})), "not allowed");
  EXPECT_EQ(verdict("http://localhost:8080/", allowing({"127.0.0.1"})), "not allowed");
  EXPECT_EQ(verdict("http://localhost:8080/", allowing({"localhost"})), "ok");
  EXPECT_EQ(verdict("http://[::1]/", allowing({"::1"})), "ok");
  EXPECT_EQ(verdict("http://[::1]/", allowing({"[::1]"})), "ok");
  EXPECT_EQ(verdict("http://[::1]/", allowing({"127.0.0.1"})), "not allowed");
  EXPECT_EQ(verdict("http://intranet.local/", allowing({"127.0.0.1"})), "ok");  // checked on call
}

TEST(CallableUrl, CalendarUrlsAreCheckedAfterWebcalBecomesHttps) {
  EXPECT_EQ(normalize_calendar_url("webcal://example.org/a.ics", {}), "https://example.org/a.ics");
  EXPECT_EQ(normalize_calendar_url("WEBCALS://example.org/a.ics", {}), "https://example.org/a.ics");
  EXPECT_THROW(normalize_calendar_url("webcal://127.0.0.1:9/", {}), ClientError);
  EXPECT_THROW(normalize_calendar_url("webcal://localhost/", {}), ClientError);
  EXPECT_EQ(normalize_calendar_url("webcal://127.0.0.1:9/", allowing({"127.0.0.1"})),
            "https://127.0.0.1:9/");
}

TEST(CallTarget, TheUrlIsTakenApartOnce) {
  CallTarget t = examine_url("https://user:pw@Calendar.Example.org/a.ics?token=s3cret", {});
  EXPECT_EQ(t.scheme, "https");
  EXPECT_EQ(t.host, "calendar.example.org");
  EXPECT_EQ(t.port, 443);
  EXPECT_FALSE(t.literal);
  EXPECT_EQ(loggable_origin(t), "https://calendar.example.org:443");  // no userinfo, no query
  CallTarget v6 = examine_url("http://[2a00:1450::1]:8080/", {});
  EXPECT_EQ(v6.host, "2a00:1450::1");
  EXPECT_EQ(loggable_origin(v6), "http://[2a00:1450::1]:8080");
}

TEST(CallTarget, AnInternationalNameIsResolvedAndCalledInPunycodeOrRefused) {
  std::string saved = std::setlocale(LC_CTYPE, nullptr);
  if (std::setlocale(LC_CTYPE, "C.UTF-8")) {
    CallTarget idn = examine_url("https://bücher.example/", {});
    EXPECT_EQ(idn.host, "xn--bcher-kva.example");
    EXPECT_EQ(idn.url, "https://xn--bcher-kva.example/");
  }
  std::setlocale(LC_CTYPE, "C");  // libidn2 cannot read the name: refused, not guessed
  try {
    examine_url("https://bücher.example/", {});
    ADD_FAILURE() << "accepted";
  } catch (const HttpClientError& e) {
    EXPECT_EQ(e.kind(), HttpClientError::Kind::kBadUrl);
  }
  std::setlocale(LC_CTYPE, saved.c_str());
}

HttpClientError::Kind resolve_failure(const std::string& host, const HttpClientPolicy& policy) {
  CallTarget t;
  t.scheme = "http", t.host = host, t.port = 80, t.url = "http://" + host + "/";
  try {
    resolve_checked(t, policy);
  } catch (const HttpClientError& e) {
    return e.kind();
  }
  ADD_FAILURE() << host << " resolved and was accepted";
  return HttpClientError::Kind::kBadUrl;
}

TEST(CallTarget, ANameThatResolvesToLoopbackIsRefused) {
  // "localhost" is refused literally before resolution; here the resolver's
  // answer is what is judged (the name comes from /etc/hosts).
  EXPECT_EQ(resolve_failure("localhost", {}), HttpClientError::Kind::kNotAllowed);
  EXPECT_EQ(resolve_failure("name.invalid", {}), HttpClientError::Kind::kUnreachable);
  CallTarget t;
  t.scheme = "http", t.host = "localhost", t.port = 80;
  auto addresses = resolve_checked(t, allowing({"localhost"}));
  ASSERT_FALSE(addresses.empty());
  for (const IpAddress& a : addresses) EXPECT_TRUE(a == IpAddress::v4(127, 0, 0, 1) || a.v6);
}

}  // namespace
}  // namespace rdv
