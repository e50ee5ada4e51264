#include "storage/sqlite/rows.h"

namespace rdv::sqlite {

std::string marks(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s;
}

void bind_service(Statement& st, const Service& s, const std::string& search_text) {
  st.bind(1, s.organisation_id).bind(2, s.name).bind(3, s.description);
  st.bind(4, strings_to_json(s.keywords)).bind(5, strings_to_json(s.documents_to_bring));
  st.bind(6, s.duration_minutes).bind(7, s.slot_step_minutes).bind(8, s.modes.to_csv());
  st.bind(9, s.min_notice_minutes).bind(10, s.horizon_days).bind(11, s.buffer_before_minutes);
  st.bind(12, s.buffer_after_minutes).bind(13, s.capacity).bind(14, s.cancel_until_minutes);
  st.bind(15, csv(s.bookable_by)).bind(16, search_text);
  st.bind(17, reminders_json(s.reminders));
}

}  // namespace rdv::sqlite
