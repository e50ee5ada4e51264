// French demo data for `serve --demo`: a France Services desk, a mairie, an
// EPCI's digital-help workshops, their services and agents with weekly
// permanences starting this week. Loaded through the same actions as the API.
#pragma once

#include "app.h"

namespace rdv {

// Loads the demo data unless the database already holds organisations.
// Returns false when it did nothing. `sign_ins` gets one line per demo staff
// account (an agent, a desk, an organisation administrator): its email and
// its password, made at random now, to show once.
bool load_demo_data(App& app, Store& store, const Clock& clock,
                    std::vector<std::string>* sign_ins = nullptr);

}  // namespace rdv
