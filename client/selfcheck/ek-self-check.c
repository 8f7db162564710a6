/* ek-self-check.c: the device check: is this computer ready for the exam?
 *
 * The checks run as a list of steps on the main context. Local steps (session,
 * monitors, memory, power, environment, X server, disk) come first, quick ones inline
 * and slow ones (the process scan, the disk write test, D-Bus) asynchronously; the
 * camera, the microphone and the network then run side by side, since each of them
 * mostly waits. A bare machine (no camera, no network) finishes in a few seconds; a
 * server that does not answer costs at most the network timeouts.
 *
 * The type is split by concern around ek-self-check-private.h: this file holds the
 * results, the run of the steps, the life cycle and the public API;
 * ek-self-check-checks.c the local checks and the camera and microphone;
 * ek-self-check-network.c the exam server and the bandwidth test;
 * ek-self-check-report.c the report as JSON and HTML.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "ek-self-check-private.h"

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_SERVER_URL,
  PROP_DISPLAY_AVAILABLE,
  PROP_RUNNING,
  PROP_FRACTION,
  PROP_CURRENT_STEP,
  N_PROPS
};

enum {
  RESULT_ADDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkSelfCheck, ek_self_check, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-self-check-error-quark, ek_self_check_error)
G_DEFINE_BOXED_TYPE (EkCheckResult, ek_check_result, ek_check_result_copy, ek_check_result_free)
G_DEFINE_ENUM_TYPE (EkCheckStatus, ek_check_status,
  G_DEFINE_ENUM_VALUE (EK_CHECK_PASS, "pass"),
  G_DEFINE_ENUM_VALUE (EK_CHECK_WARN, "warn"),
  G_DEFINE_ENUM_VALUE (EK_CHECK_FAIL, "fail"),
  G_DEFINE_ENUM_VALUE (EK_CHECK_SKIP, "skip"))

typedef void (*StepFunc) (EkSelfCheck *self);

/* Results */

EkCheckResult *
ek_check_result_copy (const EkCheckResult *result)
{
  EkCheckResult *copy = g_new0 (EkCheckResult, 1);

  copy->id = g_strdup (result->id);
  copy->title = g_strdup (result->title);
  copy->status = result->status;
  copy->value = g_strdup (result->value);
  copy->threshold = g_strdup (result->threshold);
  copy->remedy = g_strdup (result->remedy);
  copy->measured = result->measured;
  copy->unit = result->unit;

  return copy;
}

void
ek_check_result_free (EkCheckResult *result)
{
  if (result == NULL)
    return;

  g_free (result->id);
  g_free (result->title);
  g_free (result->value);
  g_free (result->threshold);
  g_free (result->remedy);
  g_free (result);
}

const char *
ek_check_status_to_string (EkCheckStatus status)
{
  switch (status)
    {
    case EK_CHECK_PASS:
      return "pass";
    case EK_CHECK_WARN:
      return "warn";
    case EK_CHECK_FAIL:
      return "fail";
    case EK_CHECK_SKIP:
      return "skip";
    default:
      g_return_val_if_reached ("fail");
    }
}

/**
 * ek_check_status_describe:
 *
 * Returns: the status as the candidate and the technician read it (translated): in
 *   the device check page, the terminal and the HTML report alike
 */
const char *
ek_check_status_describe (EkCheckStatus status)
{
  switch (status)
    {
    case EK_CHECK_PASS:
      /* Translators: the status of one check in the device check */
      return C_("check status", "Pass");
    case EK_CHECK_WARN:
      return C_("check status", "Warning");
    case EK_CHECK_SKIP:
      /* Translators: the status of a check that could not run because another failed */
      return C_("check status", "Skipped");
    case EK_CHECK_FAIL:
    default:
      return C_("check status", "Fail");
    }
}

/**
 * ek_check_status_rank:
 *
 * Returns: how much a status needs the reader's attention, for sorting: failed
 *   first, then warnings, then skipped checks, then passed ones (higher: sooner)
 */
int
ek_check_status_rank (EkCheckStatus status)
{
  switch (status)
    {
    case EK_CHECK_FAIL:
      return 3;
    case EK_CHECK_WARN:
      return 2;
    case EK_CHECK_SKIP:
      return 1;
    case EK_CHECK_PASS:
    default:
      return 0;
    }
}

/* Adds a result; takes @value, @threshold and @remedy (all nullable). */
void
_ek_self_check_report (EkSelfCheck   *self,
                       const char    *id,
                       const char    *title,
                       EkCheckStatus  status,
                       char          *value,
                       char          *threshold,
                       char          *remedy,
                       double         measured,
                       const char    *unit)
{
  EkCheckResult *result = g_new0 (EkCheckResult, 1);

  result->id = g_strdup (id);
  result->title = g_strdup (title);
  result->status = status;
  result->value = value != NULL ? value : g_strdup ("");
  result->threshold = threshold;
  /* A skipped check has nothing to do of its own: the failed one it depends on says it. */
  result->remedy = status == EK_CHECK_PASS || status == EK_CHECK_SKIP ? (g_free (remedy), NULL)
                                                                      : remedy;
  result->measured = measured;
  result->unit = unit;

  g_ptr_array_add (self->results, result);
  g_signal_emit (self, signals[RESULT_ADDED], 0, result);
}

static EkCheckStatus
status_for_severity (EkSeverity severity)
{
  switch (severity)
    {
    case EK_SEVERITY_ALLOW:
      return EK_CHECK_PASS;
    case EK_SEVERITY_WARN:
      return EK_CHECK_WARN;
    case EK_SEVERITY_BLOCK:
    default:
      return EK_CHECK_FAIL;
    }
}

static EkLockdownPolicy *
get_lockdown_policy (EkSelfCheck *self)
{
  EkLockdownPolicy *policy;

  if (self->exam == NULL)
    return NULL;

  policy = ek_exam_get_lockdown_policy (self->exam);
  if (policy == NULL || ek_lockdown_policy_get_relaxed (policy))
    return NULL;

  return policy;
}

/* Reports findings of the given ids as one result: the worst one decides, every
 * finding is named in the value. */
void
_ek_self_check_report_findings (EkSelfCheck        *self,
                                const char         *id,
                                const char         *title,
                                GPtrArray          *findings,
                                const char * const *finding_ids,
                                const char         *none_value,
                                const char         *threshold,
                                const char         *remedy)
{
  EkLockdownPolicy *policy = get_lockdown_policy (self);
  EkCheckStatus status = EK_CHECK_PASS;
  g_autoptr(GString) value = g_string_new (NULL);
  g_autoptr(GString) descriptions = g_string_new (NULL);
  guint count = 0;

  for (guint i = 0; findings != NULL && i < findings->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (findings, i);
      EkSeverity severity;

      if (!g_strv_contains (finding_ids, finding->id))
        continue;

      severity = policy != NULL ? ek_lockdown_policy_get_severity (policy, finding)
                                : finding->severity;
      status = MAX (status, status_for_severity (severity));
      if (count++ > 0)
        g_string_append (value, ", ");
      g_string_append (value, finding->subject);
      if (descriptions->len > 0)
        g_string_append_c (descriptions, ' ');
      g_string_append (descriptions, finding->description);
    }

  if (count == 0)
    {
      _ek_self_check_report (self, id, title, EK_CHECK_PASS, g_strdup (none_value), g_strdup (threshold),
                             NULL, 0, "count");
      return;
    }

  _ek_self_check_report (self, id, title, status, g_string_free (g_steal_pointer (&value), FALSE),
                         g_strdup (threshold),
                         g_strconcat (descriptions->str, " ", remedy, NULL),
                         count, "count");
}

char *
_ek_self_check_format_bytes (double bytes)
{
  return g_format_size_full ((guint64) MAX (0.0, bytes), G_FORMAT_SIZE_IEC_UNITS);
}

char *
_ek_self_check_format_rate (double bytes_per_s)
{
  g_autofree char *size = g_format_size ((guint64) MAX (0.0, bytes_per_s));

  /* Translators: a transfer rate, %s is a size such as "2.4 MB" */
  return g_strdup_printf (_("%s/s"), size);
}

gboolean
_ek_self_check_group_wanted (EkSelfCheck *self,
                             const char  *group)
{
  return self->groups == NULL || g_strv_contains ((const char * const *) self->groups, group);
}

void
_ek_self_check_set_current_step (EkSelfCheck *self,
                                 const char  *text)
{
  if (g_strcmp0 (self->current_step, text) == 0)
    return;

  g_free (self->current_step);
  self->current_step = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_STEP]);
}

/* The run */

typedef struct
{
  const char *group;   /* for ek_self_check_set_groups() */
  StepFunc    func;
} Step;

/* Also the order of the report. */
static const Step steps[] = {
  { "session", _ek_self_check_check_session },
  { "monitors", _ek_self_check_check_monitors },
  { "memory", _ek_self_check_check_memory },
  { "disk", _ek_self_check_check_disk },
  { "power", _ek_self_check_check_power },
  { "power", _ek_self_check_check_inhibit },
  { "environment", _ek_self_check_check_environment },
  { "processes", _ek_self_check_check_processes },
  { "xserver", _ek_self_check_check_xserver },
  { NULL, _ek_self_check_run_parallel },  /* "media" and "network" */
};

G_STATIC_ASSERT (G_N_ELEMENTS (steps) == N_STEPS);


void
_ek_self_check_set_fraction (EkSelfCheck *self,
                             double       fraction)
{
  if (self->fraction == fraction)
    return;

  self->fraction = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

static void
finish_run (EkSelfCheck *self,
            GError      *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->cancelled_id != 0)
    g_cancellable_disconnect (self->cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  _ek_self_check_set_current_step (self, NULL);
  if (error == NULL)
    _ek_self_check_set_fraction (self, 1.0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
run_step_cb (gpointer user_data)
{
  EkSelfCheck *self = user_data;

  self->idle_id = 0;
  if (self->step >= N_STEPS)
    {
      finish_run (self, NULL);
      return G_SOURCE_REMOVE;
    }

  if (steps[self->step].group != NULL && !_ek_self_check_group_wanted (self, steps[self->step].group))
    {
      _ek_self_check_step_done (self);
      return G_SOURCE_REMOVE;
    }

  steps[self->step].func (self);
  return G_SOURCE_REMOVE;
}

void
_ek_self_check_step_done (EkSelfCheck *self)
{
  if (self->task == NULL)
    return;

  self->step++;
  _ek_self_check_set_fraction (self, (double) self->step / N_STEPS);

  /* From an idle: the UI gets to draw the result before the next step. */
  if (self->idle_id == 0)
    self->idle_id = g_idle_add (run_step_cb, self);
}

static gboolean
abort_cb (gpointer user_data)
{
  EkSelfCheck *self = user_data;

  if (self->task != NULL)
    finish_run (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           _("The device check was stopped.")));

  return G_SOURCE_REMOVE;
}

static void
on_cancelled_cb (GCancellable *cancellable,
                 EkSelfCheck  *self)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  /* Never from here: this may be another thread, and the run's end disconnects this
   * handler, which must not happen inside it. */
  g_source_set_callback (source, abort_cb, g_object_ref (self), g_object_unref);
  g_source_attach (source, self->context);
}

/* GObject */

static void
ek_self_check_dispose (GObject *object)
{
  EkSelfCheck *self = EK_SELF_CHECK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->idle_id, g_source_remove);

  G_OBJECT_CLASS (ek_self_check_parent_class)->dispose (object);
}

static void
ek_self_check_finalize (GObject *object)
{
  EkSelfCheck *self = EK_SELF_CHECK (object);

  g_clear_object (&self->config);
  g_clear_object (&self->exam);
  g_free (self->server_url);
  ek_probe_sources_free (self->sources);
  g_free (self->xorg_root);
  g_free (self->system_path);
  g_free (self->camera_description);
  g_free (self->microphone_description);
  g_strfreev (self->groups);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_free (self->current_step);
  g_clear_object (&self->camera_probe);
  g_clear_object (&self->microphone_probe);
  g_clear_pointer (&self->media_devices, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->http);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ek_self_check_parent_class)->finalize (object);
}

static void
ek_self_check_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EkSelfCheck *self = EK_SELF_CHECK (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;

    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;

    case PROP_DISPLAY_AVAILABLE:
      g_value_set_boolean (value, self->display_available);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->task != NULL);
      break;

    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;

    case PROP_CURRENT_STEP:
      g_value_set_string (value, self->current_step);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_self_check_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EkSelfCheck *self = EK_SELF_CHECK (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;

    case PROP_SERVER_URL:
      ek_self_check_set_server_url (self, g_value_get_string (value));
      break;

    case PROP_DISPLAY_AVAILABLE:
      ek_self_check_set_display_available (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_self_check_constructed (GObject *object)
{
  EkSelfCheck *self = EK_SELF_CHECK (object);

  G_OBJECT_CLASS (ek_self_check_parent_class)->constructed (object);

  if (self->config == NULL)
    self->config = ek_config_new ();
  if (self->server_url == NULL)
    self->server_url = g_strdup (ek_config_get_server_url (self->config));
}

static void
ek_self_check_class_init (EkSelfCheckClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ek_self_check_constructed;
  object_class->dispose = ek_self_check_dispose;
  object_class->finalize = ek_self_check_finalize;
  object_class->get_property = ek_self_check_get_property;
  object_class->set_property = ek_self_check_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL,
                         EK_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkSelfCheck:server-url:
   *
   * The exam server to measure; by default the configuration's.
   */
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EkSelfCheck:display-available:
   *
   * Whether an X11 display is open for the monitor and X server checks.
   */
  properties[PROP_DISPLAY_AVAILABLE] =
    g_param_spec_boolean ("display-available", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EkSelfCheck:fraction:
   *
   * How far the run is, 0 to 1.
   */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL,
                         0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EkSelfCheck:current-step:
   *
   * What is being checked now, translated, e.g. "Checking the disk…"; %NULL between runs.
   */
  properties[PROP_CURRENT_STEP] =
    g_param_spec_string ("current-step", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkSelfCheck::result-added:
   * @result: the result, owned by the check
   *
   * A check has finished.
   */
  signals[RESULT_ADDED] =
    g_signal_new ("result-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_CHECK_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ek_self_check_init (EkSelfCheck *self)
{
  ek_self_check_policy_init_defaults (&self->policy);
  self->sources = ek_probe_sources_new ();
  self->system_path = g_strdup ("/");
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_check_result_free);
  self->camera_probe = ek_media_probe_new (EK_MEDIA_DEVICE_CAMERA);
  self->microphone_probe = ek_media_probe_new (EK_MEDIA_DEVICE_MICROPHONE);
}

/* Public API */

/**
 * ek_self_check_new:
 * @config: (nullable): the configuration (server, storage, media); %NULL: the defaults
 *
 * Returns: (transfer full): a new device check
 */
EkSelfCheck *
ek_self_check_new (EkConfig *config)
{
  g_return_val_if_fail (config == NULL || EK_IS_CONFIG (config), NULL);

  return g_object_new (EK_TYPE_SELF_CHECK, "config", config, NULL);
}

EkConfig *
ek_self_check_get_config (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->config;
}

/**
 * ek_self_check_set_exam:
 * @exam: (nullable): the exam the computer is checked for: its thresholds, its
 *   forbidden programs and what its lockdown policy allows
 */
void
ek_self_check_set_exam (EkSelfCheck *self,
                        EkExam      *exam)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));
  g_return_if_fail (exam == NULL || EK_IS_EXAM (exam));

  g_set_object (&self->exam, exam);
  if (exam != NULL)
    self->policy = *ek_exam_get_self_check_policy (exam);
  else
    ek_self_check_policy_init_defaults (&self->policy);
}

void
ek_self_check_set_policy (EkSelfCheck             *self,
                          const EkSelfCheckPolicy *policy)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  if (policy != NULL)
    self->policy = *policy;
  else
    ek_self_check_policy_init_defaults (&self->policy);
}

const char *
ek_self_check_get_server_url (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->server_url;
}

void
ek_self_check_set_server_url (EkSelfCheck *self,
                              const char  *url)
{
  g_autofree char *trimmed = NULL;

  g_return_if_fail (EK_IS_SELF_CHECK (self));

  /* Paths are appended: "https://host/" and "https://host" are the same server. */
  if (url != NULL)
    {
      trimmed = g_strdup (url);
      while (g_str_has_suffix (trimmed, "/"))
        trimmed[strlen (trimmed) - 1] = '\0';
    }

  if (g_strcmp0 (self->server_url, trimmed) == 0)
    return;

  g_free (self->server_url);
  self->server_url = g_steal_pointer (&trimmed);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);
}

void
ek_self_check_set_display_available (EkSelfCheck *self,
                                     gboolean     available)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  available = !!available;
  if (self->display_available == available)
    return;

  self->display_available = available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_AVAILABLE]);
}

/**
 * ek_self_check_set_interactive:
 * @interactive: whether a person watches (the page): the camera and the microphone
 *   are then watched longer, long enough to say a sentence
 */
void
ek_self_check_set_interactive (EkSelfCheck *self,
                               gboolean     interactive)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  self->interactive = !!interactive;
}

void
ek_self_check_set_probe_sources (EkSelfCheck          *self,
                                 const EkProbeSources *sources)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));
  g_return_if_fail (sources != NULL);

  ek_probe_sources_free (self->sources);
  self->sources = ek_probe_sources_copy (sources);
}

/**
 * ek_self_check_set_xorg_root:
 * @root: (nullable): the folder below which etc/X11/xorg.conf.d is read; %NULL: "/"
 */
void
ek_self_check_set_xorg_root (EkSelfCheck *self,
                             const char  *root)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  g_free (self->xorg_root);
  self->xorg_root = g_strdup (root);
}

/**
 * ek_self_check_set_system_path:
 * @path: a folder on the system volume; "/" by default
 */
void
ek_self_check_set_system_path (EkSelfCheck *self,
                               const char  *path)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));
  g_return_if_fail (path != NULL);

  g_free (self->system_path);
  self->system_path = g_strdup (path);
}

/**
 * ek_self_check_set_media_descriptions:
 * @camera: (nullable): a GStreamer video source in gst-launch syntax instead of the
 *   camera, e.g. "videotestsrc is-live=true pattern=black"
 * @microphone: (nullable): an audio source instead of the microphone
 *
 * For tests: a black or still camera, a silent microphone. Both count as test sources.
 */
void
ek_self_check_set_media_descriptions (EkSelfCheck *self,
                                      const char  *camera,
                                      const char  *microphone)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  g_free (self->camera_description);
  self->camera_description = g_strdup (camera);
  g_free (self->microphone_description);
  self->microphone_description = g_strdup (microphone);
}

/**
 * ek_self_check_set_groups:
 * @groups: (nullable): the groups to run: "session", "monitors", "memory", "disk",
 *   "power", "environment", "processes", "xserver", "media", "network"; %NULL: all
 *
 * For tests and for a quick re-check of one part.
 */
void
ek_self_check_set_groups (EkSelfCheck        *self,
                          const char * const *groups)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  g_strfreev (self->groups);
  self->groups = g_strdupv ((char **) groups);
}

/**
 * ek_self_check_get_camera_probe:
 *
 * Returns: (transfer none): the camera's probe, for a live view while the check runs
 */
EkMediaProbe *
ek_self_check_get_camera_probe (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->camera_probe;
}

/**
 * ek_self_check_get_microphone_probe:
 *
 * Returns: (transfer none): the microphone's probe, for a level meter
 */
EkMediaProbe *
ek_self_check_get_microphone_probe (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->microphone_probe;
}

/**
 * ek_self_check_run_async:
 *
 * Runs every check; results come with ::result-added. A run replaces the results of
 * the one before. Fails only when it cannot run at all (another run is going on) or
 * is cancelled: failed checks are results, not errors.
 */
void
ek_self_check_run_async (EkSelfCheck         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_SELF_CHECK (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_self_check_run_async);
  /* Cancellation is reported by the run itself, once its parts have stopped. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, EK_SELF_CHECK_ERROR, EK_SELF_CHECK_ERROR_BUSY,
                               _("The device check is already running."));
      return;
    }

  self->task = g_steal_pointer (&task);
  g_clear_object (&self->cancellable);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  g_ptr_array_set_size (self->results, 0);
  self->step = 0;
  self->pending = 0;
  self->fraction = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  self->cancelled_id = g_cancellable_connect (self->cancellable, G_CALLBACK (on_cancelled_cb),
                                              self, NULL);
  if (self->idle_id == 0)
    self->idle_id = g_idle_add (run_step_cb, self);
}

gboolean
ek_self_check_run_finish (EkSelfCheck   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_self_check_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ek_self_check_get_running (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), FALSE);

  return self->task != NULL;
}

double
ek_self_check_get_fraction (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), 0);

  return self->fraction;
}

const char *
ek_self_check_get_current_step (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->current_step;
}

/**
 * ek_self_check_get_results:
 *
 * Returns: (transfer none) (element-type EkCheckResult): the results, in the order
 *   they came
 */
GPtrArray *
ek_self_check_get_results (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->results;
}


/**
 * ek_self_check_lookup:
 *
 * Returns: (transfer none) (nullable): the result of the check @id
 */
const EkCheckResult *
ek_self_check_lookup (EkSelfCheck *self,
                      const char  *id)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  for (guint i = 0; i < self->results->len; i++)
    {
      const EkCheckResult *result = g_ptr_array_index (self->results, i);

      if (g_str_equal (result->id, id))
        return result;
    }

  return NULL;
}

guint
ek_self_check_count (EkSelfCheck   *self,
                     EkCheckStatus  status)
{
  guint count = 0;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), 0);

  for (guint i = 0; i < self->results->len; i++)
    {
      const EkCheckResult *result = g_ptr_array_index (self->results, i);

      if (result->status == status)
        count++;
    }

  return count;
}

/**
 * ek_self_check_add_result:
 *
 * Adds a result from outside the run: the speaker test the person answers on the page.
 * A result with the same id is replaced.
 */
void
ek_self_check_add_result (EkSelfCheck         *self,
                          const EkCheckResult *result)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));
  g_return_if_fail (result != NULL && result->id != NULL);

  for (guint i = 0; i < self->results->len; i++)
    {
      const EkCheckResult *existing = g_ptr_array_index (self->results, i);

      if (g_str_equal (existing->id, result->id))
        {
          g_ptr_array_remove_index (self->results, i);
          break;
        }
    }

  _ek_self_check_report (self, result->id, result->title, result->status, g_strdup (result->value),
                         g_strdup (result->threshold), g_strdup (result->remedy), result->measured,
                         result->unit);
}
