/* ek-self-check.h: the device check: is this computer ready for the exam?
 *
 * Runs every check of the device check (session, monitors, memory, disk, camera,
 * microphone, network, power, environment, X server hardening, client version)
 * asynchronously on the main context, reports each result as it comes
 * (::result-added, EkSelfCheck:fraction) and serialises the report as JSON and as a
 * one-page HTML file. Each result is pass, warn or fail (or skipped, when what it
 * measures could not be reached because another check failed), with the measured value,
 * the threshold and, when not passed, a sentence in the user's language that says what to
 * do. The thresholds are the exam's EkSelfCheckPolicy, or the defaults when no exam is
 * known.
 *
 * The runner needs no display: the caller says whether an X11 display is open
 * (EkSelfCheck:display-available); without one, the display checks fail honestly.
 * Every operating-system source can be pointed elsewhere, so tests reach each outcome.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ek-config.h"
#include "ek-exam.h"
#include "ek-media-probe.h"
#include "ek-probe-sources.h"

G_BEGIN_DECLS

typedef enum
{
  EK_CHECK_PASS,
  EK_CHECK_WARN,
  EK_CHECK_FAIL,
  EK_CHECK_SKIP,  /* not measured because a check it depends on failed */
} EkCheckStatus;

typedef struct
{
  char          *id;         /* stable, e.g. "memory.total"; never translated */
  char          *title;      /* translated, e.g. "Memory (total)" */
  EkCheckStatus  status;
  char          *value;      /* translated: what was measured */
  char          *threshold;  /* translated: what is needed; nullable */
  char          *remedy;     /* translated sentence: what to do; NULL when passed */
  double         measured;   /* the measured number for machines; NAN when none */
  const char    *unit;       /* of @measured: "bytes", "bytes/s", "ms", "dBFS",
                              * "percent", "count", "pixels"; static, nullable */
} EkCheckResult;

#define EK_SELF_CHECK_ERROR (ek_self_check_error_quark ())

typedef enum
{
  EK_SELF_CHECK_ERROR_BUSY,  /* a run is already going on */
} EkSelfCheckError;

/* The camera must deliver its first picture within this time. */
#define EK_SELF_CHECK_FIRST_FRAME_MS 3000

#define EK_TYPE_CHECK_RESULT (ek_check_result_get_type ())
#define EK_TYPE_CHECK_STATUS (ek_check_status_get_type ())
#define EK_TYPE_SELF_CHECK (ek_self_check_get_type ())

GType          ek_check_result_get_type  (void) G_GNUC_CONST;
GType          ek_check_status_get_type  (void) G_GNUC_CONST;
EkCheckResult *ek_check_result_copy      (const EkCheckResult *result);
void           ek_check_result_free      (EkCheckResult       *result);
const char    *ek_check_status_to_string (EkCheckStatus        status);
const char    *ek_check_status_describe  (EkCheckStatus        status);
int            ek_check_status_rank      (EkCheckStatus        status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkCheckResult, ek_check_result_free)

G_DECLARE_FINAL_TYPE (EkSelfCheck, ek_self_check, EK, SELF_CHECK, GObject)

GQuark         ek_self_check_error_quark            (void);

EkSelfCheck   *ek_self_check_new                    (EkConfig             *config);
EkConfig      *ek_self_check_get_config             (EkSelfCheck          *self);
void           ek_self_check_set_exam               (EkSelfCheck          *self,
                                                     EkExam               *exam);
void           ek_self_check_set_policy             (EkSelfCheck          *self,
                                                     const EkSelfCheckPolicy *policy);
const char    *ek_self_check_get_server_url         (EkSelfCheck          *self);
void           ek_self_check_set_server_url         (EkSelfCheck          *self,
                                                     const char           *url);
void           ek_self_check_set_display_available  (EkSelfCheck          *self,
                                                     gboolean              available);
void           ek_self_check_set_interactive        (EkSelfCheck          *self,
                                                     gboolean              interactive);

/* Where the operating system is read from; for tests. */
void           ek_self_check_set_probe_sources      (EkSelfCheck          *self,
                                                     const EkProbeSources *sources);
void           ek_self_check_set_xorg_root          (EkSelfCheck          *self,
                                                     const char           *root);
void           ek_self_check_set_system_path        (EkSelfCheck          *self,
                                                     const char           *path);
void           ek_self_check_set_media_descriptions (EkSelfCheck          *self,
                                                     const char           *camera,
                                                     const char           *microphone);
void           ek_self_check_set_groups             (EkSelfCheck          *self,
                                                     const char * const   *groups);

EkMediaProbe  *ek_self_check_get_camera_probe       (EkSelfCheck          *self);
EkMediaProbe  *ek_self_check_get_microphone_probe   (EkSelfCheck          *self);

void           ek_self_check_run_async              (EkSelfCheck          *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean       ek_self_check_run_finish             (EkSelfCheck          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

gboolean       ek_self_check_get_running            (EkSelfCheck          *self);
double         ek_self_check_get_fraction           (EkSelfCheck          *self);
const char    *ek_self_check_get_current_step       (EkSelfCheck          *self);
GPtrArray     *ek_self_check_get_results            (EkSelfCheck          *self);
GPtrArray     *ek_self_check_dup_sorted_results     (EkSelfCheck          *self);
const EkCheckResult *ek_self_check_lookup           (EkSelfCheck          *self,
                                                     const char           *id);
guint          ek_self_check_count                  (EkSelfCheck          *self,
                                                     EkCheckStatus         status);
void           ek_self_check_add_result             (EkSelfCheck          *self,
                                                     const EkCheckResult  *result);

JsonNode      *ek_self_check_to_json                (EkSelfCheck          *self);
char          *ek_self_check_to_html                (EkSelfCheck          *self);
gboolean       ek_self_check_save_json              (EkSelfCheck          *self,
                                                     const char           *path,
                                                     GError              **error);
gboolean       ek_self_check_save_html              (EkSelfCheck          *self,
                                                     const char           *path,
                                                     GError              **error);

G_END_DECLS
