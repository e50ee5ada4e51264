#include "demo_data.h"

#include "accounts/passwords.h"

namespace rdv {
namespace {

// "2026-11-30T09:00" for a day offset from `monday` and a time of day.
std::string at(date::local_days monday, int day, const char* hhmm) {
  return date::format("%Y-%m-%d", monday + date::days{day}) + "T" + hhmm;
}

}  // namespace

bool load_demo_data(App& app, Store& store, const Clock& clock,
                    std::vector<std::string>* sign_ins) {
  bool empty = false;
  store.read([&](StoreReader& r) { empty = r.directory().is_empty(); });
  if (!empty) return false;

  Zone paris = date::locate_zone("Europe/Paris");
  auto today = date::floor<date::days>(to_local(clock.now(), paris));
  auto monday = today - (date::weekday{today} - date::Monday);

  Id fs = app.create_organisation(
      {{"name", "France Services de Cenon"}, {"kind", "france_services"}})["id"];
  Id mairie = app.create_organisation({{"name", "Mairie de Bègles"}, {"kind", "commune"}})["id"];
  Id epci = app.create_organisation(
      {{"name", "Bordeaux Métropole — Inclusion numérique"}, {"kind", "epci"}})["id"];

  Id fs_place = app.create_place(
      fs, {{"name", "France Services Cenon"},
           {"address", "2 avenue Jean Zay"},
           {"postcode", "33150"},
           {"city", "Cenon"},
           {"accessibility", "Accès de plain-pied, boucle magnétique à l'accueil"},
           {"opening_hours", "Du lundi au vendredi, 9 h – 12 h 30 et 13 h 30 – 17 h"},
           {"latitude", 44.8578},
           {"longitude", -0.5317}})["id"];
  Id mairie_place =
      app.create_place(mairie, {{"name", "Hôtel de ville de Bègles"},
                                {"address", "77 rue Calixte Camelle"},
                                {"postcode", "33130"},
                                {"city", "Bègles"},
                                {"accessibility", "Ascenseur, places réservées PMR"},
                                {"opening_hours", "Lundi – vendredi 8 h 30 – 17 h"}})["id"];
  Id epci_place = app.create_place(epci, {{"name", "Médiathèque de Floirac — espace numérique"},
                                          {"address", "6 avenue Pierre Curie"},
                                          {"postcode", "33270"},
                                          {"city", "Floirac"}})["id"];

  Id carte_grise =
      app.create_service(fs, {{"name", "Carte grise"},
                              {"description",
                               "Aide aux démarches en ligne pour le certificat d'immatriculation "
                               "(changement de titulaire, d'adresse, duplicata)."},
                              {"keywords", {"immatriculation", "ANTS", "véhicule", "voiture"}},
                              {"documents_to_bring",
                               {"Pièce d'identité", "Justificatif de domicile de moins de 6 mois",
                                "Ancienne carte grise barrée et signée"}},
                              {"duration_minutes", 30},
                              {"modes", {"in_person"}}})["id"];
  Id caf = app.create_service(
      fs, {{"name", "Permanence CAF"},
           {"description",
            "Rendez-vous avec un conseiller de la Caisse d'allocations familiales : "
            "prime d'activité, RSA, aides au logement."},
           {"keywords", {"caf", "allocations", "prime d'activité", "RSA", "APL"}},
           {"documents_to_bring", {"Numéro d'allocataire", "Dernier avis d'imposition"}},
           {"duration_minutes", 30},
           {"buffer_after_minutes", 10},
           {"modes", {"in_person", "phone", "video"}}})["id"];
  Id cni = app.create_service(
      mairie, {{"name", "Carte d'identité et passeport"},
               {"description",
                "Dépôt et retrait de demande de carte nationale d'identité ou de passeport."},
               {"keywords", {"CNI", "passeport", "titre d'identité"}},
               {"documents_to_bring",
                {"Pré-demande ANTS (numéro)", "Photo d'identité de moins de 6 mois",
                 "Justificatif de domicile", "Ancien titre"}},
               {"duration_minutes", 20},
               {"min_notice_minutes", 120},
               {"modes", {"in_person"}}})["id"];
  Id atelier = app.create_service(
      epci, {{"name", "Aide numérique (atelier collectif)"},
             {"description",
              "Atelier de deux heures en petit groupe : messagerie, démarches en ligne, "
              "sécurité sur internet."},
             {"keywords", {"atelier", "informatique", "internet", "débutant"}},
             {"duration_minutes", 120},
             {"capacity", 8},
             {"modes", {"in_person"}}})["id"];

  Json sophie =
      app.create_agent(fs, {{"name", "Sophie Laurent"}, {"email", "sophie.laurent@example.fr"}});
  Json karim =
      app.create_agent(fs, {{"name", "Karim Benali"}, {"email", "karim.benali@example.fr"}});
  Json julie =
      app.create_agent(mairie, {{"name", "Julie Moreau"}, {"email", "julie.moreau@example.fr"}});
  Json marc =
      app.create_agent(epci, {{"name", "Marc Dubois"}, {"email", "marc.dubois@example.fr"}});

  // Weekly permanences from this week's Monday on.
  app.create_opening(sophie["id"], {{"place_id", fs_place},
                                    {"service_ids", {carte_grise}},
                                    {"start", at(monday, 0, "09:00")},
                                    {"end", at(monday, 0, "12:30")},
                                    {"rrule", "FREQ=WEEKLY;BYDAY=MO,WE,FR"}});
  app.create_opening(karim["id"], {{"place_id", fs_place},
                                   {"service_ids", {caf}},
                                   {"start", at(monday, 1, "13:30")},
                                   {"end", at(monday, 1, "17:00")},
                                   {"rrule", "FREQ=WEEKLY;BYDAY=TU,TH"}});
  app.create_opening(julie["id"], {{"place_id", mairie_place},
                                   {"service_ids", {cni}},
                                   {"start", at(monday, 0, "08:30")},
                                   {"end", at(monday, 0, "12:00")},
                                   {"rrule", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}});
  app.create_opening(marc["id"], {{"place_id", epci_place},
                                  {"service_ids", {atelier}},
                                  {"start", at(monday, 2, "14:00")},
                                  {"end", at(monday, 2, "16:00")},
                                  {"rrule", "FREQ=WEEKLY;BYDAY=WE"}});
  app.create_absence(
      julie["id"],
      {{"start", at(monday, 14, "00:00")}, {"end", at(monday, 19, "00:00")}, {"reason", "Congés"}});

  // Staff who sign in on the pages, with a password made now.
  Id desk = app.create_user(fs, {{"name", "Accueil France Services"},
                                 {"email", "accueil.cenon@example.fr"},
                                 {"role", "desk"}})["id"];
  Id direction = app.create_user(fs, {{"name", "Direction France Services"},
                                      {"email", "direction.cenon@example.fr"},
                                      {"role", "org_admin"}})["id"];
  SystemRandom random;
  for (auto [id, what] : {std::pair{sophie["account_id"].get<Id>(), "agent"},
                          {desk, "accueil (desk)"},
                          {direction, "administrateur"}}) {
    std::string password;
    do password = new_token(random).substr(0, 16);
    while (!password_problem(password, "", "").empty());
    std::string email;
    store.write([&](StoreWriter& tx) {
      auto a = tx.accounts().account(id);
      tx.accounts().set_password_hash(id, hash_password(password));
      a->status = AccountStatus::kActive;
      tx.accounts().update_account(*a);
      email = a->email;
    });
    if (sign_ins) sign_ins->push_back(std::string(what) + " : " + email + " / " + password);
  }
  return true;
}

}  // namespace rdv
