/* ek-proctoring-policy.h: the exam's thresholds for the live proctoring signals
 *
 * The optional `proctoring` object of the exam definition (docs/protocol.md,
 * section 3); every member optional, with the defaults of
 * ek_proctoring_policy_init_defaults().
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 monitor_fps;                 /* face-monitor frames searched per second, 1..5 (2) */
  gint64 face_absent_s;               /* no face for longer: `face_absent` (10) */
  gint64 multiple_faces_s;            /* more than one face for longer: `multiple_faces` (3) */
  gint64 face_not_visible_s;          /* face too small or turned away: `face_not_visible` (15) */
  gint64 min_face_height_pct;         /* smaller than this share of the frame height (20) */
  gint64 voice_s;                     /* voice in a reading phase for longer: `voice` (5) */
  gint64 voice_level_db;              /* louder than this (dBFS) counts as voice (-50) */
  gint64 camera_covered_s;            /* a covered or black camera for longer: `camera_covered` (5) */
  gint64 similarity_interval_s;       /* how often the face is compared with the login capture (30) */
  gint64 identity_recheck_interval_s; /* live re-check with the server, 0 = never (0) */
  gint64 snapshots_per_hour;          /* random camera snapshots for the proctor, 0 = none (6) */
  gboolean second_view_required;      /* a candidate without a phone cannot go on (TRUE);
                                       * FALSE: they may continue without the second view */
} EkProctoringPolicy;

void      ek_proctoring_policy_init_defaults (EkProctoringPolicy  *policy);
gboolean  ek_proctoring_policy_parse         (EkProctoringPolicy  *policy,
                                              JsonObject          *object,
                                              gboolean             strict,
                                              GError             **error);

G_END_DECLS
