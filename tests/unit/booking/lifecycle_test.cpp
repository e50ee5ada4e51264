#include "booking/lifecycle.h"

#include <gtest/gtest.h>

#include "domain/error.h"

namespace rdv {
namespace {

Instant utc(const char* s) { return *parse_rfc3339(s); }

class Lifecycle : public ::testing::Test {
 protected:
  Lifecycle() {
    b_.start = utc("2026-12-08T09:00:00Z");
    b_.end = utc("2026-12-08T09:30:00Z");
    s_.cancel_until_minutes = 240;
  }
  // The code of the refusal, or nullopt with the next status in `next`.
  std::optional<ErrorCode> refusal(BookingStatus from, BookingAction a, Actor who, const char* now,
                                   BookingStatus* next = nullptr) {
    b_.status = from;
    try {
      BookingStatus s = next_status(b_, s_, a, who, utc(now));
      if (next) *next = s;
      return std::nullopt;
    } catch (const ClientError& e) {
      return e.code();
    }
  }
  Booking b_;
  Service s_;
};

using A = BookingAction;
using S = BookingStatus;
constexpr auto kResident = Actor::kResident;
constexpr auto kStaff = Actor::kStaff;
const char* kDayBefore = "2026-12-07T09:00:00Z";
const char* kHourBefore = "2026-12-08T08:00:00Z";
const char* kDuring = "2026-12-08T09:10:00Z";
const char* kAfter = "2026-12-08T10:00:00Z";

TEST_F(Lifecycle, NothingHappensToTheVisitBeforeItStarts) {
  // The hole: a summary written before the visit made it done and freed the slot.
  EXPECT_EQ(refusal(S::kConfirmed, A::kRecordSummary, kStaff, kDayBefore),
            ErrorCode::kInvalidTransition);
  EXPECT_EQ(refusal(S::kConfirmed, A::kMarkDone, kStaff, kHourBefore),
            ErrorCode::kInvalidTransition);
  EXPECT_EQ(refusal(S::kConfirmed, A::kMarkNoShow, kStaff, kHourBefore),
            ErrorCode::kInvalidTransition);
}

TEST_F(Lifecycle, OutcomesOnceTheVisitHasStarted) {
  BookingStatus next{};
  EXPECT_EQ(refusal(S::kConfirmed, A::kRecordSummary, kStaff, kDuring, &next), std::nullopt);
  EXPECT_EQ(next, S::kDone);
  EXPECT_EQ(refusal(S::kDone, A::kRecordSummary, kStaff, kAfter, &next), std::nullopt);
  EXPECT_EQ(next, S::kDone);
  EXPECT_EQ(refusal(S::kConfirmed, A::kMarkNoShow, kStaff, kAfter, &next), std::nullopt);
  EXPECT_EQ(next, S::kNoShow);
  EXPECT_EQ(refusal(S::kNoShow, A::kMarkDone, kStaff, kAfter, &next), std::nullopt);
  EXPECT_EQ(next, S::kDone);
  EXPECT_EQ(refusal(S::kDone, A::kMarkNoShow, kStaff, kAfter), ErrorCode::kInvalidTransition);
  EXPECT_EQ(refusal(S::kCancelled, A::kMarkDone, kStaff, kAfter), ErrorCode::kAlreadyCancelled);
  EXPECT_EQ(refusal(S::kCancelled, A::kRecordSummary, kStaff, kAfter),
            ErrorCode::kAlreadyCancelled);
  // Residents never record the outcome.
  EXPECT_EQ(refusal(S::kConfirmed, A::kMarkDone, kResident, kAfter), ErrorCode::kForbidden);
  EXPECT_EQ(refusal(S::kConfirmed, A::kRecordSummary, kResident, kAfter), ErrorCode::kForbidden);
}

TEST_F(Lifecycle, CancelAndMoveOnlyWhileTheVisitIsAhead) {
  BookingStatus next{};
  EXPECT_EQ(refusal(S::kConfirmed, A::kCancel, kResident, kDayBefore, &next), std::nullopt);
  EXPECT_EQ(next, S::kCancelled);
  EXPECT_EQ(refusal(S::kConfirmed, A::kCancel, kResident, kHourBefore),
            ErrorCode::kCancellationClosed);
  EXPECT_EQ(refusal(S::kConfirmed, A::kReschedule, kResident, kHourBefore),
            ErrorCode::kCancellationClosed);
  EXPECT_EQ(refusal(S::kConfirmed, A::kCancel, kStaff, kHourBefore, &next), std::nullopt);
  EXPECT_EQ(next, S::kCancelled);
  // Once started, a cancellation would free time someone was given: done or no-show instead.
  EXPECT_EQ(refusal(S::kConfirmed, A::kCancel, kStaff, kDuring), ErrorCode::kInvalidTransition);
  EXPECT_EQ(refusal(S::kConfirmed, A::kReschedule, kStaff, kDuring), ErrorCode::kInvalidTransition);
  for (S from : {S::kDone, S::kNoShow}) {
    EXPECT_EQ(refusal(from, A::kCancel, kStaff, kAfter), ErrorCode::kInvalidTransition);
    EXPECT_EQ(refusal(from, A::kReschedule, kStaff, kAfter), ErrorCode::kInvalidTransition);
  }
  EXPECT_EQ(refusal(S::kCancelled, A::kCancel, kResident, kDayBefore),
            ErrorCode::kAlreadyCancelled);
  EXPECT_EQ(refusal(S::kCancelled, A::kReschedule, kStaff, kDayBefore),
            ErrorCode::kAlreadyCancelled);
}

TEST_F(Lifecycle, StaffGiveABookingToAColleagueUntilItStarts) {
  BookingStatus next{};
  EXPECT_EQ(refusal(S::kConfirmed, A::kReassign, kStaff, kHourBefore, &next), std::nullopt);
  EXPECT_EQ(next, S::kConfirmed);
  EXPECT_EQ(refusal(S::kConfirmed, A::kReassign, kResident, kDayBefore), ErrorCode::kForbidden);
  EXPECT_EQ(refusal(S::kConfirmed, A::kReassign, kStaff, kDuring), ErrorCode::kInvalidTransition);
  EXPECT_EQ(refusal(S::kDone, A::kReassign, kStaff, kAfter), ErrorCode::kInvalidTransition);
  EXPECT_EQ(refusal(S::kCancelled, A::kReassign, kStaff, kDayBefore), ErrorCode::kAlreadyCancelled);
}

TEST_F(Lifecycle, DocumentsAndRemindersUntilTheEnd) {
  EXPECT_EQ(refusal(S::kConfirmed, A::kAddDocument, kResident, kDuring), std::nullopt);
  EXPECT_EQ(refusal(S::kConfirmed, A::kAddDocument, kResident, kAfter),
            ErrorCode::kInvalidTransition);
  EXPECT_EQ(refusal(S::kCancelled, A::kAddDocument, kResident, kDayBefore),
            ErrorCode::kAlreadyCancelled);
  EXPECT_EQ(refusal(S::kConfirmed, A::kStopReminders, kResident, kDayBefore), std::nullopt);
}

}  // namespace
}  // namespace rdv
