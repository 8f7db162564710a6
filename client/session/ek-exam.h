/* ek-exam.h: the exam definition the server sends (docs/protocol.md, section 3) */
#pragma once

#include <json-glib/json-glib.h>

#include "ek-lockdown-policy.h"
#include "ek-proctoring-policy.h"

G_BEGIN_DECLS

typedef enum
{
  EK_EXAM_MODE_PRACTICE,
  EK_EXAM_MODE_DEVICE_TEST,
  EK_EXAM_MODE_MOCK,
  EK_EXAM_MODE_FORMAL,
} EkExamMode;

typedef enum
{
  EK_EXAM_KIND_INTERVIEW,
  EK_EXAM_KIND_WRITTEN,
} EkExamKind;

typedef enum
{
  EK_PHASE_KIND_READING,
  EK_PHASE_KIND_ANSWERING,
} EkPhaseKind;

/* The pre-exam steps, in the order the candidate goes through them. */
typedef enum
{
  EK_STEP_PLEDGE,
  EK_STEP_FACE_CHECK,
  EK_STEP_SECOND_VIEW,
  EK_STEP_ROOM_SCAN,
  EK_STEP_PAPER_CHECK,
  EK_STEP_DRAW,
  EK_STEP_ATTACHMENTS,
  EK_STEP_DEVICE_CONFIRM,
  EK_STEP_NONE,
} EkStep;

#define EK_N_STEPS EK_STEP_NONE

typedef struct
{
  char        *id;
  char        *title;
  EkPhaseKind  kind;
  gint64       starts_ms;
  gint64       ends_ms;
} EkPhase;

typedef struct
{
  gint64 min_memory_total_mb;
  gint64 min_memory_available_mb;
  gint64 min_disk_system_mb;
  gint64 min_disk_recording_mb;
  gint64 min_upload_bytes_per_s;
  gint64 max_clock_skew_ms;
} EkSelfCheckPolicy;

#define EK_TYPE_EXAM (ek_exam_get_type ())

G_DECLARE_FINAL_TYPE (EkExam, ek_exam, EK, EXAM, GObject)

EkExam                  *ek_exam_new_from_json          (JsonObject   *object,
                                                         GError      **error);
const char              *ek_exam_get_id                 (EkExam       *self);
const char              *ek_exam_get_title              (EkExam       *self);
EkExamMode               ek_exam_get_mode               (EkExam       *self);
EkExamKind               ek_exam_get_kind               (EkExam       *self);
gint64                   ek_exam_get_entry_opens_ms     (EkExam       *self);
gint64                   ek_exam_get_starts_ms          (EkExam       *self);
gint64                   ek_exam_get_late_entry_cutoff_ms (EkExam     *self);
gint64                   ek_exam_get_min_submit_ms      (EkExam       *self);
gint64                   ek_exam_get_ends_ms            (EkExam       *self);
guint                    ek_exam_get_n_phases           (EkExam       *self);
const EkPhase           *ek_exam_get_phase              (EkExam       *self,
                                                         guint         index);
int                      ek_exam_find_phase_at          (EkExam       *self,
                                                         gint64        server_ms);
gboolean                 ek_exam_requires_step          (EkExam       *self,
                                                         EkStep        step);
const char              *ek_exam_get_rules_text         (EkExam       *self);
const char              *ek_exam_get_pledge_text        (EkExam       *self);
const char              *ek_exam_get_pledge_version     (EkExam       *self);
const char              *ek_exam_get_help_contact       (EkExam       *self);
const char              *ek_exam_get_sealed_sha256      (EkExam       *self);
gint64                   ek_exam_get_sealed_size        (EkExam       *self);
gint64                   ek_exam_get_key_release_ms     (EkExam       *self);
gboolean                 ek_exam_get_lockdown_relaxed   (EkExam       *self);
const char * const      *ek_exam_get_blocked_processes  (EkExam       *self);
const char              *ek_exam_get_quit_password_hash (EkExam       *self);
EkLockdownPolicy        *ek_exam_get_lockdown_policy    (EkExam       *self);
guint                    ek_exam_get_video_bitrate_kbps (EkExam       *self);
guint                    ek_exam_get_segment_seconds    (EkExam       *self);
gboolean                 ek_exam_get_record_screen      (EkExam       *self);
GBytes                  *ek_exam_get_recording_key      (EkExam       *self);
const EkSelfCheckPolicy *ek_exam_get_self_check_policy  (EkExam       *self);
const EkProctoringPolicy *ek_exam_get_proctoring_policy (EkExam       *self);

const char              *ek_step_to_string              (EkStep        step);
EkStep                   ek_step_from_string            (const char   *str);
const char              *ek_exam_mode_to_string         (EkExamMode    mode);
gboolean                 ek_exam_mode_from_string       (const char   *str,
                                                         EkExamMode   *mode);

void                     ek_self_check_policy_init_defaults (EkSelfCheckPolicy *policy);

G_END_DECLS
