/* ek-candidate.h: the candidate record the server sends (docs/protocol.md, section 3) */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define EK_TYPE_CANDIDATE (ek_candidate_get_type ())

G_DECLARE_FINAL_TYPE (EkCandidate, ek_candidate, EK, CANDIDATE, GObject)

EkCandidate *ek_candidate_new_from_json        (JsonObject   *object,
                                                GError      **error);
const char  *ek_candidate_get_name             (EkCandidate  *self);
const char  *ek_candidate_get_id_number_masked (EkCandidate  *self);
const char  *ek_candidate_get_seat             (EkCandidate  *self);
gboolean     ek_candidate_get_photo_registered (EkCandidate  *self);
gint64       ek_candidate_get_extra_time_ms    (EkCandidate  *self);

G_END_DECLS
