#include "domain/time.h"

#include <gtest/gtest.h>

#include "domain/error.h"

namespace rdv {
namespace {

using namespace std::chrono_literals;

LocalDateTime local(const char* s) { return *parse_local_date_time(s); }
Instant utc(const char* s) { return *parse_rfc3339(s); }

TEST(Time, ParsesLocalDateTimes) {
  EXPECT_EQ(format_local(local("2026-03-29T09:30")), "2026-03-29T09:30:00");
  EXPECT_EQ(format_local(local("2026-03-29T09:30:15")), "2026-03-29T09:30:15");
  EXPECT_EQ(format_local(local("2028-02-29T23:59:59")), "2028-02-29T23:59:59");
  EXPECT_EQ(format_local(local("1969-12-31T00:00:01")), "1969-12-31T00:00:01");
  EXPECT_EQ(format_local(local("0999-01-01T00:00")), "0999-01-01T00:00:00");
  EXPECT_FALSE(parse_local_date_time("2026-02-30T09:30"));
  EXPECT_FALSE(parse_local_date_time("2026-03-29T24:00"));
  EXPECT_FALSE(parse_local_date_time("2026-03-29"));
  EXPECT_FALSE(parse_local_date_time("2026-03-29T09:30Z"));
  EXPECT_FALSE(parse_local_date_time(""));
}

TEST(Time, ParsesRfc3339WithOffsets) {
  EXPECT_EQ(utc("2026-03-29T09:30:00+02:00"), utc("2026-03-29T07:30:00Z"));
  EXPECT_EQ(utc("2026-03-29T09:30:00.123-03:00"), utc("2026-03-29T12:30:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-03-29T09:30:00"));  // no offset: ambiguous
  EXPECT_FALSE(parse_rfc3339("2026-03-29T09:30+02:00"));
  EXPECT_FALSE(parse_rfc3339("2026-03-29T09:30:00+2:00"));
  EXPECT_FALSE(parse_rfc3339("2026-03-29T09:30:00Zjunk"));
}

TEST(Time, ConvertsAcrossParisDaylightSavingChanges) {
  Zone paris = zone_named("Europe/Paris");
  // Winter +01:00, summer +02:00; the change is on 2026-03-29 at 02:00.
  EXPECT_EQ(to_instant(local("2026-03-28T09:00"), paris), utc("2026-03-28T08:00:00Z"));
  EXPECT_EQ(to_instant(local("2026-03-29T09:00"), paris), utc("2026-03-29T07:00:00Z"));
  EXPECT_EQ(format_rfc3339(utc("2026-03-29T07:00:00Z"), paris), "2026-03-29T09:00:00+02:00");
  EXPECT_EQ(format_rfc3339(utc("2026-12-01T08:00:00Z"), paris), "2026-12-01T09:00:00+01:00");
}

TEST(Time, RejectsNonexistentLocalTimeAndTakesFirstOfAmbiguous) {
  Zone paris = zone_named("Europe/Paris");
  try {
    to_instant(local("2026-03-29T02:30"), paris);
    FAIL() << "02:30 does not exist on the spring change day";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNonexistentLocalTime);
  }
  // 02:30 happens twice on 2026-10-25: the first is still summer time (+02:00).
  EXPECT_EQ(to_instant(local("2026-10-25T02:30"), paris), utc("2026-10-25T00:30:00Z"));
  // Occurrences of a rule in the gap take the offset before it (RFC 5545).
  EXPECT_EQ(to_instant_lenient(local("2026-03-29T02:30"), paris), utc("2026-03-29T01:30:00Z"));
}

TEST(Time, OverseasZonesHaveNoDaylightSaving) {
  Zone cayenne = zone_named("America/Cayenne");
  Zone reunion = zone_named("Indian/Reunion");
  EXPECT_EQ(to_instant(local("2026-03-29T09:00"), cayenne), utc("2026-03-29T12:00:00Z"));
  EXPECT_EQ(to_instant(local("2026-03-29T09:00"), reunion), utc("2026-03-29T05:00:00Z"));
  EXPECT_EQ(format_rfc3339(utc("2026-07-01T12:00:00Z"), cayenne), "2026-07-01T09:00:00-03:00");
}

TEST(Time, UnknownZonesAreClientErrors) {
  EXPECT_THROW(zone_named("Europe/Atlantis"), ClientError);
  EXPECT_THROW(zone_named(""), ClientError);
  EXPECT_THROW(zone_named(std::string(500, 'x')), ClientError);
  EXPECT_TRUE(is_valid_zone_name("Europe/Kiev"));  // deprecated alias still resolves
}

}  // namespace
}  // namespace rdv
