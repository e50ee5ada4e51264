// Video links: SHA-1 and the BigBlueButton checksum, the Jitsi JWT checked by
// an independent implementation (Python's hmac), the time window of the link.
#include "video/video_links.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "crypto/link_tokens.h"
#include "support/run.h"

namespace rdv {
namespace {

using testing::python;

Instant utc(const char* s) { return *parse_rfc3339(s); }

TEST(VideoLinks, Sha1MatchesTheStandardVectors) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(sha1_hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(VideoLinks, BigBlueButtonChecksumFollowsItsDocumentation) {
  // checksum = SHA-1(call name + query string + shared secret), as the BBB API
  // documentation says; computed here by Python's hashlib.
  VideoSettings v{VideoProvider::kBbb, "https://bbb.example.fr/bigbluebutton/api", "",
                  "639259d4-9dd8-4b25-bf01-95f9567eaf4b", 15};
  std::string url = bbb_create_url(v, "rdv42", "Permanence CAF — France Services");
  ASSERT_EQ(url.rfind("https://bbb.example.fr/bigbluebutton/api/create?", 0), 0u) << url;
  std::string query = url.substr(url.find('?') + 1, url.find("&checksum=") - url.find('?') - 1);
  std::string checksum = url.substr(url.find("&checksum=") + 10);
  EXPECT_EQ(checksum, python("import hashlib; print(hashlib.sha1(b\"create\" + b\"" + query +
                             "\" + b\"" + v.secret + "\").hexdigest())"));
  EXPECT_NE(query.find("meetingID=rdv42"), std::string::npos);
  EXPECT_NE(query.find("name=Permanence%20CAF%20%E2%80%94%20France%20Services"), std::string::npos);

  std::string join = bbb_join_url(v, "rdv42", {"Karim Benali", "", true});
  std::string jq = join.substr(join.find('?') + 1, join.find("&checksum=") - join.find('?') - 1);
  EXPECT_EQ(join.substr(join.find("&checksum=") + 10),
            python("import hashlib; print(hashlib.sha1(b\"join\" + b\"" + jq + "\" + b\"" +
                   v.secret + "\").hexdigest())"));
  EXPECT_NE(jq.find("role=MODERATOR"), std::string::npos);
  EXPECT_NE(bbb_join_url(v, "rdv42", {"Léa Dupont", "", false}).find("role=VIEWER"),
            std::string::npos);
}

TEST(VideoLinks, JitsiTokenIsVerifiedIndependently) {
  VideoSettings v{VideoProvider::kJitsi, "https://visio.example.fr/", "rendezvous",
                  "jitsi-app-secret-0123456789", 15};
  TimeRange valid{utc("2026-12-08T07:45:00Z"), utc("2026-12-08T08:30:00Z")};
  std::string url = jitsi_join_url(v, "rdvabc", {"Karim Benali", "karim@example.fr", true}, valid);
  ASSERT_EQ(url.rfind("https://visio.example.fr/rdvabc?jwt=", 0), 0u) << url;
  std::string jwt = url.substr(url.find("jwt=") + 4);
  std::string checked = python(
      "import base64, hashlib, hmac, json\n"
      "t = \"" +
      jwt +
      "\".split(\".\")\n"
      "pad = lambda s: s + \"=\" * (-len(s) % 4)\n"
      "good = hmac.compare_digest(base64.urlsafe_b64decode(pad(t[2])), hmac.new(b\"" +
      v.secret +
      "\", (t[0] + \".\" + t[1]).encode(), hashlib.sha256).digest())\n"
      "h = json.loads(base64.urlsafe_b64decode(pad(t[0])))\n"
      "c = json.loads(base64.urlsafe_b64decode(pad(t[1])))\n"
      "print(good, h[\"alg\"], c[\"iss\"], c[\"aud\"], c[\"sub\"], c[\"room\"], c[\"nbf\"], "
      "c[\"exp\"], "
      "c[\"context\"][\"user\"][\"name\"], c[\"moderator\"])");
  EXPECT_EQ(checked, "True HS256 rendezvous jitsi visio.example.fr rdvabc " +
                         std::to_string(to_epoch(valid.start)) + " " +
                         std::to_string(to_epoch(valid.end) + 3600) + " Karim Benali True");
  // The resident is no moderator.
  std::string resident = jitsi_join_url(v, "rdvabc", {"Léa Dupont", "", false}, valid);
  std::string resident_jwt = resident.substr(resident.find("jwt=") + 4);
  std::string payload = resident_jwt.substr(resident_jwt.find('.') + 1);
  payload = payload.substr(0, payload.find('.'));
  EXPECT_EQ(python("import base64, json; p = \"" + payload +
                   "\"; print(json.loads(base64.urlsafe_b64decode(p + \"=\" * (-len(p) % "
                   "4)))[\"moderator\"])"),
            "False");
}

TEST(VideoLinks, TheLinkOpensShortlyBeforeAndClosesAtTheEnd) {
  VideoSettings v;
  v.provider = VideoProvider::kJitsi;
  v.open_minutes_before = 15;
  Booking b;
  b.start = utc("2026-12-08T08:00:00Z");
  b.end = utc("2026-12-08T08:30:00Z");
  EXPECT_EQ(visio_state(b, v, utc("2026-12-08T07:44:59Z")), VisioState::kTooEarly);
  EXPECT_EQ(visio_state(b, v, utc("2026-12-08T07:45:00Z")), VisioState::kOpen);
  EXPECT_EQ(visio_state(b, v, utc("2026-12-08T08:29:59Z")), VisioState::kOpen);
  EXPECT_EQ(visio_state(b, v, utc("2026-12-08T08:30:00Z")), VisioState::kOver);
  b.status = BookingStatus::kCancelled;
  EXPECT_EQ(visio_state(b, v, utc("2026-12-08T08:00:00Z")), VisioState::kCancelled);
}

TEST(VideoLinks, TemplateAndSignedTokens) {
  VideoSettings v{VideoProvider::kTemplate, "https://salle.example.fr/r/{room}?t={token}", "", "",
                  15};
  EXPECT_EQ(template_join_url(v, "rdv1", "12-r-a/b"),
            "https://salle.example.fr/r/rdv1?t=12-r-a%2Fb");
  LinkSigner links(std::string(64, 'k'));
  std::string resident = links.visio_token(12, false), agent = links.visio_token(12, true);
  EXPECT_EQ(links.visio_booking(resident), std::make_pair(Id{12}, false));
  EXPECT_EQ(links.visio_booking(agent), std::make_pair(Id{12}, true));
  std::string as_agent = resident;
  as_agent.replace(as_agent.find("-r-"), 3, "-a-");  // a resident cannot make themself moderator
  EXPECT_FALSE(links.visio_booking(as_agent));
  EXPECT_FALSE(links.visio_booking("13" + resident.substr(2)));
  EXPECT_FALSE(links.visio_booking("garbage"));
  EXPECT_EQ(links.video_room(12), links.video_room(12));
  EXPECT_NE(links.video_room(12), links.video_room(13));
  EXPECT_GE(links.video_room(12).size(), 30u);
}

}  // namespace
}  // namespace rdv
