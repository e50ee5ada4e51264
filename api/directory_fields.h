// Reading the fields of an organisation, a place or a service as sent, for
// their creation and their change alike (PATCH: what is not sent stays).
#pragma once

#include <string>
#include <vector>

#include "domain/model.h"
#include "json_io.h"

namespace rdv {

// Over the defaults of a new one (`creating`: the name is required) or the stored one.
void read_organisation_fields(Fields& f, Organisation& o, bool creating);
void read_place_fields(Fields& f, Place& p, bool creating);
void read_service_fields(Fields& f, Service& s, bool creating);

// One of `allowed` (400 naming the field otherwise), `fallback` when absent.
std::string one_of(Fields& f, const char* name, const std::vector<std::string>& allowed,
                   const std::string& fallback);

}  // namespace rdv
