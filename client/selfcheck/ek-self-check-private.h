/* ek-self-check-private.h: what the files of EkSelfCheck share
 *
 * EkSelfCheck is one type in several files, by concern: ek-self-check.c (results,
 * the run of the steps, life cycle, public API), ek-self-check-checks.c (the local
 * checks, the camera and microphone), ek-self-check-network.c (the exam server:
 * reachability, round trip and clock, the bandwidth test), ek-self-check-report.c
 * (the report as JSON and HTML). Only those files include this header.
 */
#pragma once

#include "ek-http-client.h"
#include "ek-lockdown-policy.h"
#include "ek-self-check.h"
#include "ek-server-clock.h"

G_BEGIN_DECLS

#define N_STEPS                   10

struct _EkSelfCheck
{
  GObject            parent_instance;

  /* settings */
  EkConfig          *config;            /* owned */
  EkExam            *exam;              /* owned, nullable */
  EkSelfCheckPolicy  policy;
  char              *server_url;
  gboolean           display_available;
  gboolean           interactive;
  EkProbeSources    *sources;           /* owned */
  char              *xorg_root;
  char              *system_path;
  char              *camera_description;
  char              *microphone_description;
  char             **groups;            /* NULL: all */

  /* the run */
  GTask             *task;              /* owned while running */
  GCancellable      *cancellable;       /* owned; the run's */
  GPtrArray         *results;           /* owned; EkCheckResult */
  guint              step;
  guint              pending;           /* parallel parts still running */
  double             fraction;
  char              *current_step;      /* translated */
  EkMediaProbe      *camera_probe;      /* owned */
  EkMediaProbe      *microphone_probe;  /* owned */
  GPtrArray         *media_devices;     /* owned; EkMediaDevice, for the media step */
  guint              idle_id;
  GMainContext      *context;           /* owned while running */
  gulong             cancelled_id;
  guint              leaves_started;
  guint              leaves_done;

  /* network state */
  EkHttpClient      *http;              /* owned */
  EkServerClock     *clock;             /* owned */
  guint              time_samples;
  gint64             best_rtt_ms;
  gint64             request_start_us;
  double             upload_rate;
  double             download_rate;
  gint64             download_start_us;
};

/* ek-self-check.c */
char     *_ek_self_check_format_bytes (double bytes);
char     *_ek_self_check_format_rate (double bytes_per_s);
gboolean  _ek_self_check_group_wanted (EkSelfCheck *self,
                                       const char  *group);
void      _ek_self_check_report (EkSelfCheck   *self,
                                 const char    *id,
                                 const char    *title,
                                 EkCheckStatus  status,
                                 char          *value,
                                 char          *threshold,
                                 char          *remedy,
                                 double         measured,
                                 const char    *unit);
void      _ek_self_check_report_findings (EkSelfCheck        *self,
                                          const char         *id,
                                          const char         *title,
                                          GPtrArray          *findings,
                                          const char * const *finding_ids,
                                          const char         *none_value,
                                          const char         *threshold,
                                          const char         *remedy);
void      _ek_self_check_set_current_step (EkSelfCheck *self,
                                           const char  *text);
void      _ek_self_check_set_fraction (EkSelfCheck *self,
                                       double       fraction);
void      _ek_self_check_step_done (EkSelfCheck *self);

/* ek-self-check-checks.c */
void      _ek_self_check_check_disk (EkSelfCheck *self);
void      _ek_self_check_check_environment (EkSelfCheck *self);
void      _ek_self_check_check_inhibit (EkSelfCheck *self);
void      _ek_self_check_check_memory (EkSelfCheck *self);
void      _ek_self_check_check_monitors (EkSelfCheck *self);
void      _ek_self_check_check_power (EkSelfCheck *self);
void      _ek_self_check_check_processes (EkSelfCheck *self);
void      _ek_self_check_check_session (EkSelfCheck *self);
void      _ek_self_check_check_xserver (EkSelfCheck *self);
void      _ek_self_check_leaf_done (EkSelfCheck *self);
void      _ek_self_check_run_parallel (EkSelfCheck *self);

/* ek-self-check-network.c */
void      _ek_self_check_run_network (EkSelfCheck *self);

G_END_DECLS
